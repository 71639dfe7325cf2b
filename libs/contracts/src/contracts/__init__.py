"""Licensing Academy contracts: event and webhook models, topic names, CloudEvents encoding.

Pydantic only, so the portal team can depend on it.
"""

from contracts import assessment, audit, catalogue, portal, release, topics, webhooks
from contracts.base import EventData, format_time
from contracts.cloudevents import Envelope, EnvelopeError, KafkaRecord, decode, encode
from contracts.common import Evidence, Override, ReleasePolicy, RoleRequirement
from contracts.registry import BY_TYPE, EVENT_MODELS, model_for

__all__ = [
    "BY_TYPE",
    "EVENT_MODELS",
    "Envelope",
    "EnvelopeError",
    "EventData",
    "Evidence",
    "KafkaRecord",
    "Override",
    "ReleasePolicy",
    "RoleRequirement",
    "assessment",
    "audit",
    "catalogue",
    "decode",
    "encode",
    "format_time",
    "model_for",
    "portal",
    "release",
    "topics",
    "webhooks",
]
