"""OIDC bearer-token verification: JWKS fetched and cached, RS256/ES256 only.

The JWKS is refreshed when a token names an unknown `kid` (at most once per
`min_refresh_s`, so a flood of bogus kids cannot hammer the issuer).
"""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from academy_runtime.errors import ErrorBody
from academy_runtime.settings import ServiceSettings
from academy_runtime.text import unstorable
from contracts import identifiers

ALLOWED_ALGORITHMS = ("RS256", "ES256")


#: Roles that act across tenants; they count only in tokens of the vendor's own staff tenant.
CROSS_TENANT_ROLES: Final = frozenset({"academy_support", "academy_admin", "academy_auditor"})
#: Bounds on claims we store or log: a claim beyond them is refused, never truncated.
MAX_NAME_CHARS: Final = 200
MAX_EMAIL_CHARS: Final = 320
MAX_GROUPS: Final = 200
MAX_GROUP_CHARS: Final = 256


class AuthError(Exception):
    """A token was rejected; `reason` is a short stable label, `detail` says what to fix."""

    def __init__(
        self, reason: str, detail: str, *, status: int = 401, claim: str | None = None
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status
        self.claim = claim


@dataclass(frozen=True)
class Principal:
    """The signed-in caller, with claims mapped by configuration."""

    staff_id: str
    operator_id: str
    email: str
    name: str
    roles: frozenset[str]
    claims: dict[str, Any] = field(default_factory=dict, compare=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def actor(self) -> str:
        return f"{self.staff_id} <{self.email}>" if self.email else self.staff_id


class JwksCache:
    def __init__(
        self,
        url: str,
        *,
        ttl_s: int,
        min_refresh_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._transport = transport
        self._ttl = ttl_s
        self._min_refresh = min_refresh_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        if time.monotonic() - self._fetched_at > self._ttl or kid not in self._keys:
            await self._refresh(force=kid not in self._keys)
        try:
            return self._keys[kid]
        except KeyError:
            raise AuthError("unknown_kid", f"token signed with unknown key id {kid!r}") from None

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age < self._min_refresh and (force or age < self._ttl):
                return
            try:
                async with httpx.AsyncClient(timeout=5.0, transport=self._transport) as client:
                    response = await client.get(self._url)
                    response.raise_for_status()
                    document = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                if self._keys:
                    return  # keep serving with the keys we have
                raise AuthError(
                    "jwks_unavailable", f"cannot fetch signing keys: {exc}", status=503
                ) from exc
            keys = {}
            for entry in document.get("keys", []):
                if entry.get("kid") and entry.get("alg", "RS256") in ALLOWED_ALGORITHMS:
                    keys[entry["kid"]] = jwt.PyJWK(entry)
            self._keys = keys
            self._fetched_at = time.monotonic()


class TokenVerifier:
    def __init__(self, settings: ServiceSettings, *, jwks: JwksCache | None = None) -> None:
        self._settings = settings
        self._jwks = jwks or JwksCache(settings.jwks_url, ttl_s=settings.oidc_jwks_cache_s)

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("malformed", f"bearer token is not a JWT: {exc}") from exc
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise AuthError(
                "alg_not_allowed", f"token alg {alg!r} not allowed; use one of RS256, ES256"
            )
        kid = header.get("kid")
        if not kid:
            raise AuthError("missing_kid", "token header has no kid")
        key = await self._jwks.key(kid)
        s = self._settings
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=s.oidc_audience,
                issuer=s.oidc_issuer,
                leeway=s.oidc_leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"], "verify_nbf": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("expired", "token has expired; sign in again") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError("not_yet_valid", "token is not valid yet (nbf in the future)") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("wrong_issuer", f"token issuer is not {s.oidc_issuer}") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError("wrong_audience", f"token audience is not {s.oidc_audience}") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError("missing_claim", str(exc), claim=exc.claim) from exc
        except jwt.exceptions.InvalidSubjectError as exc:
            raise AuthError("invalid_claim", "claim 'sub' must be a string", claim="sub") from exc
        except jwt.PyJWTError as exc:
            raise AuthError("invalid_signature", f"token rejected: {exc}") from exc
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        """Map claims by configuration; refuse any claim a later service could not carry."""
        s = self._settings
        operator = _identifier(claims, s.claim_operator_id, identifiers.OPERATOR)
        roles = frozenset(
            group for group in _groups(claims, s.claim_groups) if identifiers.ROLE.matches(group)
        )
        if operator != s.staff_tenant:
            roles -= CROSS_TENANT_ROLES
        return Principal(
            staff_id=_identifier(claims, s.claim_staff_id, identifiers.STAFF),
            operator_id=operator,
            email=_text(claims, s.claim_email, MAX_EMAIL_CHARS),
            name=_text(claims, s.claim_name, MAX_NAME_CHARS),
            roles=roles,
            claims=claims,
        )


def _invalid(claim: str, problem: str) -> AuthError:
    return AuthError("invalid_claim", f"claim {claim!r} {problem}", claim=claim)


def _identifier(claims: dict[str, Any], claim: str, kind: identifiers.Kind) -> str:
    value = claims.get(claim)
    if value is None:
        raise AuthError("missing_claim", f"token has no {claim!r} claim", claim=claim)
    problem = kind.problem(value)
    if problem:
        raise _invalid(claim, problem)
    result: str = value
    return result


def _text(claims: dict[str, Any], claim: str, max_chars: int) -> str:
    """An optional display claim (name, e-mail): a storable string of bounded length."""
    value = claims.get(claim)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(claim, f"must be a string, got {type(value).__name__}")
    if len(value) > max_chars:
        raise _invalid(claim, f"is longer than {max_chars} characters")
    problem = unstorable(value)
    if problem:
        raise _invalid(claim, problem)
    return value.strip()


def _groups(claims: dict[str, Any], claim: str) -> list[str]:
    """The groups claim: a string or a list of strings; groups that are not roles are ignored."""
    value = claims.get(claim)
    if value is None:
        return []
    groups = [value] if isinstance(value, str) else value
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise _invalid(claim, "must be a list of strings")
    if len(groups) > MAX_GROUPS:
        raise _invalid(claim, f"has more than {MAX_GROUPS} entries")
    for group in groups:
        problem = unstorable(group) or (
            f"has an entry longer than {MAX_GROUP_CHARS} characters"
            if len(group) > MAX_GROUP_CHARS
            else None
        )
        if problem:
            raise _invalid(claim, problem)
    return groups


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("missing_token", "send 'Authorization: Bearer <token>'")
    return token.strip()


async def current_principal(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(_bearer(request))
    except AuthError as exc:
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.auth_failures.labels(exc.reason).inc()
        raise
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


#: Who may read an operator's views (readiness, team progress, releases): its compliance
#: officers and admins, and the vendor's cross-tenant roles (which count only in the vendor's
#: own tokens, see `Principal`).
OPERATOR_VIEW_ROLES: Final = ("compliance_officer", "operator_admin", *sorted(CROSS_TENANT_ROLES))


def require_operator(principal: Principal, operator_id: str) -> None:
    """Operator staff see only their own operator; the vendor's cross-tenant roles see any."""
    if principal.has_role(*CROSS_TENANT_ROLES) or principal.operator_id == operator_id:
        return
    raise AuthError(
        "foreign_operator",
        f"your sign-in belongs to operator {principal.operator_id}; you may only view that "
        f"operator, not {operator_id}",
        status=403,
    )


def require_roles(*roles: str) -> Any:
    """Dependency: the caller must hold one of `roles` (403 otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise AuthError(
                "forbidden", f"requires one of the roles: {', '.join(roles)}", status=403
            )
        return principal

    return Depends(check)


def auth_error_response(exc: AuthError) -> JSONResponse:
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = (
            f'Bearer error="invalid_token", error_description="{exc.reason}"'
        )
    error = {401: "unauthorized", 503: "unavailable"}.get(exc.status, "forbidden")
    body = ErrorBody(error=error, reason=exc.reason, detail=exc.detail, claim=exc.claim or None)
    return JSONResponse(body.body(), status_code=exc.status, headers=headers)
