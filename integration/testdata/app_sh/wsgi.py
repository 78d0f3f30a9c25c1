import os

from whitenoise import WhiteNoise


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [("Hello, " + os.environ.get("APP_GREETING", "?") + "\n").encode()]


# The app serves its own static files (it chose its server in app.sh).
application = WhiteNoise(hello, root=os.path.join(os.path.dirname(__file__), "static"), prefix="static/")
