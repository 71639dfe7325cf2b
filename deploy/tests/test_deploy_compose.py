"""deploy/compose.yaml: production shape on one host, wired to our rules, dashboards and code."""

import importlib.util
import json
import re
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from academy.services import SERVICES, ServiceSpec
from contracts import topics

DEPLOY_DIR = Path(__file__).resolve().parents[1]
COMPOSE_FILE = DEPLOY_DIR / "compose.yaml"
Document = dict[str, Any]

by_service = pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])


def _mounts(service: Document) -> dict[str, str]:
    """container path -> host path (relative to deploy/) of the service's bind mounts."""
    found = {}
    for volume in service.get("volumes", []):
        source, target = str(volume).split(":")[:2]
        if source.startswith("."):
            found[target] = source
    return found


def _load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DEPLOY_DIR / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kafka_runs_in_kraft_mode_without_zookeeper(compose: Document) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert not [name for name in compose["services"] if "zookeeper" in name]


def test_kafka_init_creates_every_contract_topic(compose: Document) -> None:
    init = compose["services"]["kafka-init"]["environment"]
    assert init["ACADEMY_TOPICS"].split() == list(topics.ALL)
    assert "$$topic.dlq" in compose["services"]["kafka-init"]["command"][0]
    partitions = {
        compose["services"][s.name]["environment"][f"{s.env_prefix}KAFKA_TOPIC_PARTITIONS"]
        for s in SERVICES
    }
    assert partitions == {init["ACADEMY_TOPIC_PARTITIONS"]}, "services would create topics unlike"


@by_service
def test_each_service_starts_after_its_one_shot_migration(
    spec: ServiceSpec, compose: Document
) -> None:
    service = compose["services"][spec.name]
    migrate = compose["services"][f"{spec.name}-migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["command"] == ["serve"]
    depends = service["depends_on"]
    assert depends[f"{spec.name}-migrate"]["condition"] == "service_completed_successfully"
    assert depends["kafka-init"]["condition"] == "service_completed_successfully"
    assert migrate["image"] == service["image"]
    assert migrate["build"] == service["build"]
    assert migrate["environment"] == service["environment"]
    build = service["build"]
    assert (DEPLOY_DIR / build["context"]).resolve() == DEPLOY_DIR.parent, "repo-root context"
    assert build["dockerfile"] == f"deploy/docker/{spec.name}.Dockerfile"
    assert service["stop_grace_period"] == "60s"


def test_prometheus_loads_every_rule_file_and_scrapes_every_service(
    compose: Document, promtool: str
) -> None:
    prometheus = compose["services"]["prometheus"]
    mounts = _mounts(prometheus)
    rules_dir = next(target for target, source in mounts.items() if source == "./prometheus")
    config_path = DEPLOY_DIR / mounts["/etc/prometheus/prometheus.yml"]
    config = yaml.safe_load(config_path.read_text())
    assert config["rule_files"] == [f"{rules_dir}/*.rules.yml"]
    jobs = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]
    }
    for spec in SERVICES:
        assert jobs.get(spec.name) == [f"{spec.name}:{spec.default_port}"], spec.name
    targets = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]
    assert "alertmanager" in compose["services"]
    checked = subprocess.run(
        [promtool, "check", "config", str(config_path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_alertmanager_routes_only_to_declared_receivers(compose: Document) -> None:
    mounts = _mounts(compose["services"]["alertmanager"])
    config = yaml.safe_load((DEPLOY_DIR / mounts["/etc/alertmanager/alertmanager.yml"]).read_text())
    receivers = {r["name"] for r in config["receivers"]}
    routes = [config["route"], *config["route"].get("routes", [])]
    assert {r["receiver"] for r in routes} <= receivers


def test_grafana_provisions_every_dashboard_with_the_prometheus_datasource(
    compose: Document,
) -> None:
    mounts = _mounts(compose["services"]["grafana"])
    provisioning = DEPLOY_DIR / mounts["/etc/grafana/provisioning"]
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "academy.yaml").read_text())[
        "providers"
    ]
    assert mounts[provider["options"]["path"]] == "./grafana"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())
    uids = {ds["uid"] for ds in datasources["datasources"]}
    dashboards = sorted((DEPLOY_DIR / "grafana").glob("*.json"))
    assert dashboards, "deploy/grafana/*.json: no dashboards"
    seen: dict[str, str] = {}
    for path in dashboards:
        dashboard = json.loads(path.read_text())
        uid = dashboard.get("uid")
        assert uid, f"{path.name}: needs a uid"
        assert dashboard.get("title"), f"{path.name}: needs a title"
        assert uid not in seen, f"{path.name} and {seen.get(uid)} share uid {uid}"
        seen[uid] = path.name
        used = set(re.findall(r'"uid":\s*"([^"$]+)"', json.dumps(_datasources(dashboard))))
        assert used <= uids, f"{path.name} uses datasources {used - uids} that are not provisioned"


def _datasources(node: Any) -> list[Any]:
    """Every `datasource` value anywhere in a dashboard."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += [value] if key == "datasource" else _datasources(value)
    elif isinstance(node, list):
        for item in node:
            found += _datasources(item)
    return found


def test_bind_mounts_point_at_files_in_deploy(compose: Document) -> None:
    missing = [
        f"{name}: {source}"
        for name, service in compose["services"].items()
        for source in _mounts(service).values()
        if not source.startswith("./.secrets/") and not (DEPLOY_DIR / source).exists()
    ]
    assert not missing, f"compose bind-mounts missing paths: {missing}"


def test_compose_secrets_tool_provides_everything_compose_requires(tmp_path: Path) -> None:
    text = COMPOSE_FILE.read_text()
    required = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+):\?", text))
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))
    tool = _load_tool("compose_secrets")
    assert required <= set(tool.ENV_NAMES), "compose_secrets.py must produce them"
    assert set(tool.ENV_NAMES) <= interpolated, "compose_secrets.py writes unused variables"
    assert tool.main(["--deploy-dir", str(tmp_path)]) == 0
    assert set(tool.read_env(tmp_path / ".env")) == set(tool.ENV_NAMES)
    first = (tmp_path / ".env").read_text()
    assert tool.main(["--deploy-dir", str(tmp_path)]) == 0
    assert (tmp_path / ".env").read_text() == first, "a second run must keep every value"
    secrets_mounted = {
        source.removeprefix("./.secrets/")
        for service in yaml.safe_load(text)["services"].values()
        for source in _mounts(service).values()
        if source.startswith("./.secrets/")
    }
    assert secrets_mounted <= {p.name for p in (tmp_path / ".secrets").iterdir()}


def test_generated_secrets_stay_out_of_git() -> None:
    ignored = (DEPLOY_DIR / ".gitignore").read_text().split()
    assert {".env", ".secrets/"} <= set(ignored)
