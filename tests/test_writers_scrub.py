"""Every writer goes through the one scrub (`redact.make_scrubber`): a key the settings do not know
(pasted into a reason, a file name, a setting, a help desk's answer) never appears whole in what
the run history, config, monitor and tickets commands print, nor in the files they write in the
data directory, nor in what leaves for a webhook or a help desk. The settings' own secrets are
covered by the same scrub (test_redact.py, test_config.py)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from copycar_assist.cli import main

PASTED = "sk-live-4b3c2d1e0f9a8b7c6d5e4f3a"  # looks like a key; no setting holds it


def cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def files_holding(root: Path, text: str) -> list[str]:
    return [str(p.relative_to(root)) for p in sorted(root.rglob("*")) if p.is_file() and text.encode() in p.read_bytes()]


class Receiver:
    """A loopback HTTP server that keeps every body it gets and answers `status` with `answer`."""

    def __init__(self, status: int = 200, answer: dict[str, Any] | None = None) -> None:
        self.bodies: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                receiver.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                body = json.dumps(answer or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def start(status: int = 200, answer: dict[str, Any] | None = None) -> Receiver:
        made.append(Receiver(status, answer))
        return made[-1]

    yield start
    for r in made:
        r.stop()


def test_the_run_history_writer(capsys, data_dir):
    code, out = cli(capsys, "doctor", "--ack", "api.health", "--until", "7d", "--reason", f"rotated {PASTED} today")
    assert code == 0 and "rotated" in out and "…" in out
    for argv in (["history"], ["history", "--json"], ["doctor", "--unack", "api.verify"]):
        code, out = cli(capsys, *argv)
        assert code == 0 and PASTED not in out, argv
    code, out = cli(capsys, "history")
    assert "rotated" in out  # the reason is kept, with the key masked
    assert files_holding(data_dir, PASTED) == [] and files_holding(data_dir, "rotated")


def test_the_config_writer(capsys):
    code, out = cli(capsys, "config", "set", "crm.field_map.company", PASTED)
    assert code == 0 and "crm.field_map.company" in out and PASTED not in out
    code, out = cli(capsys, "config", "show")
    assert code == 0 and "crm.field_map.company" in out and PASTED not in out
    code, out = cli(capsys, "config", "show", "--json")
    shown = json.loads(out)["settings"]["crm.field_map"]["value"]["company"]
    assert PASTED not in out and shown.startswith("sk-") and shown.endswith(PASTED[-4:])  # masked, not dropped


def test_the_monitor_writer(capsys, tmp_path, data_dir):
    log = tmp_path / f"calls-{PASTED}.log"
    log.write_text("".join(f"2025-03-01 10:00:{i:02d},000 - copycar_ai - INFO - API Call: POST /v2/generate - "
                           f"Status: 200 - Response Time: {100 + i}ms\n" for i in range(30)))
    for argv in (["monitor", "--log-file", str(log)], ["monitor", "--log-file", str(log), "--json"]):
        code, out = cli(capsys, *argv)
        assert code == 0 and "calls-sk-" in out and PASTED not in out, argv
    assert files_holding(data_dir, PASTED) == []


def test_the_monitor_webhook_writer(receiver, tmp_path):
    import asyncio
    import time

    import httpx

    from copycar_assist.config import Settings
    from copycar_assist.monitor.notify import post_webhook
    from copycar_assist.monitor.rules import AlertEvent
    from copycar_assist.redact import Secret

    hook = receiver()
    settings = Settings()
    settings.monitor.webhook_url = Secret(f"{hook.url}/hook")
    event = AlertEvent(f"http://127.0.0.1:9/{PASTED}/v2", "HIGH_ERROR_RATE", "CRITICAL", "raised", time.time(), 0.3,
                       0.05, "threshold", "error_rate", {"en": "High error rate", "es": "Muchos errores"})

    async def send():
        async with httpx.AsyncClient() as client:
            return await post_webhook(settings, client, event)

    delivery = asyncio.run(send())
    assert delivery.state == "sent" and len(hook.bodies) == 1
    assert json.loads(hook.bodies[0])["type"] == "HIGH_ERROR_RATE" and PASTED.encode() not in hook.bodies[0]


def test_the_tickets_writer(capsys, receiver, tmp_path, data_dir, monkeypatch):
    from copycar_assist.support.outbox import Outbox

    desk = receiver(400, {"error": f"field token={PASTED} is not allowed"})  # a help desk quoting the paste
    config = tmp_path / "config.toml"
    config.write_text(f'[helpdesk]\nsend_to = ["webhook"]\nwebhook_url = "{desk.url}/hook"\n')
    config.chmod(0o600)
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(config))
    doc = {"case_id": "case-1", "severity": "high", "problem": {"title": f"401 with {PASTED}"},
           "customer": {"name": "Acme"}, "markdown": f"# Ticket\n\nThe customer pasted {PASTED}.\n",
           "reply": {"text": f"Your key {PASTED} is revoked."}}
    Outbox().put(doc)  # an outbox file holding the paste (written by hand, or before a fix)

    code, out = cli(capsys, "tickets", "send")
    assert code == 1 and "webhook" in out and "400" in out and PASTED not in out
    assert desk.bodies and all(PASTED.encode() not in b for b in desk.bodies)
    for argv in (["tickets", "list"], ["tickets", "list", "--json"], ["tickets", "show", "case-1"],
                 ["tickets", "show", "case-1", "--json"], ["tickets", "show", "case-1", "--reply"]):
        code, out = cli(capsys, *argv)
        assert code == 0 and ("case-1" in out or "revoked" in out), argv
        assert PASTED not in out, argv
    assert [f for f in files_holding(data_dir, PASTED) if not f.startswith("outbox/")] == []
    item = Outbox().get("case-1")
    assert "400" in item.deliveries["webhook"].last_error and PASTED not in item.deliveries["webhook"].last_error


def test_what_leaves_for_a_help_desk_is_scrubbed_and_stays_json():
    from email import message_from_bytes
    from email.policy import default

    from copycar_assist.config import Settings
    from copycar_assist.support.deliver import SendContext
    from copycar_assist.support.deliver.mail import message

    doc = {"case_id": "c", "markdown": f"pasted {PASTED}", "nested": [{"quote": f'say "{PASTED}"\n'}]}
    ctx = SendContext(Settings(), client=None)
    body = ctx.body(doc)
    assert PASTED.encode() not in body and json.loads(body)["nested"][0]["quote"].startswith('say "sk-')
    mail = message_from_bytes(message(doc, "key-1", "a@example.com", "b@example.com", ctx.scrub, None), policy=default)
    text = mail.get_body(("plain",)).get_content()
    attached = next(mail.iter_attachments()).get_content().decode()
    assert "pasted sk-" in text and PASTED not in text
    assert json.loads(attached)["nested"][0]["quote"].startswith('say "sk-') and PASTED not in attached


def test_only_the_check_runner_and_the_scrub_use_a_bare_redactor():
    """`settings.redactor()` is the runner's (a `CheckContext`'s, or its `Results` when nothing
    can run) and `make_scrubber`'s; every writer takes the scrub instead."""
    import ast

    package = Path(__file__).resolve().parent.parent / "copycar_assist"
    stray = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("CheckContext", "Results"):
                allowed |= {id(a) for a in node.args} | {id(k.value) for k in node.keywords}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "redactor"
                    and not node.args and not node.keywords
                    and id(node) not in allowed and path.name != "redact.py"):
                stray.append(f"{path.relative_to(package)}:{node.lineno}")
    assert stray == [], "use redact.make_scrubber(settings) (and scrub_obj) in writers"


def test_a_run_whose_check_quotes_a_pasted_key_is_stored_masked(data_dir):
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.runs.runstore import RunStore

    store = RunStore.open(data_dir)
    result = CheckResult("api.auth", "fail", "invalid_key", f"the server refused {PASTED}", {"sent": PASTED}, 1)
    assert store.record_run("doctor", [result]) is not None
    assert files_holding(data_dir, PASTED) == [] and files_holding(data_dir, PASTED[-4:])  # masked, kept
