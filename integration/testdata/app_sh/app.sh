#!/bin/bash
# A custom start script: last-minute setup, then `exec` the server so it
# replaces this shell and receives the container's signals.
export APP_GREETING="started by app.sh"
exec gunicorn --bind "0.0.0.0:${PORT}" --workers 2 wsgi:application
