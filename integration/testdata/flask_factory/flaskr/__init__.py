"""The Flask tutorial's layout: an application factory in a package."""
import sys

from flask import Flask


def create_app(config_name="development"):
    app = Flask(__name__)

    @app.route("/")
    def index():
        return f"Hello from flaskr, made by create_app({config_name!r}) on Python {sys.version.split()[0]}\n"

    return app
