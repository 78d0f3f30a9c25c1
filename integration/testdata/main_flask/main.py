"""Cloud Run's convention: main.py defines `app`; no server is listed."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<link rel='stylesheet' href='/static/site.css'><h1>Hello from main.py</h1>\n"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8080, debug=True)
