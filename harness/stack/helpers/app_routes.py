"""The route table an app declares, as JSON (run in the app's interpreter).

Usage: python app_routes.py APP_IMPORT   (cwd: the app's folder)
APP_IMPORT is "module:app" or a factory "module:create_app()". A Flask app answers from its
``url_map``, a Starlette/FastAPI app from ``app.routes`` (mounts followed). The HEAD and OPTIONS
that both frameworks add on their own are left out, as an OpenAPI document leaves them out.
Imports only the stdlib and the app: this file runs where the harness is not installed.
"""

import importlib
import json
import os
import re
import sys

# Run by path: this folder is sys.path[0]; take it out so the app's imports see only its own.
sys.path[:] = [p for p in sys.path if p != os.path.dirname(os.path.abspath(__file__))]

_AUTOMATIC = {"HEAD", "OPTIONS"}
_FLASK_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <int:user_id> -> {user_id}
_STARLETTE_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")  # {path:rest} -> {path}


def load(spec: str) -> object:
    module_name, _, attribute = spec.partition(":")
    factory = attribute.endswith("()")
    value: object = importlib.import_module(module_name)
    for part in attribute.removesuffix("()").split("."):
        value = getattr(value, part)
    return value() if factory else value


def flask_routes(app) -> list[str]:
    routes = set()
    for rule in app.url_map.iter_rules():
        path = _FLASK_PARAM.sub(r"{\1}", rule.rule)
        for method in (rule.methods or set()) - _AUTOMATIC:
            routes.add(f"{method} {path}")
    return sorted(routes)


def starlette_routes(routes, prefix: str = "") -> list[str]:
    found = set()
    for route in routes:
        path = prefix + _STARLETTE_PARAM.sub(r"{\1}", getattr(route, "path", ""))
        methods = getattr(route, "methods", None)
        if methods:
            found.update(f"{m} {path}" for m in set(methods) - _AUTOMATIC)
        elif callable(getattr(route, "effective_candidates", None)):
            # FastAPI >= 0.16x keeps include_router() lazy: its candidates carry the full path.
            found.update(starlette_routes(route.effective_candidates(), prefix))
        elif getattr(route, "routes", None):  # a Mount (or a router) with routes of its own
            found.update(starlette_routes(route.routes, path.rstrip("/")))
    return sorted(found)


def main(argv: list[str]) -> int:
    sys.path.insert(0, os.getcwd())  # as the server run from this folder would see it
    app = load(argv[0])
    if hasattr(app, "url_map"):
        answer = {"framework": "flask", "routes": flask_routes(app)}
    elif hasattr(app, "routes"):
        answer = {"framework": "starlette", "routes": starlette_routes(app.routes)}
    else:
        raise SystemExit(f"{argv[0]} is neither a Flask nor a Starlette/FastAPI app")
    print("HV-JSON:" + json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # The answer is out: skip the interpreter's teardown of every module the app imported
    # (about a second on a loaded machine, paid by every check that waits for this process).
    # Nothing is left for it to do: the app's migrations committed, the harness's throwaway
    # databases are dropped WITH (FORCE), stderr is line-buffered; a raised error exits normally.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
