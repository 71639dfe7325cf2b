"""The OpenAPI document is complete: auth, error bodies and examples on every /v1 operation."""

from typing import Any

import pytest

from assessment.app import create
from assessment.settings import AssessmentSettings

PUBLIC = {("get", "/v1/certificates/verify/{code}")}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app, _ = create(AssessmentSettings(environment="test"))
    spec: dict[str, Any] = app.openapi()
    return spec


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        if path.startswith("/v1/")
        for method, operation in operations.items()
    ]


def test_every_protected_operation_declares_the_bearer_scheme_and_401_403(
    document: dict[str, Any],
) -> None:
    assert document["components"]["securitySchemes"]["PortalBearer"]["scheme"] == "bearer"
    for method, path, operation in _operations(document):
        if (method, path) in PUBLIC:
            assert "security" not in operation
            continue
        assert operation["security"] == [{"PortalBearer": []}], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_every_error_response_uses_the_error_body_with_an_example(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            content = response["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
            assert "example" in content, (method, path, status)


def test_every_operation_has_a_summary_and_a_typed_success_response(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        assert operation.get("summary"), (method, path)
        success = next(r for s, r in operation["responses"].items() if s.startswith("2"))
        assert "$ref" in success["content"]["application/json"]["schema"], (method, path)


def test_request_bodies_and_path_parameters_carry_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter.get("examples") or parameter["schema"].get("examples"), (
                    method,
                    path,
                    parameter["name"],
                )
        body = operation.get("requestBody")
        if body is not None:
            name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            properties = schemas[name]["properties"].values()
            assert any("examples" in p for p in properties), (method, path)


def test_the_answer_key_is_nowhere_in_the_staff_facing_schemas(document: dict[str, Any]) -> None:
    for name in ("Paper", "PaperQuestion", "AttemptDetail", "AttemptOutcome"):
        text = str(document["components"]["schemas"][name])
        assert "correct" not in text, name
