"""hello_flit: importable only when pip has installed the project (src layout)."""
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return f"Hello from the installed package {__name__} at {__file__}\n"

    return app
