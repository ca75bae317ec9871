"""The engine, and the seeding of the first superuser."""

from sqlalchemy import insert
from sqlmodel import Session, create_engine, select

from app import faults
from app.core.config import settings
from app.core.security import get_password_hash
from app.models import User

# pool_pre_ping: a connection the server dropped while the app sat idle is
# replaced instead of failing the next request (the no_pre_ping fault turns it off).
engine = create_engine(
    settings.SQLALCHEMY_DATABASE_URI, pool_pre_ping=not faults.active(faults.NO_PRE_PING)
)


def init_db(session: Session) -> bool:
    """Create FIRST_SUPERUSER if absent; True when it was created.

    Both statements name only the columns they need (not `select(User)` or
    `session.add(User(...))`), so seeding still works when the model carries a
    column the database lacks: that drift then shows where the harness looks,
    at the API and in the schema comparison, not as a failed prestart.
    """
    email = settings.FIRST_SUPERUSER
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        return False
    session.execute(
        insert(User).values(
            email=email,
            hashed_password=get_password_hash(settings.FIRST_SUPERUSER_PASSWORD),
            is_active=True,
            is_superuser=True,
            full_name="Initial superuser",
        )
    )
    session.commit()
    return True
