"""A help desk on loopback for the outbox tests: one real HTTP server (a thread) that answers as a
webhook receiver, as Zendesk's Tickets API and as Jira Cloud's REST v3, and checks what arrives
the way they document it (path, method, auth header, JSON body fields, the webhook signature).

    desk = HelpDesk(secret=..., zendesk=(email, token), jira=(email, token))
    desk.url                       # http://127.0.0.1:PORT
    desk.mode = "down"             # every answer a 503 with Retry-After: 1
    desk.mode = "drop"             # the object is created, then the connection closes unanswered
    desk.created["zendesk"]        # what each destination really created (once per idempotency key)
    desk.problems                  # every shape violation seen (a test asserts it is empty)
    desk.requests                  # (method, path, headers, body) of everything received

The checks here are written from the services' documentation, not from our senders' code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class HelpDesk:
    def __init__(self, secret: str, zendesk: tuple[str, str], jira: tuple[str, str], project: str = "SUP"):
        self.secret, self.zendesk, self.jira, self.project = secret, zendesk, jira, project
        self.mode = "up"
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.created: dict[str, list[dict[str, Any]]] = {"webhook": [], "zendesk": [], "jira": []}
        self.updates: dict[str, list[dict[str, Any]]] = {"zendesk": [], "jira": []}  # PUT ticket, comments
        self.problems: list[str] = []
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        desk = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                desk._serve(self, b"")

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                desk._serve(self, self.rfile.read(size))

            do_PUT = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- serving --------------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        parts = urlsplit(h.path)
        with self.lock:
            self.requests.append((h.command, parts.path, headers, body))
        if self.mode == "down":
            return self._answer(h, 503, {"error": "maintenance"}, {"Retry-After": "1"})
        route = {("POST", "/hook"): self._webhook, ("POST", "/api/v2/tickets.json"): self._zendesk,
                 ("POST", "/rest/api/3/issue"): self._jira_create,
                 ("GET", "/rest/api/3/search/jql"): self._jira_search}.get((h.command, parts.path))
        if route is None:
            route = self._pattern(h.command, parts.path)
        if route is None:
            self._problem(f"unexpected {h.command} {parts.path}")
            return self._answer(h, 404, {"error": "not_found"})
        status, payload = route(headers, body, parse_qs(parts.query))
        if self.mode == "drop" and h.command == "POST" and status < 300:
            h.close_connection = True  # created, but the acknowledgement never leaves
            h.connection.shutdown(2)
            return None
        return self._answer(h, status, payload)

    def _pattern(self, method: str, path: str):
        import re

        m = re.fullmatch(r"/api/v2/tickets/(\d+)\.json", path)
        if m and method == "PUT":
            return lambda headers, body, query: self._zendesk_update(int(m.group(1)), headers, body)
        m = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)/comment", path)
        if m:
            return lambda headers, body, query: self._jira_comment(method, m.group(1), headers, body)
        return None

    def _answer(self, h: BaseHTTPRequestHandler, status: int, payload: Any, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def _json(self, headers: dict[str, str], body: bytes, who: str) -> Any:
        if not headers.get("content-type", "").startswith("application/json"):
            self._problem(f"{who}: Content-Type is {headers.get('content-type')!r}")
        try:
            return json.loads(body)
        except ValueError:
            self._problem(f"{who}: the body is not JSON")
            return {}

    def _basic(self, headers: dict[str, str], user: str, password: str, who: str) -> bool:
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if headers.get("authorization") != expected:
            self._problem(f"{who}: wrong or missing Authorization")
            return False
        return True

    def _once(self, kind: str, key: str | None, make) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if key and (kind, key) in self._by_key:
                return 201, self._by_key[(kind, key)]
            obj = make(len(self.created[kind]) + 1)
            self.created[kind].append(obj)
            if key:
                self._by_key[(kind, key)] = obj
            return 201, obj

    # --- a webhook receiver: the signature is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> ---

    def _webhook(self, headers, body, query):
        sig = headers.get("x-copycar-signature", "")
        parts = dict(p.split("=", 1) for p in sig.split(",") if "=" in p)
        mac = hmac.new(self.secret.encode(), f"{parts.get('t', '')}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, parts.get("v1", "")):
            self._problem("webhook: the signature does not verify")
            return 401, {"error": "bad_signature"}
        doc = self._json(headers, body, "webhook")
        key = headers.get("idempotency-key")
        if not key or doc.get("idempotency_key") != key:
            self._problem("webhook: Idempotency-Key missing or not the body's")
        return self._once("webhook", key, lambda n: {"received": n, "ticket": doc.get("ticket")})[0], {"ok": True}

    # --- Zendesk: POST /api/v2/tickets.json, API token as "{email}/token:{token}" -------------

    def _zendesk(self, headers, body, query):
        if not self._basic(headers, f"{self.zendesk[0]}/token", self.zendesk[1], "zendesk"):
            return 401, {"error": "Couldn't authenticate you"}
        doc = self._json(headers, body, "zendesk")
        t = doc.get("ticket") if isinstance(doc, dict) else None
        if not isinstance(t, dict) or not isinstance(t.get("subject"), str) or not isinstance(
                (t.get("comment") or {}).get("body"), str):
            self._problem("zendesk: ticket.subject and ticket.comment.body are required strings")
            return 422, {"error": "RecordInvalid"}
        if t.get("priority") not in ("urgent", "high", "normal", "low"):
            self._problem(f"zendesk: priority {t.get('priority')!r}")
        status, ticket = self._once("zendesk", headers.get("idempotency-key"),
                                    lambda n: {"id": 1000 + n, **t})
        return status, {"ticket": ticket}

    # --- Jira Cloud: POST /rest/api/3/issue, API token as "{email}:{token}", ADF description --

    def _jira_create(self, headers, body, query):
        if not self._basic(headers, self.jira[0], self.jira[1], "jira"):
            return 401, {"errorMessages": ["Unauthorized"]}
        doc = self._json(headers, body, "jira")
        f = doc.get("fields") if isinstance(doc, dict) else None
        errors = {}
        if not isinstance(f, dict):
            return 400, {"errorMessages": ["fields is required"]}
        if (f.get("project") or {}).get("key") != self.project:
            errors["project"] = "project is required"
        if not isinstance(f.get("summary"), str) or not f["summary"] or len(f["summary"]) > 255:
            errors["summary"] = "You must specify a summary of the issue."
        if not (f.get("issuetype") or {}).get("name"):
            errors["issuetype"] = "Specify an issue type"
        d = f.get("description")
        if not (isinstance(d, dict) and d.get("type") == "doc" and d.get("version") == 1
                and isinstance(d.get("content"), list)):
            errors["description"] = "Operation value must be an Atlassian Document"
        if any(not isinstance(x, str) or " " in x for x in f.get("labels", [])):
            errors["labels"] = "labels cannot contain spaces"
        if errors:
            self._problem(f"jira: {errors}")
            return 400, {"errors": errors}
        _, issue = self._once("jira", None, lambda n: {"id": str(10000 + n), "key": f"{self.project}-{n}",
                                                        "self": f"{self.url}/rest/api/3/issue/{10000 + n}",
                                                        "labels": list(f.get("labels", []))})
        return 201, {k: issue[k] for k in ("id", "key", "self")}

    def _jira_search(self, headers, body, query):
        if not self._basic(headers, self.jira[0], self.jira[1], "jira search"):
            return 401, {"errorMessages": ["Unauthorized"]}
        jql = (query.get("jql") or [""])[0]
        label = jql.split('"')[1] if jql.count('"') >= 2 else ""
        with self.lock:
            found = [{"id": i["id"], "key": i["key"]} for i in self.created["jira"] if label in i["labels"]]
        return 200, {"issues": found, "isLast": True}

    # --- updates: Zendesk PUT /api/v2/tickets/{id}.json, Jira comments ----------------------

    def _zendesk_update(self, ident: int, headers, body):
        if not self._basic(headers, f"{self.zendesk[0]}/token", self.zendesk[1], "zendesk update"):
            return 401, {"error": "Couldn't authenticate you"}
        t = (self._json(headers, body, "zendesk update") or {}).get("ticket") or {}
        if ident not in [x["id"] for x in self.created["zendesk"]]:
            self._problem(f"zendesk: update of a ticket that does not exist: {ident}")
            return 404, {"error": "RecordNotFound"}
        if not isinstance((t.get("comment") or {}).get("body"), str):
            self._problem("zendesk update: ticket.comment.body is required")
            return 422, {"error": "RecordInvalid"}
        with self.lock:
            self.updates["zendesk"].append({"id": ident, **t})
        return 200, {"ticket": {"id": ident, "priority": t.get("priority")}}

    def _jira_comment(self, method: str, issue: str, headers, body):
        if not self._basic(headers, self.jira[0], self.jira[1], "jira comment"):
            return 401, {"errorMessages": ["Unauthorized"]}
        if issue not in [i["key"] for i in self.created["jira"]]:
            self._problem(f"jira: comment on an issue that does not exist: {issue}")
            return 404, {"errorMessages": ["Issue does not exist"]}
        if method == "GET":
            with self.lock:
                return 200, {"comments": [c for c in self.updates["jira"] if c["issue"] == issue]}
        d = (self._json(headers, body, "jira comment") or {}).get("body")
        if not (isinstance(d, dict) and d.get("type") == "doc" and d.get("version") == 1):
            self._problem("jira comment: body must be an Atlassian Document")
            return 400, {"errors": {"comment": "Comment body can not be empty!"}}
        with self.lock:
            comment = {"id": str(20000 + len(self.updates["jira"])), "issue": issue, "body": d}
            self.updates["jira"].append(comment)
        return 201, {"id": comment["id"]}
