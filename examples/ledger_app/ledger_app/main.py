"""FastAPI app: ``uvicorn ledger_app.main:app``.

Routes are plain ``def`` so they run in the threadpool with a sync session each;
that is also what lets concurrent requests with one nonce overlap for real.
There is no /health: GET /operations (read-only, no DB) is what a probe can use.
"""
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictInt
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ledger_app import ledger
from ledger_app.config import ConfigError, Settings, load_settings
from ledger_app.db import make_engine
from ledger_app.operations import OPERATIONS

OWNER_MAX = 200
OwnerId = Annotated[str, Path(min_length=1, max_length=OWNER_MAX)]


class CreditIn(BaseModel):
    operation: str = Field(min_length=1)
    amount: StrictInt
    nonce: str = Field(min_length=1, max_length=200)
    owner_id: str = Field(min_length=1, max_length=OWNER_MAX)


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def checked_credit(body: CreditIn) -> ledger.Credit:
    """The amount is the server's; a client that disagrees is told so, not obeyed."""
    if body.operation not in OPERATIONS:
        known = sorted(OPERATIONS)
        raise HTTPException(422, f"unknown operation {body.operation!r}; known: {known}")
    expected = OPERATIONS[body.operation]
    if body.amount != expected:
        raise HTTPException(422, f"amount for {body.operation!r} is {expected}, got {body.amount}")
    return ledger.Credit(body.owner_id, body.operation, expected, body.nonce)


def register_routes(app: FastAPI) -> None:
    @app.get("/operations")
    def operations() -> dict[str, dict[str, int]]:
        return {"operations": dict(OPERATIONS)}

    @app.post("/ledger", status_code=201, response_model=None)
    def post_credit(body: CreditIn, session: SessionDep) -> dict[str, Any] | JSONResponse:
        wanted = checked_credit(body)
        try:
            entry, balance = ledger.credit(session, wanted, app.state.settings.faults)
        except ledger.NonceUsed as used:
            return JSONResponse({"detail": "nonce already used", "entry_id": used.entry_id}, 409)
        # Echoes the request's owner, as the buggy services do even when they paid another.
        return {"id": entry.id, "owner_id": wanted.owner_id, "operation": entry.operation,
                "amount": entry.amount, "nonce": entry.nonce, "balance": balance}

    @app.get("/ledger/{owner_id}")
    def get_ledger(owner_id: OwnerId, session: SessionDep) -> dict[str, Any]:
        entries = [
            {"id": e.id, "operation": e.operation, "amount": e.amount, "nonce": e.nonce}
            for e in ledger.entries_of(session, owner_id)
        ]
        balance = sum(e["amount"] for e in entries)
        return {"owner_id": owner_id, "balance": balance, "entries": entries}

    @app.get("/ledger/{owner_id}/balance")
    def get_balance(owner_id: OwnerId, session: SessionDep) -> dict[str, Any]:
        return {"owner_id": owner_id, "balance": ledger.balance_of(session, owner_id)}


def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # A down database is the server's problem to report, not a crash page.
    return JSONResponse({"detail": "database unavailable"}, status_code=503)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; a bad environment raises ConfigError here, before serving."""
    settings = settings or load_settings()
    app = FastAPI(title="ledger_app", version="0.1.0")
    app.state.settings = settings
    try:
        app.state.engine = make_engine(settings.database_url)
    except (ValueError, ArgumentError) as exc:  # not a PostgreSQL URL, or not a URL at all
        raise ConfigError(f"LEDGER_DATABASE_URL: {exc}") from None
    # expire_on_commit=False: responses are built from entries after commit.
    app.state.sessionmaker = sessionmaker(app.state.engine, expire_on_commit=False)
    app.add_exception_handler(OperationalError, database_unavailable)
    register_routes(app)
    return app


def __getattr__(name: str) -> FastAPI:
    """``ledger_app.main:app`` builds the app on first access, so importing this
    module (tests, tools) does not need the environment."""
    if name == "app":
        built = create_app()
        globals()["app"] = built
        return built
    raise AttributeError(name)
