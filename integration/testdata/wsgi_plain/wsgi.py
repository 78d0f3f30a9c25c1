"""A plain WSGI application: no framework, no requirements."""
import os
import sys


def application(environ, start_response):
    body = (
        "<html><head><link rel='stylesheet' href='/static/admin/css/base.css'></head>"
        "<body><h1>Hello from a plain WSGI app</h1>"
        "<p>Python {} on {}</p></body></html>"
    ).format(sys.version.split()[0], environ.get("SERVER_SOFTWARE", os.environ.get("SERVER_SOFTWARE", "?")))
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [body.encode("utf-8")]
