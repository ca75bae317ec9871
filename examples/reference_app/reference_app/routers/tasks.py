"""Tasks: create, accept, complete (which pays the bounty), similarity search."""
import math
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .. import faults
from ..config import Settings
from ..db import get_session
from ..models import EMBEDDING_DIM, LedgerEntry, Task, User, Wallet

router = APIRouter(prefix="/api/tasks", tags=["tasks"])

OPEN, ACCEPTED, COMPLETED = "open", "accepted", "completed"
INT32_MAX = 2**31 - 1  # tasks.bounty is an integer column

Embedding = Annotated[
    list[float], Field(min_length=EMBEDDING_DIM, max_length=EMBEDDING_DIM)
]


class TaskCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    bounty: int = Field(ge=0, le=INT32_MAX)
    embedding: Embedding | None = None

    @field_validator("embedding")
    @classmethod
    def _finite(cls, value: list[float] | None) -> list[float] | None:
        # pgvector rejects NaN/Infinity; refuse them as 422, not a 500.
        if value is not None and not all(math.isfinite(x) for x in value):
            raise ValueError("embedding values must be finite numbers")
        return value


class TaskAccept(BaseModel):
    user_id: int


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    bounty: int
    status: str
    assigned_to: int | None
    created_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    embedding: list[float] | None

    @field_validator("embedding", mode="before")
    @classmethod
    def _as_list(cls, value: object) -> object:
        # pgvector may hand back a numpy array when numpy is installed.
        return None if value is None else [float(x) for x in value]  # type: ignore[attr-defined]


class SimilarTaskOut(TaskOut):
    distance: float


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _get_task(session: AsyncSession, task_id: int, *, lock: bool = False) -> Task:
    """Load a task or 404. ``lock`` takes a row lock until commit."""
    query = select(Task).where(Task.id == task_id)
    if lock:
        query = query.with_for_update()
    task = await session.scalar(query)
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="task not found")
    return task


@router.get("", response_model=list[TaskOut])
async def list_tasks(
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    session: AsyncSession = Depends(get_session),
) -> list[Task]:
    query = select(Task).order_by(Task.id)
    if status_filter is not None:
        query = query.where(Task.status == status_filter)
    return list(await session.scalars(query))


@router.post("", response_model=TaskOut, status_code=status.HTTP_201_CREATED)
async def create_task(body: TaskCreate, session: AsyncSession = Depends(get_session)) -> Task:
    task = Task(title=body.title, bounty=body.bounty, embedding=body.embedding, status=OPEN)
    session.add(task)
    await session.commit()
    await session.refresh(task)  # server defaults (created_at)
    return task


@router.get("/{task_id}", response_model=TaskOut)
async def get_task(task_id: int, session: AsyncSession = Depends(get_session)) -> Task:
    return await _get_task(session, task_id)


@router.post("/{task_id}/accept", response_model=TaskOut)
async def accept_task(
    task_id: int, body: TaskAccept, session: AsyncSession = Depends(get_session)
) -> Task:
    # Lock the task so two concurrent accepts cannot both see it open.
    task = await _get_task(session, task_id, lock=True)
    if await session.get(User, body.user_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="user not found")
    if task.status != OPEN:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"task is {task.status}, not open")
    task.status, task.assigned_to, task.accepted_at = ACCEPTED, body.user_id, _now()
    await session.commit()
    return task


async def _lock_wallets(session: AsyncSession, user_id: int) -> tuple[Wallet, Wallet]:
    """Lock (system wallet, user wallet) FOR UPDATE, creating the user's if absent.

    Rows are locked in id order in one statement so concurrent payouts to
    different tasks cannot deadlock on each other.
    """
    if await session.scalar(select(Wallet.id).where(Wallet.user_id == user_id)) is None:
        # Users normally get a wallet at creation; ON CONFLICT keeps this
        # fallback safe if two payouts race to create the same wallet.
        await session.execute(
            pg_insert(Wallet)
            .values(user_id=user_id, kind="user", balance=0)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
    query = (
        select(Wallet)
        .where((Wallet.kind == "system") | (Wallet.user_id == user_id))
        .order_by(Wallet.id)
        .with_for_update()
    )
    wallets = list(await session.scalars(query))
    system = next((w for w in wallets if w.kind == "system"), None)
    user = next((w for w in wallets if w.user_id == user_id), None)
    if system is None or user is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="wallets are not set up")
    return system, user


def _post(session: AsyncSession, wallet: Wallet, task_id: int, amount: int, kind: str) -> None:
    """Move ``amount`` (signed) into ``wallet`` and record it in the ledger."""
    wallet.balance += amount
    session.add(LedgerEntry(wallet_id=wallet.id, task_id=task_id, amount=amount, kind=kind))


async def _pay_reward(session: AsyncSession, task: Task, settings: Settings) -> None:
    """Debit the system wallet and credit the assignee, honouring faults."""
    if settings.has_fault(faults.REWARD_DROPPED):
        return
    assert task.assigned_to is not None  # guaranteed by the accepted status
    system, user = await _lock_wallets(session, task.assigned_to)
    payouts = 2 if settings.has_fault(faults.REWARD_TWICE) else 1
    credit = task.bounty - 1 if settings.has_fault(faults.REWARD_WRONG_AMOUNT) else task.bounty
    if system.balance < task.bounty * payouts:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="system wallet has insufficient funds")
    for _ in range(payouts):
        _post(session, system, task.id, -task.bounty, "reward_debit")
        _post(session, user, task.id, credit, "reward_credit")


def _check_completable(task: Task, settings: Settings) -> None:
    # reward_twice also lets a completed task be completed (and paid) again.
    if task.status == COMPLETED and not settings.has_fault(faults.REWARD_TWICE):
        raise HTTPException(status.HTTP_409_CONFLICT, detail="task already completed")
    if task.status not in (ACCEPTED, COMPLETED) or task.assigned_to is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"task is {task.status}, not accepted")


@router.post("/{task_id}/complete", response_model=TaskOut)
async def complete_task(
    task_id: int, request: Request, session: AsyncSession = Depends(get_session)
) -> Task:
    settings = _settings(request)
    # The task row lock serialises concurrent completions: the losers wait,
    # then re-read the row (READ COMMITTED) and see "completed" -> 409.
    task = await _get_task(session, task_id, lock=True)
    _check_completable(task, settings)
    task.status, task.completed_at = COMPLETED, _now()
    await _pay_reward(session, task, settings)
    await session.commit()
    return task


@router.get("/{task_id}/similar", response_model=list[SimilarTaskOut])
async def similar_tasks(
    task_id: int,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
    session: AsyncSession = Depends(get_session),
) -> list[SimilarTaskOut]:
    base = await _get_task(session, task_id)
    if base.embedding is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="task has no embedding")
    distance = Task.embedding.l2_distance(base.embedding).label("distance")
    query = (
        select(Task, distance)
        .where(Task.id != task_id, Task.embedding.is_not(None))
        .order_by(distance, Task.id)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [
        SimilarTaskOut.model_validate({**TaskOut.model_validate(t).model_dump(), "distance": d})
        for t, d in rows
    ]
