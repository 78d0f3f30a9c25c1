"""The uv variant: its page also shows the words of the workspace member
libs/greeting, which the lock installs from its directory."""
import os

from flask import Flask

import greeting

app = Flask(__name__)


@app.route("/")
def index():
    return f"Hello from a {os.environ.get('LOCKED_BY', 'locked')} app\n{greeting.WORDS}\n"
