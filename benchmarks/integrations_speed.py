"""Integration checks' speed on loopback: the SMTP probe (STARTTLS + AUTH), the domain DNS check,
the three CRM checks against the simulator, the Redis check, the spam scorer on short and
huge pastes, and how long the bounded failures take (silent SMTP server, silent DNS, silent
Redis). Prints figures; asserts nothing.

    python benchmarks/integrations_speed.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copycar_assist.checks.cache import CacheCheck
from copycar_assist.checks.crm import CrmAuthCheck, CrmFieldsCheck, CrmPermissionsCheck
from copycar_assist.checks.dnscheck import DomainCheck
from copycar_assist.checks.email import SmtpCheck
from copycar_assist.checks.http import make_client
from copycar_assist.checks.spam import score
from copycar_assist.config import Settings
from copycar_assist.redact import Secret
from copycar_assist.simulator import start_simulator
from copycar_assist.simulator.crm import DEMO_FIELD_MAP
from tests.email_dns_suite import suite_authority
from tests.fixtures_dns import start_authority, stop_authority
from tests.fixtures_integrations import make_ctx, start_smtp


def line(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"  {name:<44} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   (n={len(samples)})")


async def timed(coro_factory, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        await coro_factory()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def main(rounds: int) -> None:
    import trustme

    print(f"integration checks on loopback, {rounds} rounds each")
    ca = trustme.CA()
    tmp = tempfile.mkdtemp()
    ca_file = f"{tmp}/ca.pem"
    ca.cert_pem.write_to_path(ca_file)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)

    async with make_client() as client:
        # SMTP
        srv = await start_smtp(starttls=server_ctx)
        s = Settings()
        s.smtp.host, s.smtp.port, s.smtp.username = "127.0.0.1", srv.port, "alerts@example.test"
        s.smtp.password, s.smtp.from_addr, s.smtp.ca_file = Secret("canary-smtp-pass-7f3a9c"), "a@example.test", ca_file
        check = SmtpCheck()
        line("email.smtp (connect..STARTTLS..AUTH..MAIL/RCPT/RSET..QUIT)", await timed(lambda: check.run(make_ctx(s, client)), rounds))
        srv.server.close()

        silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        s2 = Settings()
        s2.smtp.host, s2.smtp.port = "127.0.0.1", silent.sockets[0].getsockname()[1]
        bounded = SmtpCheck(timeout_s=15.0, phase_timeout_s=5.0)
        line("email.smtp, silent server (phase timeout 5 s)", await timed(lambda: bounded.run(make_ctx(s2, client)), 1))
        silent.close()

        # DNS
        dns = start_authority(suite_authority())
        s3 = Settings()
        s3.email.domain, s3.email.dkim_selectors = "good.test", ["s1"]
        s3.email.nameservers, s3.email.dns_port = ["127.0.0.1"], dns.port
        dcheck = DomainCheck()
        line("email.domain (MX+hosts+rDNS, SPF tree, DMARC, 1 DKIM)", await timed(lambda: dcheck.run(make_ctx(s3, client)), rounds))
        s3.email.domain = "spf-10.test"
        line("email.domain, SPF with 10 look-ups", await timed(lambda: dcheck.run(make_ctx(s3, client)), rounds))
        stop_authority(dns)
        mute = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        mute.bind(("127.0.0.1", 0))
        s3.email.dns_port = mute.getsockname()[1]
        line("email.domain, silent DNS (lifetime 4 s)", await timed(lambda: dcheck.run(make_ctx(s3, client)), 1))
        mute.close()

        # CRM
        with start_simulator("crm-ok") as sim:
            for kind in ("rest", "hubspot", "salesforce"):
                s4 = Settings()
                s4.crm.kind, s4.crm.base_url, s4.crm.token = kind, sim.root_url + "/crm", Secret("canary-crm-token-51d0e2b8")
                s4.crm.field_map = dict(DEMO_FIELD_MAP) if kind != "salesforce" else {"email": "Email"}

                async def three(settings=s4):
                    ctx = make_ctx(settings, client)
                    await asyncio.gather(CrmAuthCheck().run(ctx), CrmPermissionsCheck().run(ctx), CrmFieldsCheck().run(ctx))

                line(f"crm.auth+permissions+fields ({kind})", await timed(three, rounds))

        # Redis
        if shutil.which("redis-server"):
            port = free_port()
            proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(0.3)
                s5 = Settings()
                s5.redis.url = Secret(f"redis://127.0.0.1:{port}/0")
                rcheck = CacheCheck()
                line("cache.redis (2×PING, INFO, INFO commandstats)", await timed(lambda: rcheck.run(make_ctx(s5, client)), rounds))
                s5.redis.url = Secret(f"redis://127.0.0.1:{free_port()}/0")
                line("cache.redis, refused port", await timed(lambda: rcheck.run(make_ctx(s5, client)), rounds))
            finally:
                proc.terminate()
                proc.wait(timeout=5)
            silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
            s5.redis.url = Secret(f"redis://127.0.0.1:{silent.sockets[0].getsockname()[1]}/0")
            line("cache.redis, silent server (reply timeout 3 s)", await timed(lambda: rcheck.run(make_ctx(s5, client)), 1))
            silent.close()
        else:
            print("  cache.redis: redis-server not installed, skipped")

    # spam scorer
    short = "Subject: Your March report\n\nHi Sam, the numbers are attached. Unsubscribe: https://x.test/u\n"
    line("email.spam scorer, 90-char message", [_t(lambda: score(short)) for _ in range(rounds * 10)])
    huge = ("FREE MONEY click here http://bit.ly/x ¡¡GRATIS!! " * 3000)[:100_000]
    line("email.spam scorer, 100 KB paste", [_t(lambda: score(huge)) for _ in range(max(3, rounds // 4))])
    line("email.spam scorer, 5 MB paste (cut at 100 KB)", [_t(lambda: score(huge * 50)) for _ in range(3)])


def _t(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


if __name__ == "__main__":
    import logging

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own deprecation notice
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
