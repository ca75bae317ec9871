"""The ``api`` blueprint, mounted at /api by create_app()."""
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from flask_app import rewards
from flask_app.extensions import db
from flask_app.models import EMBEDDING_DIM, LedgerEntry, Task, User, Wallet

api = Blueprint("api", __name__)
Reply = Response | tuple[Response, int]


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "expected a JSON object")
    return data


def error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


def task_json(task: Task) -> dict[str, Any]:
    vec = None if task.embedding is None else [float(x) for x in task.embedding]
    return {"id": task.id, "title": task.title, "bounty": task.bounty,
            "assignee_id": task.assignee_id, "completed": task.completed, "embedding": vec}


def parse_vector(raw: Any) -> list[float] | None:
    """A 3-number list or "1,2,3"; None when malformed."""
    parts = raw.split(",") if isinstance(raw, str) else raw
    try:
        vec = [float(x) for x in parts]
    except (TypeError, ValueError):
        return None
    return vec if len(vec) == EMBEDDING_DIM else None


@api.get("/health")
def health() -> Reply:
    if "health_500" in current_app.config["FAULTS"]:
        return error(500, "health check failed")
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        return jsonify(status="error", detail="database unavailable"), 503
    return jsonify(status="ok")


@api.post("/users")
def create_user() -> Reply:
    name = body().get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 100:
        return error(400, "name must be a string of 1-100 characters")
    user = User(name=name)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return error(409, f"user {name!r} already exists")
    db.session.add(Wallet(user_id=user.id, balance=0))
    db.session.commit()
    return jsonify(id=user.id, name=user.name), 201


@api.get("/users/<int:user_id>")
def get_user(user_id: int) -> Reply:
    user = db.session.get(User, user_id) or abort(404)
    return jsonify(id=user.id, name=user.name)


@api.post("/tasks")
def create_task() -> Reply:
    data = body()
    title, bounty = data.get("title"), data.get("bounty")
    if not isinstance(title, str) or not title:
        return error(400, "title must be a non-empty string")
    if type(bounty) is not int or bounty <= 0:
        return error(400, "bounty must be a positive integer")
    vec = parse_vector(data["embedding"]) if data.get("embedding") is not None else None
    if data.get("embedding") is not None and vec is None:
        return error(400, f"embedding must be {EMBEDDING_DIM} numbers")
    task = Task(title=title, bounty=bounty, embedding=vec)
    db.session.add(task)
    db.session.commit()
    return jsonify(task_json(task)), 201


@api.post("/tasks/<int:task_id>/accept")
def accept_task(task_id: int) -> Reply:
    user_id = body().get("user_id")
    task = db.session.get(Task, task_id, with_for_update=True) or abort(404)
    if type(user_id) is not int or db.session.get(User, user_id) is None:
        return error(400, "user_id must name an existing user")
    if task.completed or task.assignee_id not in (None, user_id):
        return error(409, "task is already taken")
    task.assignee_id = user_id
    db.session.commit()
    return jsonify(task_json(task))


@api.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int) -> Reply:
    pay = "reward_dropped" not in current_app.config["FAULTS"]
    try:
        done = rewards.complete(task_id, pay)
    except rewards.Conflict as exc:
        return error(409, str(exc))
    if done is None:
        abort(404)
    task, _paid = done
    # Reports the bounty either way: under reward_dropped only the wallet tells the truth.
    return jsonify(task=task_json(task), reward=task.bounty)


@api.get("/wallet/<int:user_id>")
def get_wallet(user_id: int) -> Reply:
    wallet = rewards.wallet_for(user_id) or abort(404)
    rows = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.wallet_id == wallet.id).order_by(LedgerEntry.id)
    )
    ledger = [{"id": e.id, "task_id": e.task_id, "amount": e.amount} for e in rows]
    return jsonify(user_id=user_id, balance=wallet.balance, ledger=ledger)


@api.get("/tasks/similar")
def similar_tasks() -> Reply:
    vec = parse_vector(request.args.get("vec", ""))
    if vec is None:
        return error(400, f"vec must be {EMBEDDING_DIM} comma-separated numbers")
    limit = request.args.get("limit", 5, type=int)
    distance = Task.embedding.l2_distance(vec)
    query = (select(Task, distance.label("distance")).where(Task.embedding.is_not(None))
             .order_by(distance).limit(max(1, min(limit, 50))))
    found = [{**task_json(t), "distance": float(d)} for t, d in db.session.execute(query)]
    return jsonify(tasks=found)
