"""A Flask app written for Heroku: its Procfile starts gunicorn."""
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return f"Hello from a Procfile app on port {os.environ.get('PORT')}, workers {os.environ.get('WEB_CONCURRENCY')}\n"
