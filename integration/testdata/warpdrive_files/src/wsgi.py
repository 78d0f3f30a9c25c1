"""A plain WSGI app living in src/ (.warpdrive/home) that reports what the
.warpdrive/ files gave it."""
import os

import wheelhouse_demo


def application(environ, start_response):
    lines = [
        "greeting=" + os.environ.get("GREETING", "(unset)"),
        "quoted=" + os.environ.get("QUOTED_VALUE", "(unset)"),
        "server_args=" + os.environ.get("FROM_SERVER_ARGS", "(unset)"),
        "wheel=" + wheelhouse_demo.VALUE,
        "cwd=" + os.getcwd(),
    ]
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [("\n".join(lines) + "\n").encode("utf-8")]
