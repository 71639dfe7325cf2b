from pathlib import Path

from contracts.registry import EVENT_MODELS
from contracts.schemas import DEFAULT_DIR, render_all


def test_checked_in_schemas_match_the_models() -> None:
    rendered = render_all()
    on_disk = {
        str(path.relative_to(DEFAULT_DIR)): path.read_text() for path in DEFAULT_DIR.rglob("*.json")
    }
    stale = sorted(name for name in rendered if on_disk.get(name) != rendered[name])
    orphaned = sorted(set(on_disk) - set(rendered))
    hint = "run `uv run python -m contracts.schemas` and commit libs/contracts/schemas"
    assert not stale, f"schemas drifted from code: {stale}; {hint}"
    assert not orphaned, f"schemas without a model: {orphaned}; {hint}"


def test_every_event_type_follows_the_naming_rule() -> None:
    for model in EVENT_MODELS:
        prefix, *_, version = model.ce_type.split(".")
        assert prefix in {"academy", "portal"}, model.ce_type
        assert version == "v1", model.ce_type
    assert Path(DEFAULT_DIR).is_dir()


def test_checked_in_asyncapi_document_matches_the_models() -> None:
    from contracts.asyncapi import DEFAULT_PATH, render

    assert DEFAULT_PATH.read_text() == render(), "run `make schemas` and commit asyncapi.json"
