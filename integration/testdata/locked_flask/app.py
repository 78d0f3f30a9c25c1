"""A Flask app whose dependencies are pinned by a lock file (see locks/)."""
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return f"Hello from a {os.environ.get('LOCKED_BY', 'locked')} app\n"
