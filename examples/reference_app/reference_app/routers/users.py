"""Users. Creating a user also opens their (empty) wallet, atomically."""
from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .. import faults
from ..db import get_session
from ..models import User, Wallet

router = APIRouter(prefix="/api/users", tags=["users"])


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


def _conflict(name: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=f"user name {name!r} already exists")


def _read_users_table(database_url: str | None) -> None:
    """The `users_list_raises` fault: a bug that escapes the route (a 500 and a traceback)."""
    raise LookupError(f"users table not readable through {database_url}")


@router.get("", response_model=list[UserOut])
async def list_users(request: Request, session: AsyncSession = Depends(get_session)) -> list[User]:
    if request.app.state.settings.has_fault(faults.USERS_LIST_RAISES):
        _read_users_table(request.app.state.settings.database_url)
    result = await session.scalars(select(User).order_by(User.id))
    return list(result)


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, session: AsyncSession = Depends(get_session)) -> User:
    # Fast path for the common duplicate; the unique constraint still decides
    # the race between two concurrent creates (handled below).
    if await session.scalar(select(User.id).where(User.name == body.name)) is not None:
        raise _conflict(body.name)
    user = User(name=body.name, email=body.email)
    session.add(user)
    try:
        await session.flush()  # assigns user.id for the wallet row
        session.add(Wallet(user_id=user.id, kind="user", balance=0))
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise _conflict(body.name) from None
    return user


@router.get("/{user_id}", response_model=UserOut)
async def get_user(user_id: int, session: AsyncSession = Depends(get_session)) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="user not found")
    return user
