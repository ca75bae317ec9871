"""Utility routes: the health check a load balancer or the harness polls."""

from fastapi import APIRouter, HTTPException

from app import faults

router = APIRouter(prefix="/utils", tags=["utils"])


@router.get("/health-check/")
def health_check() -> bool:
    """Plain JSON `true`, as the templates answer; it does not touch the database."""
    if faults.active(faults.HEALTH_500):
        raise HTTPException(status_code=500, detail="health_500 fault is on")
    return True
