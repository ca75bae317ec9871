"""Users: the caller's own record (read, delete), and superuser-only listing and creation."""

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from sqlmodel import func, select

from app.api.deps import CurrentUser, SessionDep, get_current_active_superuser
from app.core.security import get_password_hash
from app.models import Message, User, UserCreate, UserPublic, UsersPublic

router = APIRouter(prefix="/users", tags=["users"])
SUPERUSER_ONLY = [Depends(get_current_active_superuser)]


@router.get("/", dependencies=SUPERUSER_ONLY, response_model=UsersPublic)
def read_users(session: SessionDep, skip: int = 0, limit: int = 100) -> Any:
    count = session.exec(select(func.count()).select_from(User)).one()
    users = session.exec(select(User).order_by(User.email).offset(skip).limit(limit)).all()
    return UsersPublic(data=[UserPublic.model_validate(u) for u in users], count=count)


@router.post("/", dependencies=SUPERUSER_ONLY, response_model=UserPublic)
def create_user(session: SessionDep, user_in: UserCreate) -> Any:
    if session.exec(select(User.id).where(User.email == user_in.email)).first():
        raise HTTPException(status_code=400, detail="A user with this email already exists")
    user = User.model_validate(
        user_in, update={"hashed_password": get_password_hash(user_in.password)}
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


@router.get("/me", response_model=UserPublic)
def read_user_me(current_user: CurrentUser) -> Any:
    return current_user


@router.delete("/me", response_model=Message)
def delete_user_me(session: SessionDep, current_user: CurrentUser) -> Any:
    """The caller deletes their own account. (The upstream template refuses a superuser;
    here anyone may, so the profile's own login shows what a probe running this does.)"""
    delete_user(session, current_user)
    return Message(message="User deleted successfully")


def delete_user(session: SessionDep, user: User) -> None:
    session.delete(user)
    session.commit()


@router.get("/{user_id}", response_model=UserPublic)
def read_user_by_id(user_id: uuid.UUID, session: SessionDep, current_user: CurrentUser) -> Any:
    """Anyone may read themselves; only a superuser may read others."""
    if user_id != current_user.id and not current_user.is_superuser:
        raise HTTPException(status_code=403, detail="The user doesn't have enough privileges")
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user
