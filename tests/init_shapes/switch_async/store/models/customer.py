from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
