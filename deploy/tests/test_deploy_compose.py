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


BROKERS = ("kafka-1", "kafka-2", "kafka-3")


def test_kafka_is_a_three_node_kraft_cluster_that_keeps_three_copies(compose: Document) -> None:
    kafka_nodes = {
        name: service
        for name, service in compose["services"].items()
        if "KAFKA_PROCESS_ROLES" in service.get("environment", {})
    }
    assert tuple(kafka_nodes) == BROKERS
    assert not [name for name in compose["services"] if "zookeeper" in name]
    voters = ",".join(f"{i}@{name}:9093" for i, name in enumerate(BROKERS, start=1))
    volumes = set()
    for node_id, (name, node) in enumerate(kafka_nodes.items(), start=1):
        env = node["environment"]
        assert node["image"].startswith("apache/kafka:")
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller", name
        assert env["KAFKA_NODE_ID"] == str(node_id), name
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters, f"{name}: a quorum of all three"
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        assert env["CLUSTER_ID"] == kafka_nodes[BROKERS[0]]["environment"]["CLUSTER_ID"]
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics come from kafka-init"
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == str(topics.REPLICATION_FACTOR) == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == str(topics.MIN_INSYNC_REPLICAS) == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3", "committed offsets too"
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3"
        assert "healthcheck" in node
        volumes |= {str(v).split(":")[0] for v in node["volumes"]}
    assert len(volumes) == len(BROKERS), "each broker keeps its own log directory"
    for spec in SERVICES:
        env = compose["services"][spec.name]["environment"]
        bootstrap = env[f"{spec.env_prefix}KAFKA_BOOTSTRAP_SERVERS"].split(",")
        assert bootstrap == [f"{name}:9092" for name in BROKERS], spec.name


def _script(text: str) -> str:
    """A compose command as the shell gets it ($$ is compose's escape for $)."""
    return text.replace("$$", "$")


def test_kafka_init_creates_exactly_the_declared_topics_before_any_service(
    compose: Document, k8s_objects: dict[tuple[str, str], Document], topic_lines: list[str]
) -> None:
    init = compose["services"]["kafka-init"]
    assert init["environment"]["ACADEMY_TOPICS"].splitlines() == topic_lines, (
        "kafka-init's ACADEMY_TOPICS must be contracts.topics.DECLARED:\n" + "\n".join(topic_lines)
    )
    assert [line.split()[0] for line in topic_lines] == [
        name for topic in topics.ALL for name in (topic, topics.dlq(topic))
    ]
    assert set(init["depends_on"]) == set(BROKERS)
    assert {d["condition"] for d in init["depends_on"].values()} == {"service_healthy"}
    job = k8s_objects[("Job", "kafka-topics")]["spec"]["template"]["spec"]["containers"][0]
    assert [*init["entrypoint"], _script(init["command"][0])] == [*job["command"], *job["args"]], (
        "kafka-init and the Kubernetes Job kafka-topics run one script"
    )
    for spec in SERVICES:
        env, prefix = compose["services"][spec.name]["environment"], spec.env_prefix
        assert env[f"{prefix}KAFKA_CREATE_TOPICS"] == "false", f"{spec.name} checks, never creates"
        assert env[f"{prefix}KAFKA_TOPIC_PARTITIONS"] == str(topics.PARTITIONS)
        assert env[f"{prefix}KAFKA_REPLICATION_FACTOR"] == str(topics.REPLICATION_FACTOR)


def test_postgres_roles_run_before_every_migration(compose: Document) -> None:
    roles = compose["services"]["postgres-roles"]
    assert roles["restart"] == "no"
    assert roles["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert _mounts(roles)["/academy"] == "./postgres"
    script = roles["command"][0]
    assert "-f /academy/roles.sql" in script
    assert "-f /academy/passwords.sql" in script
    for name in ("roles.sql", "passwords.sql"):
        assert (DEPLOY_DIR / "postgres" / name).is_file()


@by_service
def test_each_service_starts_after_its_one_shot_migration(
    spec: ServiceSpec, compose: Document
) -> None:
    service = compose["services"][spec.name]
    migrate = compose["services"][f"{spec.name}-migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres-roles"]["condition"] == "service_completed_successfully"
    assert service["command"] == ["serve"]
    depends = service["depends_on"]
    assert depends[f"{spec.name}-migrate"]["condition"] == "service_completed_successfully"
    assert depends["kafka-init"]["condition"] == "service_completed_successfully"
    assert migrate["image"] == service["image"]
    assert migrate["build"] == service["build"]
    prefix = spec.env_prefix
    assert set(migrate["environment"]) == {f"{prefix}ENVIRONMENT", f"{prefix}DATABASE_URL"}, (
        "a migration reads only its environment and database URL: no runtime secrets"
    )
    assert "//academy_migrator:" in migrate["environment"][f"{prefix}DATABASE_URL"]
    assert "//academy_app:" in service["environment"][f"{prefix}DATABASE_URL"]
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
