"""Compare SQLModel.metadata with the database POSTGRES_* names (Alembic autogenerate).

Usage, from the app folder after `alembic upgrade head`:
    .venv/bin/python scripts/compare_schema.py
Prints each difference Alembic finds; exit code 0 when there are none, 1 otherwise.
With TEMPLATE_APP_FAULTS=model_column_without_migration it reports the added
`user.nickname` column. compare_server_default is on, as a strict checker would have it.
"""

import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.db import engine
from app.models import SQLModel


def diffs() -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, SQLModel.metadata))


def main() -> int:
    found = diffs()
    for diff in found:
        print(diff)
    print(f"{len(found)} difference(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
