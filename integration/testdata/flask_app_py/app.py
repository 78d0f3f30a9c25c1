"""Heroku's and Render's Flask shape: app.py defines the app, whose platform
start command was `gunicorn app:app`; run directly, it starts Flask's
development server, which must never serve production."""
import os

from flask import Flask

app = Flask(__name__, static_folder=None)


@app.route("/")
def index():
    return "Hello from app.py\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")), debug=True)
