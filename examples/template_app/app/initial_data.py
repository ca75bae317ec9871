"""Seed the database (the first superuser). Run after `alembic upgrade head`."""

import logging

from sqlmodel import Session

from app.core.db import engine, init_db

logger = logging.getLogger(__name__)


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    with Session(engine) as session:
        created = init_db(session)
    logger.info("first superuser %s", "created" if created else "already present")


if __name__ == "__main__":
    main()
