"""Read-only wallet views. The prefix is chosen by create_app (see faults)."""
from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import get_session
from ..models import LedgerEntry, Supply, Wallet

# No prefix here: main.py mounts this at /api/wallet (or elsewhere under a fault).
router = APIRouter(tags=["wallet"])


class BalanceOut(BaseModel):
    user_id: int
    balance: int


class LedgerEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int | None
    amount: int
    kind: str
    created_at: datetime | None


class SupplyOut(BaseModel):
    total: int
    circulating: int


async def _user_wallet(session: AsyncSession, user_id: int) -> Wallet:
    wallet = await session.scalar(select(Wallet).where(Wallet.user_id == user_id))
    if wallet is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="wallet not found")
    return wallet


@router.get("/users/{user_id}", response_model=BalanceOut)
async def get_balance(user_id: int, session: AsyncSession = Depends(get_session)) -> BalanceOut:
    wallet = await _user_wallet(session, user_id)
    return BalanceOut(user_id=user_id, balance=wallet.balance)


@router.get("/users/{user_id}/ledger", response_model=list[LedgerEntryOut])
async def get_ledger(
    user_id: int, session: AsyncSession = Depends(get_session)
) -> list[LedgerEntry]:
    wallet = await _user_wallet(session, user_id)
    query = select(LedgerEntry).where(LedgerEntry.wallet_id == wallet.id).order_by(LedgerEntry.id)
    return list(await session.scalars(query))


@router.get("/supply", response_model=SupplyOut)
async def get_supply(session: AsyncSession = Depends(get_session)) -> SupplyOut:
    # One statement so total and circulating come from the same snapshot.
    circulating = select(func.coalesce(func.sum(Wallet.balance), 0)).scalar_subquery()
    row = (await session.execute(select(Supply.total, circulating).where(Supply.id == 1))).first()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="supply is not initialised")
    return SupplyOut(total=row[0], circulating=int(row[1]))
