from flask import Blueprint, abort, jsonify, render_template_string, request

from board.extensions import db
from board.models import Post

bp = Blueprint("board", __name__)

PAGE = "<!doctype html><title>Board</title><h1>Board</h1><p>{{ count }} posts</p>"


@bp.get("/")
def index():
    return render_template_string(PAGE, count=db.session.query(Post).count())


@bp.get("/posts")
def list_posts():
    return jsonify([{"id": p.id, "title": p.title} for p in db.session.query(Post).all()])


@bp.get("/posts/<int:post_id>")
def get_post(post_id: int):
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    return jsonify({"id": post.id, "title": post.title})


@bp.post("/posts")
def add_post():
    post = Post(title=(request.get_json(silent=True) or {}).get("title", "untitled"))
    db.session.add(post)
    db.session.commit()
    return jsonify({"id": post.id, "title": post.title}), 201
