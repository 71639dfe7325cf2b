"""The catalogue read API: thin routes over the reading handlers, every answer with an ETag.

Content is not tenant data, so any authenticated caller may read it. The question bank is
never served here (only exam rules and pool sizes); the assessment service gets questions
and answers from `academy.catalogue.v1` only.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPBearer

from academy_runtime.auth import current_principal
from academy_runtime.uow import unit_of_work
from catalogue.adapters.unit_of_work import SqlCatalogueUnit
from catalogue.entrypoints import examples
from catalogue.entrypoints.errors import error_responses
from catalogue.entrypoints.http_cache import (
    IMMUTABLE,
    REVALIDATE,
    IfNoneMatch,
    cache_responses,
    conditional,
    etag,
)
from catalogue.entrypoints.schemas import (
    JurisdictionDetail,
    JurisdictionList,
    JurisdictionSummary,
    ModuleHistory,
    PublicationList,
    PublicationView,
    ReleasePolicyList,
    ReleasePolicyView,
    TrackHistory,
    TrackView,
    module_span_entry,
    span_entry,
)
from catalogue.service import reading
from catalogue.service.catalogue_cache import CatalogueCache
from catalogue.service.ports import CatalogueUnit
from contracts import identifiers

#: Documents the bearer scheme in OpenAPI; verification itself is `current_principal`'s job.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="PortalBearer",
    description="The portal's Okta access token (JWT, RS256/ES256); any role may read content.",
)

router = APIRouter(
    prefix="/v1",
    tags=["catalogue"],
    dependencies=[Depends(bearer_scheme), Depends(current_principal)],
    responses={**error_responses(401, 404, 422), **cache_responses()},
)

CODE = identifiers.JURISDICTION_PATTERN
ROLE = identifiers.ROLE_PATTERN

CodePath = Annotated[str, Path(pattern=CODE, examples=["MGA"], description="jurisdiction code")]
RolePath = Annotated[str, Path(pattern=ROLE, examples=["compliance_officer"])]
TrackKeyPath = Annotated[
    str,
    Path(
        pattern=identifiers.TRACK_KEY_PATTERN,
        description="'{jurisdiction}.{role}'",
        examples=["MGA.compliance_officer"],
    ),
]
VersionPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{64}$",
        description="full content version (64 hex digits), as in a track's `version`",
        examples=["5b0d6f1c2a9e4e7f8a3b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f"],
    ),
]
ModulePath = Annotated[str, Path(pattern=identifiers.CONTENT_ID_PATTERN, examples=["kyc-cdd"])]


async def _cache(request: Request) -> CatalogueCache:  # async: no thread hop per request
    cache: CatalogueCache = request.app.state.catalogue_cache
    return cache


UowDep = Annotated[CatalogueUnit, unit_of_work(SqlCatalogueUnit)]
CacheDep = Annotated[CatalogueCache, Depends(_cache)]


@router.get(
    "/jurisdictions",
    response_model=JurisdictionList,
    responses=examples.ok(examples.JURISDICTIONS),
    summary="Jurisdictions of the latest catalogue, with their tracks",
)
async def list_jurisdictions(
    uow: UowDep, cache: CacheDep, response: Response, if_none_match: IfNoneMatch = None
) -> Any:
    current = await reading.current(uow=uow, cache=cache)
    catalogue = current.catalogue
    tag = etag(catalogue.version)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    return JurisdictionList(
        catalogue_version=catalogue.version,
        notice=catalogue.notice,
        jurisdictions=[JurisdictionSummary.of(j, catalogue) for j in catalogue.jurisdictions],
    )


@router.get(
    "/jurisdictions/{code}",
    response_model=JurisdictionDetail,
    summary="One jurisdiction: regulator, tracks and release policy",
)
async def get_jurisdiction(
    code: CodePath,
    uow: UowDep,
    cache: CacheDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> Any:
    current, jurisdiction = await reading.jurisdiction(code, uow=uow, cache=cache)
    catalogue = current.catalogue
    tag = etag(catalogue.version)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    summary = JurisdictionSummary.of(jurisdiction, catalogue)
    return JurisdictionDetail(
        **summary.model_dump(),
        catalogue_version=catalogue.version,
        release_policy=ReleasePolicyView.of(jurisdiction.release_policy, catalogue.tooling),
    )


@router.get(
    "/jurisdictions/{code}/tracks/{role}",
    response_model=TrackView,
    responses=examples.ok(examples.TRACK_VIEW),
    summary="The latest resolved track for a jurisdiction and role",
)
async def get_current_track(
    code: CodePath,
    role: RolePath,
    uow: UowDep,
    cache: CacheDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> Any:
    track = await reading.track(code, role, uow=uow, cache=cache)
    tag = etag(track.version)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    return TrackView.of(track)


@router.get(
    "/tracks/{track_key}/versions",
    response_model=TrackHistory,
    responses=examples.ok(examples.TRACK_HISTORY),
    summary="Every published version of a track, oldest first",
)
async def get_track_history(
    track_key: TrackKeyPath,
    uow: UowDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> Any:
    history = await reading.track_history(track_key, uow=uow)
    tag = etag(history.latest.version, history.latest.seq)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    return TrackHistory(track_key=track_key, versions=[span_entry(s) for s in history.spans])


@router.get(
    "/tracks/{track_key}/versions/{version}",
    response_model=TrackView,
    responses=examples.ok(examples.TRACK_VIEW),
    summary="A track at a given version (immutable)",
)
async def get_track_at_version(
    track_key: TrackKeyPath,
    version: VersionPath,
    uow: UowDep,
    cache: CacheDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> Any:
    track = await reading.track_at(track_key, version, uow=uow, cache=cache)
    tag = etag(track.version)
    if early := conditional(response, if_none_match, tag=tag, cache_control=IMMUTABLE):
        return early
    return TrackView.of(track)


@router.get(
    "/modules/{module_id}/history",
    response_model=ModuleHistory,
    responses=examples.ok(examples.MODULE_HISTORY),
    summary="Versions of a module across published catalogue versions",
    description="A core module can differ per jurisdiction (overrides), so each version lists "
    "the jurisdictions that taught it. Filter with `jurisdiction` for one jurisdiction's view.",
)
async def get_module_history(
    module_id: ModulePath,
    uow: UowDep,
    response: Response,
    jurisdiction: Annotated[str | None, Query(pattern=CODE, examples=["MGA"])] = None,
    if_none_match: IfNoneMatch = None,
) -> Any:
    history = await reading.module_history(module_id, jurisdiction, uow=uow)
    tag = etag(history.latest.version, history.latest.seq)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    return ModuleHistory(
        module_id=module_id,
        jurisdiction=jurisdiction,
        versions=[module_span_entry(s) for s in history.spans],
    )


@router.get(
    "/release-policies",
    response_model=ReleasePolicyList,
    summary="Release policies of every jurisdiction in the latest catalogue",
)
async def list_release_policies(
    uow: UowDep, cache: CacheDep, response: Response, if_none_match: IfNoneMatch = None
) -> Any:
    catalogue = (await reading.current(uow=uow, cache=cache)).catalogue
    tag = etag(catalogue.version)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    return ReleasePolicyList(
        catalogue_version=catalogue.version,
        policies=[ReleasePolicyView.of(p, catalogue.tooling) for p in catalogue.release_policies],
    )


@router.get(
    "/catalogue/publications",
    response_model=PublicationList,
    summary="The publication history, newest first",
)
async def list_publications(
    uow: UowDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="page back: publications below this")
    ] = None,
    if_none_match: IfNoneMatch = None,
) -> Any:
    latest, page = await reading.publications(uow=uow, limit=limit, before=before)
    tag = etag(latest.version, latest.seq)
    if early := conditional(response, if_none_match, tag=tag, cache_control=REVALIDATE):
        return early
    return PublicationList(
        latest=latest.seq, publications=[PublicationView.of_publication(p) for p in page]
    )
