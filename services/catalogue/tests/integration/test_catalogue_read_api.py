"""The read API over published versions: content, caching validators, errors, no answers."""

import json
from pathlib import Path

import pytest
from catalogue_it_kit import (
    CORE_RG_LESSON,
    MGA_LESSON,
    ReadApi,
    append,
    copy_bundled,
    publish_dir,
    replace,
)

from catalogue.domain.content import resolve

pytestmark = pytest.mark.integration

MGA_OFFICER = "/v1/jurisdictions/MGA/tracks/compliance_officer"
GSC_ANALYST = "/v1/jurisdictions/GSC/tracks/kyc_analyst"


async def test_reading_needs_a_bearer_token(api: ReadApi) -> None:
    response = await api.client.get("/v1/jurisdictions", headers={"Authorization": ""})

    assert response.status_code == 401
    assert response.json()["reason"] == "missing_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_before_the_first_publication_reads_say_how_to_publish(api: ReadApi) -> None:
    response = await api.client.get("/v1/jurisdictions")

    assert response.status_code == 404
    assert response.json() == {
        "error": "catalogue_not_published",
        "detail": "no catalogue version has been published yet; run `academy catalogue publish`",
    }


async def test_jurisdictions_answer_304_until_a_new_version_is_published(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = await publish_dir(api.runtime, root)

    listed = await api.client.get("/v1/jurisdictions")
    tag = listed.headers["ETag"]
    cached = await api.client.get("/v1/jurisdictions", headers={"If-None-Match": tag})
    append(root, MGA_LESSON, "New guidance.")
    await publish_dir(api.runtime, root)
    refreshed = await api.client.get("/v1/jurisdictions", headers={"If-None-Match": tag})

    assert listed.status_code == 200
    body = listed.json()
    assert body["catalogue_version"] == first.version
    assert [j["code"] for j in body["jurisdictions"]] == ["GCB", "GSC", "MGA", "UKGC"]
    assert tag == f'"{first.version}-r2"'
    assert listed.headers["Cache-Control"] == "private, no-cache"
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["ETag"] == tag
    assert refreshed.status_code == 200
    assert refreshed.headers["ETag"] != tag


async def test_the_current_track_has_ordered_modules_lessons_and_exam_rules_but_no_questions(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(api.runtime, root)
    track = resolve(root).track("MGA", "compliance_officer")

    response = await api.client.get(MGA_OFFICER)

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == track.version
    assert response.headers["ETag"] == f'"{track.version}-r2"'
    assert [m["id"] for m in body["modules"]] == [m.id for m in track.modules]
    kyc = next(m for m in body["modules"] if m["id"] == "kyc-cdd")
    assert kyc["lessons"][0]["id"] == "kyc-identify-and-verify"
    assert kyc["lessons"][0]["markdown"].startswith("# ")
    assert body["exam"]["pool_size"] == len(track.question_pool)
    assert body["exam"]["question_count"] == track.exam.question_count
    assert body["exam"]["required_modules"] == [m.id for m in track.modules]
    assert sum(body["exam"]["pool_by_module"].values()) == len(track.question_pool)
    text = response.text
    assert not any(q.text in text or q.explanation in text for q in track.question_pool)
    assert '"correct"' not in text
    assert '"options"' not in text


async def test_a_tracks_completion_rule_is_shown_and_older_versions_keep_theirs(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(api.runtime, root)
    before = (await api.client.get(GSC_ANALYST)).json()
    replace(
        root,
        "jurisdictions/GSC/jurisdiction.yaml",
        "      question_count: 25\n",
        "      question_count: 25\n      required_modules: [gsc-aml-cft, kyc-cdd]\n",
    )
    await publish_dir(api.runtime, root)

    after = (await api.client.get(GSC_ANALYST)).json()
    old = await api.client.get(f"/v1/tracks/GSC.kyc_analyst/versions/{before['version']}")

    assert after["version"] != before["version"]
    assert after["exam"]["required_modules"] == ["kyc-cdd", "gsc-aml-cft"]
    assert before["exam"]["required_modules"] == [m["id"] for m in before["modules"]]
    assert old.json()["exam"]["required_modules"] == before["exam"]["required_modules"]


async def test_a_track_at_a_version_is_immutable_and_outlives_newer_publications(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(api.runtime, root)
    old = (await api.client.get(MGA_OFFICER)).json()
    append(root, MGA_LESSON, "Revised guidance.")
    await publish_dir(api.runtime, root)

    current = (await api.client.get(MGA_OFFICER)).json()
    pinned = await api.client.get(f"/v1/tracks/MGA.compliance_officer/versions/{old['version']}")
    again = await api.client.get(
        f"/v1/tracks/MGA.compliance_officer/versions/{old['version']}",
        headers={"If-None-Match": f'W/"nope", {pinned.headers["ETag"]}'},
    )

    assert current["version"] != old["version"]
    assert pinned.status_code == 200
    assert pinned.json() == old
    assert pinned.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert again.status_code == 304


async def test_unknown_jurisdictions_roles_and_versions_get_404s_naming_what_exists(
    api: ReadApi, tmp_path: Path
) -> None:
    await publish_dir(api.runtime, copy_bundled(tmp_path))

    no_code = await api.client.get("/v1/jurisdictions/XX/tracks/mlro")
    no_role = await api.client.get("/v1/jurisdictions/MGA/tracks/croupier")
    no_version = await api.client.get(f"/v1/tracks/MGA.mlro/versions/{'0' * 64}")
    no_track = await api.client.get("/v1/tracks/MGA.croupier/versions")

    assert no_code.status_code == 404
    assert no_code.json() == {
        "error": "jurisdiction_not_found",
        "detail": "jurisdiction 'XX' is not in the current catalogue; known: GCB, GSC, MGA, UKGC",
    }
    assert no_role.json()["error"] == "track_not_found"
    assert "compliance_officer, mlro, kyc_analyst, customer_support" in no_role.json()["detail"]
    assert no_version.status_code == 404
    assert no_version.json()["error"] == "track_version_not_found"
    assert "GET /v1/tracks/MGA.mlro/versions lists its versions" in no_version.json()["detail"]
    assert no_track.status_code == 404


async def test_malformed_path_values_get_422_listing_the_fields_to_fix(
    api: ReadApi, tmp_path: Path
) -> None:
    await publish_dir(api.runtime, copy_bundled(tmp_path))

    lower = await api.client.get("/v1/jurisdictions/mga/tracks/Compliance")
    short = await api.client.get("/v1/tracks/MGA.mlro/versions/abc123")

    assert lower.status_code == 422
    assert lower.json()["error"] == "invalid_request"
    assert {p["field"] for p in lower.json()["problems"]} == {"path.code", "path.role"}
    assert short.status_code == 422
    assert short.json()["problems"][0]["field"] == "path.version"


async def test_track_history_lists_each_version_once_and_marks_the_current_one(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = await publish_dir(api.runtime, root)
    append(root, CORE_RG_LESSON, "Unrelated to MLROs.")
    await publish_dir(api.runtime, root)  # MGA.mlro does not teach responsible gambling
    append(root, MGA_LESSON, "Relevant to MLROs.")
    third = await publish_dir(api.runtime, root)

    response = await api.client.get("/v1/tracks/MGA.mlro/versions")

    assert response.status_code == 200
    versions = response.json()["versions"]
    assert [v["version"] for v in versions] == [
        resolve(copy_bundled(tmp_path, "original")).track("MGA", "mlro").version,
        resolve(root).track("MGA", "mlro").version,
    ]
    assert [
        (v["first_published"]["publication"], v["last_published"]["publication"]) for v in versions
    ] == [(1, 2), (3, 3)]
    assert [v["current"] for v in versions] == [False, True]
    assert versions[0]["first_published"]["catalogue_version"] == first.version
    assert versions[1]["first_published"]["catalogue_version"] == third.version
    assert response.headers["ETag"] == f'"{third.version}-3-r2"'


async def test_module_history_shows_a_core_modules_versions_per_jurisdiction(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(api.runtime, root)
    append(root, "core/modules/kyc-cdd/lessons/02-risk-profiles-and-edd.md", "More on EDD.")
    await publish_dir(api.runtime, root)

    everywhere = (await api.client.get("/v1/modules/kyc-cdd/history")).json()
    malta = (await api.client.get("/v1/modules/kyc-cdd/history?jurisdiction=MGA")).json()
    unknown = await api.client.get("/v1/modules/no-such-module/history")

    # MGA replaces a kyc-cdd lesson, so Malta teaches its own version of the core module
    assert [(v["jurisdictions"], v["current"]) for v in everywhere["versions"]] == [
        (["GCB", "GSC", "UKGC"], False),
        (["MGA"], False),
        (["GCB", "GSC", "UKGC"], True),
        (["MGA"], True),
    ]
    assert {v["origin"] for v in everywhere["versions"]} == {"core"}
    assert [v["version"] for v in malta["versions"]] == [
        v["version"] for v in everywhere["versions"] if v["jurisdictions"] == ["MGA"]
    ]
    assert malta["jurisdiction"] == "MGA"
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "module_not_found"


async def test_release_policies_list_required_roles_and_tooling_with_titles(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    published = await publish_dir(api.runtime, root)

    response = await api.client.get("/v1/release-policies")

    assert response.status_code == 200
    body = response.json()
    assert body["catalogue_version"] == published.version
    mga = next(p for p in body["policies"] if p["jurisdiction"] == "MGA")
    assert mga["requirements"] == [{"role": "compliance_officer", "count": 1}]
    assert mga["tooling"] == [
        {"id": "mga-licensing-suite", "title": "Licensing tooling for Malta (MGA)"}
    ]
    assert mga["revoke_on_lapse"] is True
    assert mga["version"] == resolve(root).jurisdiction("MGA").release_policy.version
    detail = (await api.client.get("/v1/jurisdictions/MGA")).json()
    assert detail["release_policy"] == mga


async def test_publications_are_listed_newest_first_and_page_backwards(
    api: ReadApi, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = await publish_dir(api.runtime, root)
    append(root, MGA_LESSON, "Second.")
    second = await publish_dir(api.runtime, root)

    page = (await api.client.get("/v1/catalogue/publications?limit=1")).json()
    older = (await api.client.get("/v1/catalogue/publications?before=2")).json()

    assert page["latest"] == 2
    assert [(p["publication"], p["catalogue_version"]) for p in page["publications"]] == [
        (2, second.version)
    ]
    assert page["publications"][0]["previous_version"] == first.version
    assert page["publications"][0]["events"] == len(second.events)
    assert [p["publication"] for p in older["publications"]] == [1]


async def test_openapi_documents_auth_validators_errors_and_examples_for_every_read(
    api: ReadApi,
) -> None:
    document = (await api.client.get("/openapi.json")).json()
    reads = {path: ops["get"] for path, ops in document["paths"].items() if path.startswith("/v1/")}

    assert len(reads) == 8
    for path, operation in reads.items():
        responses = operation["responses"]
        assert {"200", "304", "401", "404", "422"} <= set(responses), path
        assert set(responses["200"]["headers"]) == {"ETag", "Cache-Control"}, path
        assert "example" in responses["404"]["content"]["application/json"], path
        assert operation["security"] == [{"PortalBearer": []}], path
        assert any(p["name"] == "if-none-match" for p in operation["parameters"]), path
    schemas = json.dumps(document["components"]["schemas"])
    assert '"correct"' not in schemas
    assert "examples" in document["components"]["schemas"]["TrackView"]["properties"]["track_key"]
