"""The demo world's cache: a real `redis-server` on 127.0.0.1, started with a scenario's
configuration and data — never a fake. Where redis-server is not installed the cache scenarios
say so (`NOT_INSTALLED`) and the cache check is skipped with that reason.

The configuration goes to redis-server on its standard input (`redis-server -`), so the demo
password never appears in the process arguments. Scenarios:

- healthy         requirepass, 64 MB with allkeys-lru, keys and a good hit ratio
- redis-down      nothing listens at the configured address (no redis-server needed)
- redis-auth      the server's password was rotated: the configured one is refused (WRONGPASS)
- redis-eviction  maxmemory 4 MB with allkeys-lru and 6 MB of keys written: keys are evicted
- redis-low-hits  1,500 lookups of which four in five miss (keys rebuilt per process)
- redis-blocked   a client holds the server (CLIENT PAUSE, as a KEYS over a huge keyspace
                  would): commands get no answer

The data is written by this module's own few lines of RESP (set-up only: the check never writes).
"""

from __future__ import annotations

import shutil
import socket
import time
from typing import TYPE_CHECKING

from copycar_assist.files.msg import Msg

if TYPE_CHECKING:
    import subprocess

PASSWORD = "demo-redis-7c0pyc4r-pa55"
ROTATED = "demo-redis-rotated-2k24"
START_TIMEOUT_S = 5.0

REDIS_SCENARIOS: tuple[str, ...] = (  # the names this service acts on (what each means: catalogue.py)
    "redis-down",
    "redis-auth",
    "redis-eviction",
    "redis-low-hits",
    "redis-blocked",
)
NOT_INSTALLED = Msg.of("sim.redis_not_installed")


class NotInstalled(Exception):
    """redis-server is not on this machine: the cache scenarios cannot run (`NOT_INSTALLED`)."""


def redis_server() -> str | None:
    """The redis-server executable, or None when it is not installed."""
    return shutil.which("redis-server")


def url(port: int) -> str:
    return f"redis://:{PASSWORD}@127.0.0.1:{port}/0"


def _config(port: int, scenario: str | None) -> str:
    lines = [f"port {port}", "bind 127.0.0.1", 'save ""', "appendonly no", "daemonize no", "loglevel warning",
             'logfile ""', "protected-mode yes",
             f"requirepass {ROTATED if scenario == 'redis-auth' else PASSWORD}"]
    if scenario == "redis-eviction":
        lines += ["maxmemory 4mb", "maxmemory-policy allkeys-lru"]
    else:
        lines += ["maxmemory 64mb", "maxmemory-policy allkeys-lru"]
    return "\n".join(lines) + "\n"


class Resp:
    """The few lines of RESP the set-up needs: send commands, read their replies."""

    def __init__(self, port: int, timeout_s: float = 3.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        self.buf = b""

    @staticmethod
    def encode(*args: str | bytes) -> bytes:
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            data = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(out)

    def pipeline(self, commands: list[tuple[str | bytes, ...]]) -> list[bytes]:
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))
        return [self._reply() for _ in commands]

    def call(self, *args: str | bytes) -> bytes:
        return self.pipeline([args])[0]

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis-server closed the connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _reply(self) -> bytes:
        line = self._line()
        if line[:1] == b"$" and int(line[1:]) >= 0:
            n = int(line[1:])
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("redis-server closed the connection")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if line[:1] == b"*" and int(line[1:]) > 0:
            return b" ".join(self._reply() for _ in range(int(line[1:])))
        return line

    def close(self) -> None:
        self.sock.close()


class RedisService:
    """A redis-server for one scenario (None: healthy) on `port`. `start()` blocks until it answers."""

    name = "redis"

    def __init__(self, port: int, scenario: str | None):
        self.port, self.scenario = port, scenario
        self.proc: subprocess.Popen[bytes] | None = None  # the redis-server process
        self._holder: Resp | None = None

    def start(self) -> None:
        import subprocess

        exe = redis_server()
        if exe is None:
            raise NotInstalled()
        self.proc = subprocess.Popen([exe, "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        assert self.proc.stdin is not None
        self.proc.stdin.write(_config(self.port, self.scenario).encode())
        self.proc.stdin.close()
        self._wait_ready()
        self._load()

    def _wait_ready(self) -> None:
        assert self.proc is not None
        end = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise OSError(f"redis-server exited with code {self.proc.returncode} (port {self.port} taken?)")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64):
                        return
            except OSError:
                time.sleep(0.02)
        raise TimeoutError(f"redis-server did not answer within {START_TIMEOUT_S:g} s")

    def _load(self) -> None:
        """The scenario's data and traffic, written over the server's own protocol."""
        password = ROTATED if self.scenario == "redis-auth" else PASSWORD
        r: Resp | None = Resp(self.port)
        assert r is not None
        try:
            r.call("AUTH", password)
            if self.scenario == "redis-eviction":  # 6 MB into 4 MB: the oldest keys go
                value = b"x" * 8192
                r.pipeline([("SET", f"copycar:content:{n}", value, "EX", "3600") for n in range(750)])
            elif self.scenario == "redis-low-hits":  # keys built with hash(): another process misses them
                r.pipeline([("SET", f"copycar:{n}", "cached", "EX", "3600") for n in range(300)])
                r.pipeline([("GET", f"copycar:{n % 300}" if n % 5 == 0 else f"copycar:{n + 100000}") for n in range(1500)])
            elif self.scenario is None or self.scenario == "redis-blocked":
                r.pipeline([("SET", f"copycar:{n}", "cached", "EX", "3600") for n in range(200)])
                r.pipeline([("GET", f"copycar:{n % 220}") for n in range(1200)])
            if self.scenario == "redis-blocked":
                r.pipeline([("KEYS", "copycar:*")] * 3)  # what the guide's invalidation does
                r.call("CLIENT", "PAUSE", "86400000", "ALL")  # and the server holds every client
                self._holder, r = r, None  # keep the connection: the pause belongs to it
        finally:
            if r is not None:
                r.close()

    def stop(self) -> None:
        if self._holder is not None:
            self._holder.close()
            self._holder = None
        if self.proc is None:
            return
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=3)
        self.proc = None
