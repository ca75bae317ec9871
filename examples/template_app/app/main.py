"""The ASGI app: `uvicorn app.main:app` from the app's folder."""

import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import faults
from app.api.main import api_router
from app.api.routes.users import delete_user
from app.core.config import settings
from app.core.db import engine
from app.core.security import decode_subject
from app.models import User


def custom_generate_unique_id(route: APIRoute) -> str:
    """Operation ids like `items-read_items`, as the templates make for client generators."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


app = FastAPI(
    title=settings.PROJECT_NAME,
    openapi_url=f"{settings.API_V1_STR}/openapi.json",
    generate_unique_id_function=custom_generate_unique_id,
)
app.include_router(api_router, prefix=settings.API_V1_STR)


def _delete_token_owner(authorization: str) -> None:
    subject = decode_subject(authorization.removeprefix("Bearer ").strip())
    try:
        user_id = uuid.UUID(subject or "")
    except ValueError:
        return
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is not None:
            delete_user(session, user)


if faults.active(faults.OPTIONS_DELETES_CALLER):

    @app.middleware("http")
    async def options_deletes_caller(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Fault: OPTIONS on /users/me with a token deletes its user (see README, Faults)."""
        if request.method == "OPTIONS" and request.url.path == f"{settings.API_V1_STR}/users/me":
            await run_in_threadpool(_delete_token_owner, request.headers.get("authorization", ""))
        return await call_next(request)
