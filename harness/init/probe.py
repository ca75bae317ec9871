"""Run by the APP's interpreter (never imported by the harness): describe an ASGI/WSGI app.

Usage: ``python probe.py module:attribute`` from the app's folder. Prints one JSON object:
the OpenAPI path and document (FastAPI), or the URL rules (Flask), and for each parameterless
GET route the literal bodies its endpoint returns (read from its source, not by calling it:
a health route usually touches the database, which is not there while init runs).
Standard library only, so it runs in any venv the app has.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import sys
import textwrap
from typing import Any


def literal_bodies(function: Any) -> list[Any]:
    """Literal values the function returns, directly or wrapped in a response class."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return []
    found: list[Any] = []
    # A status computed from a literal "ok" somewhere in the function (status = "ok" if ...).
    says_ok = any(isinstance(n, ast.Constant) and n.value == "ok" for n in ast.walk(tree))
    for value in _returned(tree):
        body = _body(value, says_ok)
        if body is not _NOTHING:
            found.append(body)
    return found


_NOTHING = object()


def _body(value: ast.expr, says_ok: bool) -> Any:
    """The literal body one ``return`` gives (``_NOTHING`` when it is computed)."""
    if isinstance(value, ast.Tuple) and value.elts:  # return jsonify(...), 503
        value = value.elts[0]
    if isinstance(value, ast.Call) and _call_name(value) in _HTML_CALLS:
        return HTML  # a rendered page: only its status can be judged
    if isinstance(value, ast.Call) and not value.args and value.keywords:  # jsonify(status="ok")
        return _keywords(value, says_ok)
    if isinstance(value, ast.Call) and value.args:  # JSONResponse({...}), jsonify({...})
        value = value.args[0]
    if isinstance(value, ast.Dict):  # keep the literal parts of a partly computed dict
        pairs = [(k, v) for k, v in zip(value.keys, value.values) if _is_literal(k) and _is_literal(v)]
        body = {ast.literal_eval(k): ast.literal_eval(v) for k, v in pairs}  # type: ignore[arg-type]
        keys = [ast.literal_eval(k) for k in value.keys if _is_literal(k)]  # type: ignore[arg-type]
        return {"status": "ok"} if "status" in keys and "status" not in body and says_ok else body
    return ast.literal_eval(value) if _is_literal(value) else _NOTHING


def _keywords(call: ast.Call, says_ok: bool) -> dict[str, Any]:
    """``jsonify(status="ok", db=…)``: its literal keyword values."""
    body = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg and _is_literal(k.value)}
    if "status" not in body and says_ok and any(k.arg == "status" for k in call.keywords):
        body["status"] = "ok"
    return body


def _returned(tree: ast.AST) -> list[ast.expr]:
    """What the function's ``return`` statements give; a returned name (``return body``,
    ``JSONResponse(body)``) stands for every dict literal assigned to it."""
    assigned: dict[str, list[ast.expr]] = {}
    for n in ast.walk(tree):
        if (
            isinstance(n, ast.Assign) and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Dict)
        ):  # fmt: skip
            assigned.setdefault(n.targets[0].id, []).append(n.value)
    returned: list[ast.expr] = []
    for node in ast.walk(tree):
        value = node.value if isinstance(node, ast.Return) else None
        if isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Name):
            returned += assigned.get(value.args[0].id, [value])
        elif isinstance(value, ast.Name):
            returned += assigned.get(value.id, [value])
        elif value is not None:
            returned.append(value)
    return returned


HTML = "<html>"  # stands for a page the endpoint renders (a template, an HTMLResponse)
_HTML_CALLS = {"render_template", "render_template_string", "TemplateResponse", "HTMLResponse"}


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def redirecting_hooks(app: Any) -> list[str]:
    """Flask ``before_request`` functions that can redirect: a fresh app sending every path
    to its setup page answers 302 to the harness's health and route checks."""
    found = []
    for functions in getattr(app, "before_request_funcs", {}).values():
        for function in functions:
            try:
                source = inspect.getsource(function)
            except (OSError, TypeError):
                continue
            if re.search(r"\bredirect\s*\(", source):
                found.append(f"{function.__module__}.{function.__qualname__}")
    return found


def _is_literal(node: ast.AST | None) -> bool:
    try:
        ast.literal_eval(node)  # type: ignore[arg-type]
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False
    return node is not None


def _get_endpoints(routes: Any, seen: set[int]) -> list[tuple[str, Any]]:
    """(path as declared, endpoint) of every GET route, included routers too (their path
    lacks the include prefix; FastAPI's wrappers for included routers vary by version)."""
    found: list[tuple[str, Any]] = []
    for route in routes or []:
        if id(route) in seen:
            continue
        seen.add(id(route))
        for inner in (
            route,
            getattr(route, "original_router", None),
            getattr(route, "router", None),
        ):
            if inner is not None and inner is not route and hasattr(inner, "routes"):
                found += _get_endpoints(inner.routes, seen)
        if "GET" in (getattr(route, "methods", None) or set()) and hasattr(route, "endpoint"):
            found.append((getattr(route, "path", ""), route.endpoint))
    return found


def describe_fastapi(app: Any) -> dict[str, Any]:
    document = app.openapi()
    endpoints = _get_endpoints(app.routes, set())
    bodies = {}
    for path, item in document.get("paths", {}).items():
        if "get" in item and "{" not in path:
            matches = [(len(p), e) for p, e in endpoints if p and path.endswith(p)]
            if matches:
                bodies[path] = literal_bodies(max(matches, key=lambda m: m[0])[1])
    return {
        "framework": "fastapi",
        "openapi_path": app.openapi_url,
        "openapi": document,
        "bodies": bodies,
    }


_CONVERTERS = {"int": "integer", "float": "number", "uuid": "uuid"}


def describe_flask(app: Any) -> dict[str, Any]:
    routes, bodies, params = [], {}, {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
            params[name] = _CONVERTERS.get(converter, "string")  # <int:id>: an id must be a number
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)  # <int:id> -> {id}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append(f"{method} {path}")
        if "GET" in (rule.methods or set()) and "{" not in path:
            bodies[path] = literal_bodies(app.view_functions[rule.endpoint])
    return {
        "framework": "flask", "openapi_path": None, "routes": sorted(routes), "bodies": bodies,
        "params": params, "redirects": redirecting_hooks(app),
    }  # fmt: skip


def main(spec: str) -> int:
    sys.path.insert(0, ".")
    module_name, _, attribute = spec.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attribute.removesuffix("()").split("."):  # "module:create_app()": a factory
        target = getattr(target, part)
    if callable(target) and not hasattr(target, "routes") and not hasattr(target, "url_map"):
        target = target()  # a factory (create_app)
    if hasattr(target, "openapi") and hasattr(target, "routes"):
        answer = describe_fastapi(target)
    elif hasattr(target, "url_map"):
        answer = describe_flask(target)
    else:
        answer = {
            "framework": type(target).__name__,
            "openapi_path": None,
            "routes": [],
            "bodies": {},
        }
    print("HV-PROBE " + json.dumps(answer, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
