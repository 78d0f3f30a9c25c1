"""Serves the local package index as PyPI serves its own: python's
http.server, plus the Cache-Control headers PyPI sends.

PyPI's package files are immutable and cached for a year, so pip's HTTP cache
keeps them and a later install does not download them again; its index pages
may be cached for 10 minutes. Without these headers pip caches nothing from
this server, and a rebuild would download every package again where it would
not against PyPI.

    python3 indexserver.py --bind 127.0.0.1 --directory WWW PORT
"""
import argparse
import functools
import http.server

PACKAGE_FILE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".metadata")


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.endswith(PACKAGE_FILE_SUFFIXES):
            self.send_header("Cache-Control", "max-age=365000000, immutable, public")
        else:
            self.send_header("Cache-Control", "max-age=600, public")
        super().end_headers()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--directory", required=True)
    parser.add_argument("port", type=int)
    args = parser.parse_args()
    handler = functools.partial(Handler, directory=args.directory)
    server = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
    print(f"Serving {args.directory} on {args.bind} port {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
