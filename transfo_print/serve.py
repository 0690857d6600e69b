"""Serve the web edition on 127.0.0.1 while editing (`watch --web`), reloading the browser
after each rebuild.

The site's pages hold no script. This server adds one to each HTML page it sends: it asks
for the build stamp (web.STAMP, rewritten whenever a file of the site changes) every second
and reloads the page when the stamp differs from the one it first saw.
"""

from __future__ import annotations

import functools
import io
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .web import STAMP

HOST = "127.0.0.1"  # only this machine: a preview, not a publication
POLL_MS = 1000
RELOAD = f"""<script>
(function () {{
  var seen = null;
  setInterval(function () {{
    fetch("/{STAMP}", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }})
      .then(function (stamp) {{
        if (seen !== null && stamp !== seen) location.reload();
        seen = stamp;
      }}).catch(function () {{}});
  }}, {POLL_MS});
}})();
</script>""".encode()


class _Handler(SimpleHTTPRequestHandler):
    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(b"</body>", RELOAD + b"</body>", 1)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload shows the new files
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # the watcher prints one line per rebuild; requests are not news


def serve(folder: Path, port: int) -> ThreadingHTTPServer:
    """Serve `folder` on 127.0.0.1:`port` from a background thread; the running server
    (`shutdown()` stops it)."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = ThreadingHTTPServer((HOST, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
