from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from stock.db import Base


class Part(Base):
    __tablename__ = "part"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
