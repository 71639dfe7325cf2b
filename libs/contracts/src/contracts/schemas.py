"""Generate the checked-in JSON Schemas: `python -m contracts.schemas [DIR]`."""

import json
import sys
from pathlib import Path

from contracts.registry import EVENT_MODELS
from contracts.webhooks import WEBHOOK_MODELS

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas"


def render_all() -> dict[str, str]:
    """File name -> schema text for every event and webhook model."""
    out: dict[str, str] = {}
    for model in EVENT_MODELS:
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"urn:academy:event:{model.ce_type}"
        schema["x-topic"] = model.topic
        out[f"events/{model.ce_type}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    for webhook in WEBHOOK_MODELS:
        type_name = webhook.model_fields["type"].default
        schema = webhook.model_json_schema(mode="serialization")
        schema["$id"] = f"urn:academy:webhook:{type_name}"
        out[f"webhooks/{type_name}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def write_all(directory: Path) -> list[Path]:
    written = []
    for name, text in render_all().items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    for path in write_all(target):
        print(path)
