"""Engine and URL normalisation.

Users paste the database URL in whichever form their provider shows
(``postgres://`` from Heroku-style dashboards, ``postgresql://`` from libpq docs,
``postgresql+psycopg://`` from SQLAlchemy docs). All of them mean the same
database, so everything is rewritten to psycopg 3, the one driver installed.
"""
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

DRIVER = "postgresql+psycopg"
_POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})


def normalise_url(raw: str) -> str:
    """Return ``raw`` as a ``postgresql+psycopg://`` URL, password kept (it is a DSN)."""
    # make_url cannot parse the "postgres" scheme's dialect but parses its parts fine.
    url = make_url(raw.strip())
    backend = url.drivername.split("+", 1)[0]
    if backend not in _POSTGRES_SCHEMES:
        raise ValueError(f"must be a PostgreSQL URL, got scheme {url.drivername!r}")
    return url.set(drivername=DRIVER).render_as_string(hide_password=False)


def make_engine(raw_url: str) -> Engine:
    """The app's engine.

    The pool is sized above the burst the harness sends (10 concurrent writes),
    so requests wait on PostgreSQL's locks, not on the pool. pre_ping survives a
    database restart; the connect timeout keeps requests from hanging when the
    database is gone.
    """
    return create_engine(
        normalise_url(raw_url),
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args={"connect_timeout": 5},
    )
