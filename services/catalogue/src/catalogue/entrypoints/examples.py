"""Whole-response examples for the OpenAPI document (shortened real content)."""

from typing import Any

from catalogue.entrypoints.http_cache import VALIDATOR_HEADERS

CATALOGUE = "c14c6e254053fec3da3eb0aff9983e3db1edfc5d3e318246fb2c060391fd8b7e"
TRACK = "6a966af17ab7e1f0d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"
PREVIOUS_TRACK = "05ac1ac43abd9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f"
MODULE = "4f4d57783c92a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607182930"
LESSON = "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3b4a5968778695a4b3c2d1e0f"

_PUBLISHED = {
    "publication": 2,
    "catalogue_version": CATALOGUE,
    "published_at": "2026-11-24T10:15:00Z",
}
_FIRST = {
    "publication": 1,
    "catalogue_version": "03c36c12" + CATALOGUE[8:],
    "published_at": "2026-11-02T09:00:00Z",
}

TRACK_VIEW: dict[str, Any] = {
    "track_key": "MGA.compliance_officer",
    "jurisdiction": "MGA",
    "role": "compliance_officer",
    "title": "Malta: Compliance officer",
    "version": TRACK,
    "module_versions": {"kyc-cdd": MODULE},
    "modules": [
        {
            "id": "kyc-cdd",
            "title": "KYC and customer due diligence",
            "summary": "Identify and verify customers, assess their risk, know when to do more.",
            "version": MODULE,
            "declared_version": "1.0.0",
            "origin": "core",
            "question_count": 8,
            "lessons": [
                {
                    "id": "kyc-identify-and-verify",
                    "title": "Identification and verification",
                    "version": LESSON,
                    "markdown": "# Identification and verification\n\nIdentification collects…",
                }
            ],
        }
    ],
    "exam": {
        "question_count": 30,
        "pass_mark": 80,
        "time_limit_minutes": 45,
        "attempt_limit": 3,
        "cooldown_hours": 24.0,
        "feedback": "score",
        "required_modules": ["kyc-cdd"],
        "pool_size": 42,
        "pool_by_module": {"kyc-cdd": 8},
    },
    "certification": {"validity_months": 18, "recert_window_days": 60},
}

JURISDICTIONS: dict[str, Any] = {
    "catalogue_version": CATALOGUE,
    "notice": "Illustrative training content. …",
    "jurisdictions": [
        {
            "code": "MGA",
            "name": "Malta",
            "regulator": "Malta Gaming Authority (MGA)",
            "summary": "Gaming Act (Cap. 583) licensing by the MGA; AML/CFT under the PMLFTR.",
            "roles": ["compliance_officer", "mlro", "kyc_analyst", "customer_support"],
            "tracks": [
                {
                    "track_key": "MGA.compliance_officer",
                    "role": "compliance_officer",
                    "title": "Malta: Compliance officer",
                    "version": TRACK,
                }
            ],
            "release_policy_version": "2d1e0f" + TRACK[6:],
        }
    ],
}

TRACK_HISTORY: dict[str, Any] = {
    "track_key": "MGA.compliance_officer",
    "versions": [
        {
            "version": PREVIOUS_TRACK,
            "first_published": _FIRST,
            "last_published": _FIRST,
            "current": False,
        },
        {
            "version": TRACK,
            "first_published": _PUBLISHED,
            "last_published": _PUBLISHED,
            "current": True,
        },
    ],
}

MODULE_HISTORY: dict[str, Any] = {
    "module_id": "kyc-cdd",
    "jurisdiction": None,
    "versions": [
        {
            "version": MODULE,
            "first_published": _FIRST,
            "last_published": _PUBLISHED,
            "current": True,
            "declared_version": "1.0.0",
            "title": "KYC and customer due diligence",
            "origin": "core",
            "jurisdictions": ["GCB", "GSC"],
        }
    ],
}


def ok(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """A route's `responses` entry: its 200 with the validator headers and a whole-body example."""
    return {
        200: {"headers": VALIDATOR_HEADERS, "content": {"application/json": {"example": example}}}
    }
