"""Items: each user sees and changes their own; a superuser sees all."""

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException
from sqlmodel import func, select

from app.api.deps import CurrentUser, SessionDep
from app.models import Item, ItemCreate, ItemPublic, ItemsPublic, ItemUpdate, Message

router = APIRouter(prefix="/items", tags=["items"])


def _owned_item(session: SessionDep, current_user: CurrentUser, item_id: uuid.UUID) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    if not current_user.is_superuser and item.owner_id != current_user.id:
        raise HTTPException(status_code=403, detail="Not enough permissions")
    return item


@router.get("/", response_model=ItemsPublic)
def read_items(
    session: SessionDep, current_user: CurrentUser, skip: int = 0, limit: int = 100
) -> Any:
    count_q = select(func.count()).select_from(Item)
    items_q = select(Item).order_by(Item.title)
    if not current_user.is_superuser:
        count_q = count_q.where(Item.owner_id == current_user.id)
        items_q = items_q.where(Item.owner_id == current_user.id)
    items = session.exec(items_q.offset(skip).limit(limit)).all()
    data = [ItemPublic.model_validate(item) for item in items]
    return ItemsPublic(data=data, count=session.exec(count_q).one())


@router.post("/", response_model=ItemPublic)
def create_item(session: SessionDep, current_user: CurrentUser, item_in: ItemCreate) -> Any:
    item = Item.model_validate(item_in, update={"owner_id": current_user.id})
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.get("/{id}", response_model=ItemPublic)
def read_item(session: SessionDep, current_user: CurrentUser, id: uuid.UUID) -> Any:
    return _owned_item(session, current_user, id)


@router.put("/{id}", response_model=ItemPublic)
def update_item(
    session: SessionDep, current_user: CurrentUser, id: uuid.UUID, item_in: ItemUpdate
) -> Any:
    item = _owned_item(session, current_user, id)
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True))
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.delete("/{id}")
def delete_item(session: SessionDep, current_user: CurrentUser, id: uuid.UUID) -> Message:
    session.delete(_owned_item(session, current_user, id))
    session.commit()
    return Message(message="Item deleted successfully")
