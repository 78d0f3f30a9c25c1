"""A Flask app whose entry point is a dotted callable, server:app.wsgi_app
(see .warpdrive/environment): the servers load it through warpdrive's
generated module. Flask serves no static files itself (static_folder=None),
so /static/ answers only when the server (Apache's alias, or the WhiteNoise
wrapper around the dotted callable) serves it."""
from flask import Flask

app = Flask(__name__, static_folder=None)


@app.route("/")
def index():
    return "<link rel='stylesheet' href='/static/site.css'><h1>Hello from server:app.wsgi_app</h1>\n"
