"""A Flask app with a compiled C extension (psycopg2, from its sdist)."""
import dj_database_url
import dotenv
import flask
import psycopg2
from importlib.metadata import version

application = flask.Flask(__name__)


@application.route("/")
def index():
    db = dj_database_url.parse("postgres://user:pw@db.example:5432/app")
    return (
        f"Hello from Flask {version('flask')}\n"
        f"psycopg2 {psycopg2.__version__} linked against libpq {psycopg2.__libpq_version__}\n"
        f"database host {db['HOST']}, dotenv {version('python-dotenv')}\n"
    ), 200, {"Content-Type": "text/plain; charset=utf-8"}
