"""The /api/v1 router: every route module, mounted in one place."""

from fastapi import APIRouter

from app import faults
from app.api.routes import items, login, users, utils

api_router = APIRouter()
api_router.include_router(login.router)
api_router.include_router(users.router)
api_router.include_router(utils.router)
if not faults.active(faults.ITEMS_ROUTER_NOT_MOUNTED):
    api_router.include_router(items.router)
