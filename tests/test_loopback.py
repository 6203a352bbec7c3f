"""One loopback rule (checks/loopback.py): a destination is loopback only when every address it
resolves to is, whatever its name says. The attack: `/etc/hosts` maps `evil.localhost` to an
address of this machine's network card; the first version sent `Authorization: Bearer <key>`
there over plain http. Run in a private mount namespace (`unshare -m`) so the test's own
/etc/hosts is seen by the installed command alone; skipped with the reason where that is not
allowed."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from copycar_assist.checks import loopback
from copycar_assist.simulator import DEMO_KEY, start_simulator

KEY = "sk-canary-loopback-5e4d3c2b1a09"
SMTP_PASSWORD = "smtp-canary-pw-77aa66bb55cc"
CRM_TOKEN = "crm-canary-token-0f1e2d3c4b5a"
REDIS_PASSWORD = "redis-canary-pw-9a8b7c6d5e4f"


def test_the_rule_looks_at_addresses_not_names():
    assert loopback.is_loopback_address("127.0.0.1") and loopback.is_loopback_address("127.8.9.10")
    assert loopback.is_loopback_address("::1") and loopback.is_loopback_address("[::1]")
    assert loopback.is_loopback_address("::ffff:127.0.0.1")
    assert not loopback.is_loopback_address("localhost") and not loopback.is_loopback_address("10.0.0.1")
    assert not loopback.is_loopback_address("::ffff:10.0.0.1")
    assert not loopback.Destination("nowhere.invalid", ()).loopback
    assert not loopback.Destination("mixed", ("127.0.0.1", "192.0.2.7")).loopback
    both = loopback.Destination("localhost", ("::1", "127.0.0.1"))
    assert both.loopback and both.address == "127.0.0.1"


class Recorder(socketserver.ThreadingTCPServer):
    """A server on every interface that answers any HTTP request with 200 and keeps every byte."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.received = bytearray()
        self.connections = 0
        self.lock = threading.Lock()

        class Handler(socketserver.BaseRequestHandler):
            def handle(inner):
                with self.lock:
                    self.connections += 1
                inner.request.settimeout(2)
                try:
                    data = inner.request.recv(65536)
                except OSError:
                    return
                with self.lock:
                    self.received += data
                body = b'{"status": "ok"}'
                inner.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                      b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

        super().__init__(("0.0.0.0", 0), Handler)


def outward_address() -> str | None:
    """An address of this machine that is not loopback (the network card's), if there is one."""
    for probe in ("10.255.255.254", "192.0.2.1", "198.51.100.1"):  # no packet is sent (UDP connect)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
            except OSError:
                continue
            address = s.getsockname()[0]
        if not loopback.is_loopback_address(address):
            return address
    return None


def private_namespace_works(tmp_path: Path) -> str | None:
    """None when `unshare -m` with a bind mount over /etc/hosts works here, else why not."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = tmp_path / "probe-hosts"
    probe.write_text("127.0.0.1 probe.invalid\n")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        f"mount --bind {probe} /etc/hosts && getent hosts probe.invalid"],
                       capture_output=True, text=True, timeout=20)
    return None if r.returncode == 0 and "127.0.0.1" in r.stdout else \
        f"no private mount namespace here (unshare -m: {r.stderr.strip()[:120] or r.returncode})"


def in_namespace(hosts: Path, argv: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    script = 'mount --bind "$1" /etc/hosts && shift && exec "$@"'
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", str(hosts), *argv],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def secret_forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), base64.b64encode(b"\0user\0" + raw), raw[:12]]


def test_evil_localhost_gets_no_secret_and_a_real_loopback_name_works(tmp_path):
    why = private_namespace_works(tmp_path)
    if why:
        pytest.skip(why)
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback to point evil.localhost at")
    server = Recorder()
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sim = start_simulator()
    try:
        hosts = tmp_path / "hosts"
        hosts.write_text(f"127.0.0.1 localhost\n{address} evil.localhost\n127.0.0.1 good.localhost\n")
        config = tmp_path / "config.toml"
        config.write_text(
            f'[smtp]\nhost = "evil.localhost"\nport = {port}\nsecurity = "none"\nusername = "u"\n'
            f'password = "{SMTP_PASSWORD}"\nfrom = "a@example.com"\n'
            f'[crm]\nkind = "rest"\nbase_url = "http://evil.localhost:{port}"\ntoken = "{CRM_TOKEN}"\n'
            f'[redis]\nurl = "redis://:{REDIS_PASSWORD}@evil.localhost:{port}/0"\n')
        config.chmod(0o600)
        script = Path(sys.executable).with_name("copycar-assist")
        argv = [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
               "COPYCAR_ASSIST_CONFIG": str(config), "COPYCAR_ASSIST_DATA": str(tmp_path / "data"),
               "COPYCAR_API_KEY": KEY, "COPYCAR_BASE_URL": f"http://evil.localhost:{port}/v2"}
        r = in_namespace(hosts, [*argv, "doctor", "--only", "api", "email", "crm", "cache", "--json"], env, tmp_path)
        results = {x["id"]: x for x in json.loads(r.stdout)["results"]}
        with server.lock:
            received = bytes(server.received)
        for secret in (KEY, SMTP_PASSWORD, CRM_TOKEN, REDIS_PASSWORD):
            for form in secret_forms(secret):
                assert form not in received, secret
        assert b"authorization" not in received.lower()
        assert b"GET /v2/health" in received  # the key-less health check may go anywhere
        assert results["api.verify"]["status"] != "pass" and "accepts the key" not in r.stdout
        assert "refused to send the key over plain http: evil.localhost is not loopback" in json.dumps(results["api.verify"])
        assert results["email.smtp"]["outcome"] == "misconfigured" and address in results["email.smtp"]["summary"]
        assert "The token was not sent" in results["crm.auth"]["summary"]
        assert results["cache.redis"]["summary"].startswith("The password was not sent")
        # a name that really is loopback: the key goes, to the address that was checked
        env.update(COPYCAR_API_KEY=DEMO_KEY, COPYCAR_BASE_URL=f"http://good.localhost:{sim.port}/v2")
        r = in_namespace(hosts, [*argv, "doctor", "--only", "api", "--json"], env, tmp_path)
        verify = {x["id"]: x for x in json.loads(r.stdout)["results"]}["api.verify"]
        assert verify["status"] == "pass", verify
        assert ("GET", "/v2/verify", True) in sim.requests
    finally:
        server.shutdown()
        server.server_close()
        sim.stop()
