"""The web process: a plain WSGI app served by waitress on $PORT."""
import os
import sys


def application(environ, start_response):
    body = f"Hello from the poetry-run script (argv {sys.argv[1:]})\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def run():
    from waitress import serve

    serve(application, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
