"""Every route of every service, swept from its OpenAPI document with hostile input.

(a) a validly signed token with each malformed claim gets 401 naming the claim; (b) NUL and
control characters in every path, query and body field get 422 naming the field. Nothing
answers 5xx. The apps run in-process against the real test database.
"""

import inspect
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from academy_runtime.auth import JwksCache, TokenVerifier
from academy_runtime.service import ServiceRuntime
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app

pytestmark = pytest.mark.integration

ISSUER = "http://issuer.sweep"
STAFF_TENANT = "academy-vendor"
ALL_ROLES = [
    "compliance_officer",
    "operator_admin",
    "academy_support",
    "academy_admin",
    "academy_auditor",
]
METHODS = ("get", "post", "put", "patch", "delete")

#: (claim overrides, the claim the 401 must name)
MALFORMED_CLAIMS: list[tuple[dict[str, Any], str]] = [
    ({"groups": 7}, "groups"),
    ({"groups": True}, "groups"),
    ({"groups": [1, 2]}, "groups"),
    ({"groups": ["x" * 300]}, "groups"),
    ({"operator_id": 12}, "operator_id"),
    ({"operator_id": "опер"}, "operator_id"),
    ({"operator_id": "op with space"}, "operator_id"),
    ({"operator_id": "o" * 300}, "operator_id"),
    ({"operator_id": "op\x00x"}, "operator_id"),
    ({"sub": ""}, "sub"),
    ({"sub": "has space"}, "sub"),
    ({"sub": "a\x00b"}, "sub"),
    ({"name": "Ali\x00ce"}, "name"),
    ({"email": "a\x07@b.c"}, "email"),
    ({"name": "n" * 1000}, "name"),
]
HOSTILE_TEXT = ["a\x00b", "a\x1bb", "a\x7fb"]


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    spec: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.service} {self.method.upper()} {self.path}"


def _apps() -> dict[str, tuple[FastAPI, ServiceRuntime]]:
    from assessment.app import create as create_assessment
    from assessment.settings import AssessmentSettings
    from audit_export.app import create as create_audit
    from audit_export.settings import AuditExportSettings
    from catalogue.app import create as create_catalogue
    from catalogue.settings import CatalogueSettings
    from release_bridge.app import create as create_bridge
    from release_bridge.settings import ReleaseBridgeSettings

    common = {"environment": "test", "oidc_issuer": ISSUER}
    return {
        "catalogue": create_catalogue(CatalogueSettings(**common)),  # type: ignore[arg-type]
        "assessment": create_assessment(AssessmentSettings(**common)),  # type: ignore[arg-type]
        "release-bridge": create_bridge(ReleaseBridgeSettings(**common)),  # type: ignore[arg-type]
        "audit-export": create_audit(
            AuditExportSettings(**common),  # type: ignore[arg-type]
            scheduler=False,
        ),
    }


def _operations() -> Iterator[Operation]:
    for service, (app, _) in _apps().items():
        for path, item in app.openapi()["paths"].items():
            if not path.startswith("/v1/"):
                continue  # operations routes (health, readiness, metrics) take no input
            for method in METHODS:
                if method in item:
                    yield Operation(service, method, path, item[method])


OPERATIONS = sorted(_operations(), key=str)


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer(ISSUER)


