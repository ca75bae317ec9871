"""First deploy: build every table from the models, then tell Alembic it is all done."""
import os

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from app.models import Base


def main() -> None:
    Base.metadata.create_all(create_engine(os.environ["DATABASE_URL"]))
    command.stamp(Config("alembic.ini"), "head")


if __name__ == "__main__":
    main()
