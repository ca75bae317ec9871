"""The JSON Schema of targets.toml, from the same registry the harness validates with.

``python -m harness targets schema`` writes it to ``targets.schema.json``; editors that
read JSON Schema for TOML (Taplo / Even Better TOML: ``#:schema ./targets.schema.json`` on
the file's first line) then flag an unknown key or a wrong type as it is typed. The harness
itself does not need it: its own checks (config.profile) say the same in one line.
"""

from __future__ import annotations

from typing import Any

from harness.config.profile import SECTIONS, TOP_LEVEL_KEYS
from harness.config.targets import KINDS

_SECONDS = {"type": "number", "exclusiveMinimum": 0}
_TYPES: dict[str, dict[str, Any]] = {
    "kind": {"enum": list(KINDS)},
    "allow_writes": {"type": "boolean"},
    "production": {"type": "boolean"},
    "timeout_s": _SECONDS,
    "retries": {"type": "integer", "minimum": 0},
}
_DETAILED: dict[str, dict[str, Any]] = {
    "health": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "pattern": "^/"},
            "expect": {},
            "budget_s": _SECONDS,
            "wait_timeout_s": {"type": "number", "minimum": 0},
            "wait_interval_s": _SECONDS,
            "status_only": {"type": "boolean"},
        },
    },
    "checks": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "not_applicable": {
                "type": "object",
                "description": "checklist item id -> why it does not apply to this app",
                "additionalProperties": {"type": "string", "minLength": 1},
            }
        },
    },
}


def profile_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {
        key: {**_TYPES.get(key, {"type": "string"}), "description": text} for key, text in TOP_LEVEL_KEYS.items()
    }
    for name in SECTIONS:
        properties[name] = _DETAILED.get(name, {"type": "object"})
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "not": {
            "description": "production = true contradicts allow_writes = true",
            "properties": {"production": {"const": True}, "allow_writes": {"const": True}},
            "required": ["production", "allow_writes"],
        },
    }


def targets_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "staging harness targets.toml",
        "type": "object",
        "required": ["targets"],
        "properties": {"targets": {"type": "object", "additionalProperties": profile_schema()}},
    }