@pytest.fixture(scope="module")
async def clients(
    database_url: str, issuer: DevIssuer
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    from academy_runtime.settings import ServiceSettings

    built = {}
    for service, factory_settings in _settings_for(database_url).items():
        app, runtime = factory_settings()
        app.state.token_verifier = TokenVerifier(
            ServiceSettings(environment="test", oidc_issuer=ISSUER),
            jwks=JwksCache(
                f"{ISSUER}/jwks.json",
                ttl_s=600,
                transport=httpx.ASGITransport(app=create_issuer_app(issuer)),
            ),
        )
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        built[service] = (httpx.AsyncClient(transport=transport, base_url="http://svc"), runtime)
    yield {service: client for service, (client, _) in built.items()}
    for client, runtime in built.values():
        await client.aclose()
        await runtime.engine.dispose()


def _settings_for(database_url: str) -> dict[str, Any]:
    from assessment.app import create as create_assessment
    from assessment.settings import AssessmentSettings
    from audit_export.app import create as create_audit
    from audit_export.settings import AuditExportSettings
    from catalogue.app import create as create_catalogue
    from catalogue.settings import CatalogueSettings
    from release_bridge.app import create as create_bridge
    from release_bridge.settings import ReleaseBridgeSettings

    common: dict[str, Any] = {
        "environment": "test",
        "oidc_issuer": ISSUER,
        "database_url": database_url,
    }
    return {
        "catalogue": lambda: create_catalogue(CatalogueSettings(**common)),
        "assessment": lambda: create_assessment(AssessmentSettings(**common)),
        "release-bridge": lambda: create_bridge(ReleaseBridgeSettings(**common)),
        "audit-export": lambda: create_audit(AuditExportSettings(**common), scheduler=False),
    }


def _params(operation: Operation, where: str) -> list[dict[str, Any]]:
    return [p for p in operation.spec.get("parameters", []) if p.get("in") == where]


def _example(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    for source in (parameter, schema):
        examples = source.get("examples")
        if isinstance(examples, list) and examples:
            return str(examples[0])
        if isinstance(examples, dict) and examples:
            first = next(iter(examples.values()))
            return str(first.get("value", "x1")) if isinstance(first, dict) else str(first)
        if "example" in source:
            return str(source["example"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return "1"
    return "MGA" if "jurisdiction" in parameter["name"] else "x1"


def _url(operation: Operation, overrides: dict[str, str] | None = None) -> str:
    path = operation.path
    for parameter in _params(operation, "path"):
        value = (overrides or {}).get(parameter["name"], _example(parameter))
        path = path.replace("{" + parameter["name"] + "}", quote(value, safe=""))
    return path


def _body_properties(operation: Operation, document: dict[str, Any]) -> list[str]:
    content = operation.spec.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return [
        name
        for name, prop in schema.get("properties", {}).items()
        if _accepts_string(prop, document)
    ]


def _accepts_string(prop: dict[str, Any], document: dict[str, Any]) -> bool:
    if prop.get("type") == "string":
        return True
    return any(_accepts_string(option, document) for option in prop.get("anyOf", []))


def _token(issuer: DevIssuer, **claims: Any) -> dict[str, str]:
    """A token with every role from the staff tenant, `claims` overriding what it says."""
    token = issuer.mint(
        **{"sub": "sweeper", "operator_id": STAFF_TENANT, "groups": ALL_ROLES, **claims}
    )
    return {"Authorization": f"Bearer {token}"}


def _named(response: httpx.Response) -> list[str]:
    body = response.json()
    return [problem["field"] for problem in body.get("problems", [])]


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_malformed_claims_get_401_naming_the_claim(
    operation: Operation, clients: dict[str, httpx.AsyncClient], issuer: DevIssuer
) -> None:
    client = clients[operation.service]
    anonymous = await client.request(operation.method, _url(operation), json={})
    assert anonymous.status_code < 500, (str(operation), anonymous.text)
    if anonymous.status_code != 401:
        pytest.skip("route needs no token")
    for claims, claim in MALFORMED_CLAIMS:
        response = await client.request(
            operation.method, _url(operation), json={}, headers=_token(issuer, **claims)
        )
        assert response.status_code == 401, (str(operation), claims, response.text)
        body = response.json()
        assert (body["reason"], body["claim"]) == ("invalid_claim", claim), body
        assert repr(claim) in body["detail"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_hostile_text_in_every_field_gets_422_naming_it(
    operation: Operation, clients: dict[str, httpx.AsyncClient], issuer: DevIssuer
) -> None:
    client = clients[operation.service]
    headers = _token(issuer)
    document = _document(operation.service)
    for text in HOSTILE_TEXT:
        for parameter in _params(operation, "path"):
            name = parameter["name"]
            response = await client.request(
                operation.method, _url(operation, {name: text}), json={}, headers=headers
            )
            assert response.status_code == 422, (str(operation), name, response.text)
            assert f"path.{name}" in _named(response), response.text
        for parameter in _params(operation, "query"):
            name = parameter["name"]
            response = await client.request(
                operation.method, _url(operation), params={name: text}, json={}, headers=headers
            )
            assert response.status_code == 422, (str(operation), name, response.text)
            assert f"query.{name}" in _named(response), response.text
        for name in _body_properties(operation, document):
            response = await client.request(
                operation.method, _url(operation), json={name: text}, headers=headers
            )
            assert response.status_code == 422, (str(operation), name, response.text)
            assert name in _named(response), response.text
            assert "U+" in response.text or "NUL" in response.text
    if "requestBody" in operation.spec:
        for body in ([], "text", 3):
            response = await client.request(
                operation.method, _url(operation), json=body, headers=headers
            )
            assert response.status_code == 422, (str(operation), body, response.text)
            assert "body" in _named(response), response.text
    for name in _body_properties(operation, document):
        if name == "reason":
            response = await client.request(
                operation.method,
                _url(operation),
                json={name: "\u200b\u200b\u200b"},
                headers=headers,
            )
            assert response.status_code == 422, (str(operation), response.text)
            assert "reason" in _named(response)


_DOCUMENTS: dict[str, dict[str, Any]] = {}


def _document(service: str) -> dict[str, Any]:
    if not _DOCUMENTS:
        for name, (app, _) in _apps().items():
            _DOCUMENTS[name] = app.openapi()
    return _DOCUMENTS[service]


def test_the_sweep_covers_every_service_and_many_routes() -> None:
    services = {operation.service for operation in OPERATIONS}
    assert services == {"catalogue", "assessment", "release-bridge", "audit-export"}
    assert len(OPERATIONS) >= 35


#: A valid value for every body field the cross-tenant routes take.
VALID_FIELDS: dict[str, Any] = {
    "reason": "cross-tenant probe",
    "operator_id": "op-victim",
    "jurisdiction": "MGA",
    "jurisdictions": ["MGA"],
    "from": "2026-11-01",
    "to": "2026-11-02",
    "since": "2026-11-01T00:00:00Z",
    "until": "2026-11-02T00:00:00Z",
}


def _valid_body(operation: Operation, document: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.spec.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema.get("properties", {})
    missing = set(schema.get("required", [])) - set(VALID_FIELDS)
    assert not missing, f"{operation}: add valid values for {missing}"
    return {name: VALID_FIELDS[name] for name in properties if name in VALID_FIELDS}


def _cross_tenant(operation: Operation) -> bool:
    """Routes where a vendor role may act on another operator than the caller's."""
    if operation.service == "release-bridge":
        return operation.path.startswith("/v1/support/")
    return operation.service in ("assessment", "audit-export") and "{operator_id}" in operation.path


CROSS_TENANT_OPERATIONS = [operation for operation in OPERATIONS if _cross_tenant(operation)]


@pytest.mark.parametrize("operation", CROSS_TENANT_OPERATIONS, ids=str)
async def test_vendor_roles_from_a_customer_tenant_do_not_cross_tenants(
    operation: Operation, clients: dict[str, httpx.AsyncClient], issuer: DevIssuer
) -> None:
    client = clients[operation.service]
    url = _url(operation, {"operator_id": "op-victim"})
    foreign = _token(issuer, operator_id="op-mallory")  # every vendor role, wrong tenant
    body = _valid_body(operation, _document(operation.service))
    response = await client.request(operation.method, url, json=body, headers=foreign)
    assert response.status_code in (403, 404), (str(operation), response.text)


def test_every_cross_tenant_route_is_swept() -> None:
    by_service = {operation.service for operation in CROSS_TENANT_OPERATIONS}
    assert by_service == {"assessment", "release-bridge", "audit-export"}
    assert len(CROSS_TENANT_OPERATIONS) >= 15


def _runs_in_a_thread(call: Any) -> bool:
    """FastAPI runs a plain `def` (endpoint or dependency) in its thread pool: a thread hop
    and a GIL hand-over on every request."""
    if inspect.isclass(call):
        return False  # pydantic models and the like: built in place
    target = call if inspect.isroutine(call) else getattr(call, "__call__", call)  # noqa: B004
    return not (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target))


def test_every_endpoint_and_dependency_runs_on_the_event_loop() -> None:
    from fastapi.dependencies.models import Dependant
    from fastapi.routing import APIRoute

    def calls(container: Any) -> Iterator[tuple[str, Any]]:
        """Every endpoint and dependency, routers included (FastAPI keeps them apart)."""
        for route in container.routes:
            if isinstance(route, APIRoute):
                yield from ((route.path, call) for call in walk(route.dependant))
            elif hasattr(route, "original_router"):  # an included router
                for depends in route.include_context.dependencies:
                    yield route.include_context.prefix, depends.dependency
                yield from calls(route.original_router)

    def walk(dependant: Dependant) -> Iterator[Any]:
        yield dependant.call
        for sub in dependant.dependencies:
            yield from walk(sub)

    seen = [
        (service, path, call) for service, (app, _) in _apps().items() for path, call in calls(app)
    ]
    assert len(seen) > 100
    threaded = sorted(
        {
            f"{service} {path}: {getattr(call, '__qualname__', call)}"
            for service, path, call in seen
            if call is not None and _runs_in_a_thread(call)
        }
    )
    assert not threaded, threaded
