"""Wait until the database answers, before migrations run (prestart's first step)."""

import logging

from sqlalchemy import Engine, text
from tenacity import after_log, before_log, retry, stop_after_attempt, wait_fixed

from app.core.db import engine

logger = logging.getLogger(__name__)

MAX_TRIES = 60 * 5  # five minutes: a PaaS database may start after the app
WAIT_SECONDS = 1


@retry(
    stop=stop_after_attempt(MAX_TRIES),
    wait=wait_fixed(WAIT_SECONDS),
    before=before_log(logger, logging.INFO),
    after=after_log(logger, logging.WARNING),
    reraise=True,
)
def wait_for_db(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    logger.info("waiting for the database")
    wait_for_db(engine)
    logger.info("database is up")


if __name__ == "__main__":
    main()
