"""Bearer-token verification against a real JWKS served by the development issuer."""

import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, FastAPI
from sqlalchemy import MetaData

from academy_runtime.app import build_app
from academy_runtime.auth import CurrentPrincipal, JwksCache, TokenVerifier, require_roles
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_testkit.issuer import DevIssuer, create_app

ISSUER = "http://issuer.test"


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer(ISSUER)


def _app(issuer: DevIssuer) -> FastAPI:
    settings = ServiceSettings(environment="test", oidc_issuer=ISSUER, oidc_audience="academy")
    runtime = ServiceRuntime(settings, schema="authtest", metadata=MetaData(schema="authtest"))
    router = APIRouter()

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, object]:
        return {"staff": principal.staff_id, "operator": principal.operator_id}

    @router.get("/support-only", dependencies=[require_roles("academy_support")])
    async def support_only() -> dict[str, str]:
        return {"ok": "yes"}

    app = build_app(runtime, title="t", description="t", routers=[router])
    transport = httpx.ASGITransport(app=create_app(issuer))
    app.state.token_verifier = TokenVerifier(
        settings, jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport)
    )
    return app


@pytest.fixture
async def client(issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(issuer))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as c:
        yield c


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": "academy",
        "sub": "alice",
        "exp": now + 600,
        "nbf": now,
        "operator_id": "op-a",
        "groups": ["compliance_officer"],
    }
    claims.update(overrides)
    return claims


async def test_valid_token_passes_and_maps_claims(client, issuer) -> None:  # type: ignore[no-untyped-def]
    token = issuer.mint(sub="alice", operator_id="op-a", groups=["compliance_officer"])
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"staff": "alice", "operator": "op-a"}


def _forged(issuer: DevIssuer, case: str) -> str:
    key = issuer.private_key()
    if case == "alg_none":
        return jwt.encode(_claims(), None, algorithm="none", headers={"kid": issuer.kid})  # type: ignore[arg-type]
    if case == "hs256":
        return jwt.encode(
            _claims(),
            "shared-secret-long-enough-32-bytes!",
            algorithm="HS256",
            headers={"kid": issuer.kid},
        )
    if case == "wrong_iss":
        return jwt.encode(
            _claims(iss="http://evil.test"), key, algorithm="RS256", headers={"kid": issuer.kid}
        )
    if case == "wrong_aud":
        return jwt.encode(
            _claims(aud="someone-else"), key, algorithm="RS256", headers={"kid": issuer.kid}
        )
    if case == "unknown_kid":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(_claims(), other, algorithm="RS256", headers={"kid": "rotated-away"})
    if case == "expired":
        past = int(time.time()) - 3600
        return jwt.encode(
            _claims(exp=past, nbf=past - 60), key, algorithm="RS256", headers={"kid": issuer.kid}
        )
    if case == "wrong_key_same_kid":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(_claims(), other, algorithm="RS256", headers={"kid": issuer.kid})
    if case == "future_nbf":
        soon = int(time.time()) + 3600
        return jwt.encode(_claims(nbf=soon), key, algorithm="RS256", headers={"kid": issuer.kid})
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("alg_none", "alg_not_allowed"),
        ("hs256", "alg_not_allowed"),
        ("wrong_iss", "wrong_issuer"),
        ("wrong_aud", "wrong_audience"),
        ("unknown_kid", "unknown_kid"),
        ("expired", "expired"),
        ("wrong_key_same_kid", "invalid_signature"),
        ("future_nbf", "not_yet_valid"),
    ],
)
async def test_bad_tokens_get_401_with_a_clear_body(client, issuer, case, reason) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/me", headers={"Authorization": f"Bearer {_forged(issuer, case)}"})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized"
    assert body["reason"] == reason
    assert body["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_missing_token_gets_401_saying_how_to_send_one(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/me")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


async def test_wrong_role_gets_403(client, issuer) -> None:  # type: ignore[no-untyped-def]
    token = issuer.mint(sub="alice", operator_id="op-a", groups=["compliance_officer"])
    response = await client.get("/support-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "academy_support" in response.json()["detail"]


async def test_metrics_count_rejections_by_reason(client, issuer) -> None:  # type: ignore[no-untyped-def]
    await client.get("/me", headers={"Authorization": f"Bearer {_forged(issuer, 'expired')}"})
    metrics = (await client.get("/metrics")).text
    assert 'academy_auth_failures_total{reason="expired"}' in metrics


async def test_jwks_is_refetched_when_a_token_names_a_new_kid() -> None:
    settings = ServiceSettings(environment="test", oidc_issuer=ISSUER)
    first = DevIssuer(ISSUER, kid="k1")
    current = {"issuer": first}

    async def jwks_handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=current["issuer"].jwks())

    cache = JwksCache(
        f"{ISSUER}/jwks.json",
        ttl_s=600,
        min_refresh_s=0,
        transport=httpx.MockTransport(jwks_handler),
    )
    verifier = TokenVerifier(settings, jwks=cache)
    assert (await verifier.verify(first.mint(sub="a", operator_id="op", groups=[]))).staff_id == "a"
    rotated = DevIssuer(ISSUER, kid="k2")
    current["issuer"] = rotated
    principal = await verifier.verify(rotated.mint(sub="b", operator_id="op", groups=[]))
    assert principal.staff_id == "b"


