import subprocess

import jqext
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    # jq from the Aptfile, on PATH at run time.
    version = subprocess.run(["jq", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    result = subprocess.run(["jq", "-c", ".a"], input='{"a": [1, 2]}', capture_output=True, text=True, check=True).stdout.strip()
    canonical = jqext.canonical('{"b": 1, "a": 2}')
    return f"jq: {version}; jq .a: {result}; jqext: {canonical}\n"
