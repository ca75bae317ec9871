"""What an OpenAPI document says about each operation's input, for probes that must be refused.

routes-reachable proves a writing route exists without running its handler: it sends a
request the framework rejects while reading the input (FastAPI: 422), before the handler is
called. For that it needs, per operation (``Route.key``):

* whether a JSON body is required (a malformed one is refused while parsing, before any
  dependency runs),
* which path parameters have a type a chosen text cannot pass (integer, number, boolean,
  uuid, an enum): their position in the path and such a text,
* whether a query parameter is required (the probe sends no query string at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.checks.routelist import HTTP_METHODS, Route, server_prefix

# Texts no integer, number, boolean, uuid or enum member accepts (FastAPI answers 422).
NOT_A = {
    "integer": "hv-not-an-integer",
    "number": "hv-not-a-number",
    "boolean": "hv-not-a-boolean",
    "uuid": "hv-not-a-uuid",
    "enum": "hv-not-a-member",
}


@dataclass(frozen=True)
class Shape:
    json_body_required: bool = False
    # position of the parameter among the path's parameters → a text its type refuses
    refused_path_values: dict[int, str] = field(default_factory=dict)
    required_query: tuple[str, ...] = ()
    secured: bool = False  # the operation (or the document) declares a security requirement


Shapes = dict[tuple[str, str], Shape]


def operation_shapes(document: Any) -> Shapes:
    """``Route.key`` → ``Shape`` for every operation of an OpenAPI 3 document."""
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        return {}
    prefix = server_prefix(document)
    secured_by_default = bool(document.get("security"))
    shapes: Shapes = {}
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        shared = _list(item.get("parameters"))
        for method, operation in item.items():
            if not isinstance(operation, dict) or method.upper() not in HTTP_METHODS:
                continue
            route = Route(method.upper(), prefix + path)
            parameters = [
                _resolve(document, p) for p in (*shared, *_list(operation.get("parameters")))
            ]
            security = operation.get("security")
            shapes[route.key] = Shape(
                json_body_required=_json_body_required(document, operation),
                refused_path_values=_refused_path_values(document, route, parameters),
                required_query=tuple(
                    str(p.get("name"))
                    for p in parameters
                    if p.get("in") == "query" and p.get("required")
                ),
                secured=bool(security) if security is not None else secured_by_default,
            )
    return shapes


def _json_body_required(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    body = _resolve(document, operation.get("requestBody"))
    content = body.get("content")
    kinds = content if isinstance(content, dict) else {}
    return bool(body.get("required")) and any(_is_json(kind) for kind in kinds)


def _refused_path_values(
    document: dict[str, Any], route: Route, parameters: list[dict[str, Any]]
) -> dict[int, str]:
    names = route.params
    refused = {}
    for parameter in parameters:
        if parameter.get("in") != "path" or parameter.get("name") not in names:
            continue
        text = _refused_text(document, parameter.get("schema"))
        if text is not None:
            refused[names.index(parameter["name"])] = text
    return refused


def _refused_text(document: dict[str, Any], schema: Any) -> str | None:
    """A text the schema cannot accept, or None where any text might pass."""
    schema = _resolve(document, schema)
    if schema.get("enum"):
        return NOT_A["enum"]
    if schema.get("format") == "uuid":
        return NOT_A["uuid"]
    kind = schema.get("type")
    if isinstance(kind, str) and kind in NOT_A:
        return NOT_A[kind]
    # Optional[int] and friends: every alternative must refuse the text.
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list) and alternatives:
        texts = {
            _refused_text(document, a)
            for a in alternatives
            if _resolve(document, a).get("type") != "null"
        }
        return min(texts) if texts and None not in texts else None  # type: ignore[type-var]
    return None


def _resolve(document: dict[str, Any], value: Any) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/components/...``) a few levels; {} for anything else."""
    for _ in range(5):
        if not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
            break
        ref = value["$ref"]
        if not ref.startswith("#/"):
            return {}
        value = document
        for part in ref[2:].split("/"):
            value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_json(media_type: str) -> bool:
    kind = media_type.split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")
