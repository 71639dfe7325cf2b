"""The AsyncAPI 3.0 document for every topic, generated from the models and `contracts.mesh`.

Regenerate with `python -m contracts.asyncapi` (or `make schemas`).
"""

import json
import sys
from pathlib import Path
from typing import Any

from contracts import topics
from contracts.mesh import PARTICIPANTS
from contracts.registry import EVENT_MODELS

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "asyncapi.json"

#: Which service produces and consumes which topic, from the declarations in `contracts.mesh`.
SERVICE_IO: dict[str, dict[str, list[str]]] = {
    p.name: {"produces": list(p.produces), "consumes": p.consumed_topics} for p in PARTICIPANTS
}

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka binary mode; the key is the operator id",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_tenantid",
        "content-type",
    ],
    "properties": {
        "ce_specversion": {"const": "1.0"},
        "ce_id": {"type": "string", "description": "unique event id; consumers dedupe on it"},
        "ce_source": {"type": "string", "examples": ["/academy/assessment"]},
        "ce_type": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string"},
        "ce_tenantid": {"type": "string", "description": "operator id (or _platform)"},
        "ce_traceparent": {"type": "string", "description": "W3C trace context"},
        "content-type": {"const": "application/json"},
    },
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")


def build() -> dict[str, Any]:
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    for topic in topics.ALL:
        channel_messages = {}
        for model in EVENT_MODELS:
            if model.topic != topic:
                continue
            name = model.ce_type.replace(".", "_")
            messages[name] = {
                "name": model.ce_type,
                "title": model.__name__,
                "summary": (model.__doc__ or model.__name__).strip().splitlines()[0],
                "contentType": "application/json",
                "headers": HEADERS_SCHEMA,
                "payload": model.model_json_schema(mode="serialization"),
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[_channel_id(topic)] = {"address": topic, "messages": channel_messages}
        channels[_channel_id(topics.dlq(topic))] = {
            "address": topics.dlq(topic),
            "description": "dead letters: the original record plus dlq-* error headers",
        }
    operations: dict[str, Any] = {}
    for participant in PARTICIPANTS:
        for topic in participant.produces:
            operations[f"{participant.name}_send_{_channel_id(topic)}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
                "summary": f"{participant.name} produces {topic}",
            }
        for consumes in participant.consumes:
            for topic in consumes.topics:
                channel = _channel_id(topic)
                acted_on = sorted(m.ce_type for m in consumes.types if m.topic == topic)
                operations[f"{participant.name}_receive_{channel}"] = {
                    "action": "receive",
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "summary": f"{participant.name} consumes {topic} ({consumes.name})",
                    "description": "acts on the messages listed; records of the channel's "
                    "other types are acknowledged without being read",
                    "messages": [
                        {"$ref": f"#/channels/{channel}/messages/{t.replace('.', '_')}"}
                        for t in acted_on
                    ],
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Licensing Academy events",
            "version": "1.0.0",
            "description": "Every Kafka topic of the mesh (generated from libs/contracts).",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    target.write_text(render())
    print(target)
