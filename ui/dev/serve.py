#!/usr/bin/env python3
"""Dev-only: serve ui/ on 127.0.0.1 with a strict Content-Security-Policy, like the
app's, so a violation shows up in the browser console while looking at ?demo.

    python3 ui/dev/serve.py [PORT]     then open http://127.0.0.1:PORT/?demo
"""
import functools
import http.server
import pathlib
import sys

UI = pathlib.Path(__file__).resolve().parent.parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: asset: http://asset.localhost; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'"
)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(UI)))
    print(f"Serving {UI} on http://127.0.0.1:{port}/", flush=True)
    server.serve_forever()
