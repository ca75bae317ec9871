"""Extension objects, bound to the app in create_app() (the factory pattern)."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()