@pytest.mark.parametrize(
    ("claims", "claim"),
    [
        ({"groups": 7}, "groups"),
        ({"groups": True}, "groups"),
        ({"groups": ["compliance_officer", 3]}, "groups"),
        ({"groups": {"role": "academy_admin"}}, "groups"),
        ({"groups": ["g"] * 201}, "groups"),
        ({"groups": ["x" * 257]}, "groups"),
        ({"groups": ["bad\x00group"]}, "groups"),
        ({"operator_id": 12}, "operator_id"),
        ({"operator_id": ["op-a"]}, "operator_id"),
        ({"operator_id": "опер"}, "operator_id"),
        ({"operator_id": "op with space"}, "operator_id"),
        ({"operator_id": "o" * 300}, "operator_id"),
        ({"operator_id": "op\x00a"}, "operator_id"),
        ({"sub": ""}, "sub"),
        ({"sub": "has space"}, "sub"),
        ({"sub": "a\x00b"}, "sub"),
        ({"sub": 42}, "sub"),
        ({"name": "Ali\x00ce"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": ["Alice"]}, "name"),
        ({"email": "a\x1b[31m@x"}, "email"),
        ({"email": 5}, "email"),
    ],
)
async def test_claims_outside_the_identifier_rules_get_401_naming_the_claim(  # type: ignore[no-untyped-def]
    client, issuer, claims, claim
) -> None:
    token = jwt.encode(
        _claims(**claims), issuer.private_key(), algorithm="RS256", headers={"kid": issuer.kid}
    )
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["reason"] == "invalid_claim"
    assert body["claim"] == claim
    assert repr(claim) in body["detail"]


async def test_missing_operator_claim_is_named(client, issuer) -> None:  # type: ignore[no-untyped-def]
    claims = _claims()
    del claims["operator_id"]
    token = jwt.encode(claims, issuer.private_key(), algorithm="RS256", headers={"kid": issuer.kid})
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["reason"] == "missing_claim"
    assert response.json()["claim"] == "operator_id"


async def test_groups_that_are_not_roles_are_ignored_not_refused(issuer) -> None:  # type: ignore[no-untyped-def]
    verifier = _verifier(issuer)
    token = issuer.mint(sub="a", operator_id="op-a", groups=["Everyone", "compliance_officer"])
    principal = await verifier.verify(token)
    assert principal.roles == frozenset({"compliance_officer"})


@pytest.mark.parametrize("role", ["academy_support", "academy_admin"])
async def test_cross_tenant_roles_count_only_from_the_staff_tenant(issuer, role) -> None:  # type: ignore[no-untyped-def]
    verifier = _verifier(issuer)
    vendor = await verifier.verify(
        issuer.mint(sub="s", operator_id="academy-vendor", groups=[role])
    )
    assert vendor.has_role(role)
    foreign = await verifier.verify(
        issuer.mint(sub="s", operator_id="op-a", groups=[role, "operator_admin"])
    )
    assert not foreign.has_role(role)
    assert foreign.roles == frozenset({"operator_admin"})


async def test_the_staff_tenant_is_a_setting(issuer) -> None:  # type: ignore[no-untyped-def]
    verifier = _verifier(issuer, staff_tenant="vendor-staff")
    principal = await verifier.verify(
        issuer.mint(sub="s", operator_id="vendor-staff", groups=["academy_support"])
    )
    assert principal.has_role("academy_support")
    other = await verifier.verify(
        issuer.mint(sub="s", operator_id="academy-vendor", groups=["academy_support"])
    )
    assert not other.has_role("academy_support")


async def test_support_route_refuses_support_group_from_a_customer_tenant(client, issuer) -> None:  # type: ignore[no-untyped-def]
    token = issuer.mint(sub="mallory", operator_id="op-a", groups=["academy_support"])
    response = await client.get("/support-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def _verifier(issuer: DevIssuer, **settings: object) -> TokenVerifier:
    config = ServiceSettings(environment="test", oidc_issuer=ISSUER, **settings)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=create_app(issuer))
    return TokenVerifier(
        config, jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport)
    )
