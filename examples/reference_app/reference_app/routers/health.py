"""GET /api/health: liveness plus a real database round trip."""
import asyncio
import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .. import faults
from ..config import Settings

router = APIRouter(prefix="/api", tags=["health"])

# Bounded so a hung database makes health fail fast instead of hanging probes.
DB_CHECK_TIMEOUT = 5.0
MAX_REASON_LEN = 200


def _short_reason(exc: BaseException) -> str:
    """First line of the error, prefixed by its type, kept short for JSON."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    reason = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
    return reason[:MAX_REASON_LEN]


async def _read_revision(sessionmaker: async_sessionmaker[AsyncSession]) -> str | None:
    """Current alembic revision, or None if the database was never migrated."""
    async with sessionmaker() as session:
        try:
            result = await session.execute(text("SELECT version_num FROM alembic_version"))
        except ProgrammingError:
            # Table missing: the database answers, it is just not migrated yet.
            return None
        return result.scalar_one_or_none()


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    if settings.has_fault(faults.HEALTH_500):
        return JSONResponse({"status": "error"}, status_code=500)
    if settings.has_fault(faults.HEALTH_SLOW):
        await asyncio.sleep(settings.health_delay)
    try:
        revision = await asyncio.wait_for(
            _read_revision(request.app.state.sessionmaker), DB_CHECK_TIMEOUT
        )
    except Exception as exc:  # any failure to reach the DB is "database down"
        body = {"status": "error", "database": f"error: {_short_reason(exc)}", "revision": None}
        return JSONResponse(body, status_code=503)
    status = "degraded" if settings.has_fault(faults.HEALTH_WRONG_BODY) else "ok"
    body = {"status": status, "database": "ok", "revision": revision}
    if os.environ.get("APP_VERSION"):  # the deploy sets it (a commit id); the harness waits for it
        body["version"] = os.environ["APP_VERSION"]
    return JSONResponse(body)
