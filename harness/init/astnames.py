"""Small readings of the app's source tree that several of init's readers share."""

from __future__ import annotations

import ast


def call_name(call: ast.Call) -> str:
    """``FastAPI`` for ``FastAPI(...)`` and ``fastapi.FastAPI(...)``; "" for anything else."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""
