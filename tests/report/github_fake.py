"""A local stand-in for the GitHub REST API's issue comments, for the CI scripts' tests (no network)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeGitHub:
    """Issue comments of one repository. `deny` answers every request with that HTTP status."""

    def __init__(self, repository: str = "research/fleet", deny: int | None = None) -> None:
        self.repository = repository
        self.deny = deny
        self.comments: dict[int, list[dict]] = {}  # pull request -> comments
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Authorization)
        self._next_id = 1000
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                fake.requests.append((method, self.path, self.headers.get("Authorization")))
                if fake.deny:
                    return self._answer(fake.deny, {"message": "Resource not accessible by integration"})
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                prefix = f"/repos/{fake.repository}/issues"
                if method in ("GET", "POST") and (m := re.fullmatch(rf"{prefix}/(\d+)/comments", url.path)):
                    comments = fake.comments.setdefault(int(m[1]), [])
                    if method == "GET":
                        q = parse_qs(url.query)
                        per_page, page = int(q["per_page"][0]), int(q["page"][0])
                        return self._answer(200, comments[(page - 1) * per_page: page * per_page])
                    fake._next_id += 1
                    # as the REST API answers a workflow's GITHUB_TOKEN: the author is the Actions bot
                    comments.append({"id": fake._next_id, "body": body["body"],
                                     "user": {"login": "github-actions[bot]", "type": "Bot"}})
                    return self._answer(201, comments[-1])
                if method == "PATCH" and (m := re.fullmatch(rf"{prefix}/comments/(\d+)", url.path)):
                    for comments in fake.comments.values():
                        for c in comments:
                            if c["id"] == int(m[1]):
                                c["body"] = body["body"]
                                return self._answer(200, c)
                return self._answer(404, {"message": "Not Found"})

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

            def do_PATCH(self) -> None:  # noqa: N802
                self._handle("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGitHub":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
