from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shelf.db import engine
from shelf.models import Book

app = FastAPI(title="shelf")


class BookIn(BaseModel):
    title: str


@app.get("/api/healthz")
def healthz() -> dict[str, str]:
    with engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@app.get("/api/books")
def list_books() -> list[dict[str, object]]:
    with Session(engine()) as session:
        return [{"id": b.id, "title": b.title} for b in session.scalars(select(Book))]


@app.get("/api/books/{book_id}")
def get_book(book_id: int) -> dict[str, object]:
    with Session(engine()) as session:
        book = session.get(Book, book_id)
        if book is None:
            raise HTTPException(status_code=404, detail="no such book")
        return {"id": book.id, "title": book.title}


@app.post("/api/books", status_code=201)
def add_book(body: BookIn) -> dict[str, object]:
    with Session(engine()) as session:
        book = Book(title=body.title)
        session.add(book)
        session.commit()
        return {"id": book.id, "title": book.title}
