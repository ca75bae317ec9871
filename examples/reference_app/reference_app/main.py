"""Application factory. ``app = create_app()`` is what uvicorn serves."""
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from . import faults
from .config import Settings, load_settings
from .db import create_engine, create_sessionmaker
from .routers import health, tasks, users, wallet

WALLET_PREFIX = "/api/wallet"
WRONG_WALLET_PREFIX = "/wallet"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.database_url is None:
        raise RuntimeError("DATABASE_URL is not set; e.g. postgresql://user@host:5432/db")
    engine = create_engine(settings.database_url, pre_ping=not settings.has_fault(faults.NO_PRE_PING))
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    try:
        yield
    finally:
        await engine.dispose()


def _debug_router() -> APIRouter:
    """The `extra_route` fault: an endpoint that is not in the contract."""
    router = APIRouter(prefix="/api/debug", tags=["debug"])

    @router.get("/echo")
    async def echo(request: Request) -> dict[str, object]:
        return {"echo": dict(request.query_params)}

    return router


def _mount_routers(app: FastAPI, settings: Settings) -> None:
    app.include_router(health.router)
    app.include_router(users.router)
    app.include_router(tasks.router)
    if not settings.has_fault(faults.DROP_WALLET_ROUTER):
        wrong = settings.has_fault(faults.WALLET_WRONG_PREFIX)
        app.include_router(wallet.router, prefix=WRONG_WALLET_PREFIX if wrong else WALLET_PREFIX)
    if settings.has_fault(faults.EXTRA_ROUTE):
        app.include_router(_debug_router())


def _require_token(app: FastAPI, token: str | None) -> None:
    """The `require_token` mode: /api/* but health answers 401 without the bearer token."""
    if not token:
        raise RuntimeError("REFAPP_FAULTS=require_token needs REFAPP_API_TOKEN (the token to ask for)")
    expected = f"Bearer {token}"

    @app.middleware("http")
    async def bearer_only(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        guarded = path.startswith("/api/") and path != "/api/health"
        if guarded and not secrets.compare_digest(request.headers.get("authorization", ""), expected):
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        return await call_next(request)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # A lost database is an outage (503), not a bug in the request (500).
    return JSONResponse({"detail": "database unavailable"}, status_code=503)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Settings (and faults) are read here, not at import, so
    an unknown fault name fails the server start with a clear message."""
    settings = settings if settings is not None else load_settings()
    app = FastAPI(title="reference-app", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    for exc_type in (OperationalError, InterfaceError, OSError):
        app.add_exception_handler(exc_type, _database_unavailable)
    _mount_routers(app, settings)
    if settings.has_fault(faults.REQUIRE_TOKEN):
        _require_token(app, settings.api_token)
    return app


app = create_app()
