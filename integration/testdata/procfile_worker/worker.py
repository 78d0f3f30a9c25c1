"""A worker with no web server: it does one round of work and says so."""
import os
import sys

print(f"worker ran with {sys.argv[1:]} as uid {os.getuid()}", flush=True)
