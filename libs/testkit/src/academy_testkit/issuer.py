"""Development OIDC issuer: serves a JWKS and mints RS256 tokens for demo staff.

For local runs and tests only; it listens on 127.0.0.1 and signs whatever it is asked to.
"""

import json
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

from academy_runtime.docs import offline_docs_app

AUDIENCE = "academy"


class DevIssuer:
    def __init__(self, issuer: str, *, key_file: Path | None = None, kid: str = "dev-1") -> None:
        self.issuer = issuer.rstrip("/")
        self.kid = kid
        self._key = _load_or_create(key_file)

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    def mint(
        self,
        *,
        sub: str,
        operator_id: str,
        groups: list[str],
        email: str | None = None,
        name: str | None = None,
        ttl_s: int = 3600,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": sub,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
            "jti": str(uuid.uuid4()),
            "email": email or f"{sub}@{operator_id}.example",
            "name": name or sub.replace(".", " ").title(),
            "operator_id": operator_id,
            "groups": groups,
        }
        claims.update(overrides)
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def private_key(self) -> rsa.RSAPrivateKey:
        return self._key


def _load_or_create(key_file: Path | None) -> rsa.RSAPrivateKey:
    if key_file is not None and key_file.exists():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_file.chmod(0o600)
    return key


class TokenRequest(BaseModel):
    sub: str = Field(examples=["alice"])
    operator_id: str = Field(examples=["demo-operator"])
    groups: list[str] = Field(default_factory=list, examples=[["compliance_officer"]])
    email: str | None = None
    name: str | None = None
    ttl_s: int = Field(default=3600, ge=1, le=7 * 24 * 3600)


def create_app(issuer: DevIssuer) -> FastAPI:
    app = offline_docs_app(title="Development OIDC issuer", version="1.0.0")

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer.issuer,
            "jwks_uri": f"{issuer.issuer}/jwks.json",
            "token_endpoint": f"{issuer.issuer}/token",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    @app.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    @app.post("/token")
    async def token(body: TokenRequest) -> dict[str, Any]:
        minted = issuer.mint(**body.model_dump())
        return {"access_token": minted, "token_type": "Bearer", "expires_in": body.ttl_s}

    @app.get("/token")
    async def token_for(
        sub: Annotated[str, Query()],
        operator_id: Annotated[str, Query()],
        groups: Annotated[str, Query(description="comma-separated roles")] = "",
        ttl_s: Annotated[int, Query(ge=1, le=7 * 24 * 3600)] = 3600,
    ) -> dict[str, Any]:
        roles = [g for g in groups.split(",") if g]
        minted = issuer.mint(sub=sub, operator_id=operator_id, groups=roles, ttl_s=ttl_s)
        return {"access_token": minted, "token_type": "Bearer", "expires_in": ttl_s}

    return app


def describe_demo_tokens(issuer_url: str) -> str:
    return json.dumps({"mint": f"{issuer_url}/token?sub=alice&operator_id=demo-operator"})
