"""A plain WSGI application in a module that is not called wsgi, with its
requirements under requirements/ and its static files in assets/: every
location comes from a build knob."""
import importlib.metadata


def application(environ, start_response):
    body = "Hello from myapp; sqlparse {}\n".format(importlib.metadata.version("sqlparse"))
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body.encode("utf-8")]
