"""The monitor: sample, compute the guide's metrics over sliding windows, raise and clear alerts.

    mon = Monitor(settings, kb, client, store=RunStore.open(data_dir()), clock=SystemClock(), lang="es")
    async for event in mon.run(duration_s=None):   # Tick, Alert, Delivered, Note
        ...
    mon.snapshot()                                 # what the screen, JSON and Prometheus show

Every `interval_s` it sends `GET /health` to every configured endpoint at once (a target in
back-off after a 429 is skipped) and, within the `/verify` budget (`budget.py`), one keyed
`GET /verify`, to the endpoints in turn. Each answer is a `Sample` in its target's window; every
tick the window's metrics go through the alert rules (`rules.py`), and every `record_every_s`
the window is written to the history with the latency seen (the baseline of "slower than
usual" comes from there, learnt from earlier runs and from this one's quiet windows).

Alert events are delivered (`notify.py`) in the background and recorded with how that went.
History writes happen in a thread (SQLite may wait for another process's lock). Nothing here
raises for the network: failures are samples, deliveries that failed are events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from copycar_assist.checks.api_support import api_url
from copycar_assist.checks.http import fetch
from copycar_assist.checks.urls import display_url, target_key
from copycar_assist.runs import runquery

from .budget import Backoff, VerifyBudget
from .clock import Clock, SystemClock
from .notify import Delivery, deliver
from .rules import AlertEvent, AlertTracker, Policy, rules_from
from .window import Metrics, Sample, Window

if TYPE_CHECKING:
    import httpx

    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.redact import Secret
    from copycar_assist.runs.runstore import RunStore


@dataclass(frozen=True)
class Tick:
    at: float
    metrics: dict[str, Metrics]
    samples: list[Sample]


@dataclass(frozen=True)
class Alert:
    event: AlertEvent


@dataclass(frozen=True)
class Delivered:
    event: AlertEvent
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True)
class Note:
    key: str  # i18n key under monitor.note.*
    params: dict[str, Any] = field(default_factory=dict)


MonitorEvent = Tick | Alert | Delivered | Note


def targets_of(settings: Settings) -> list[str]:
    """The configured base URLs, the main one first, without duplicates."""
    seen: list[str] = []
    for url in [settings.api.base_url, *(settings.api.endpoints or [])]:
        url = str(url).strip().rstrip("/")
        if url and url not in seen:
            seen.append(url)
    return seen


def shown(url: str) -> str:
    try:
        return display_url(url)
    except ValueError:
        return url[:200]


class Monitor:
    def __init__(self, settings: Settings, kb: KnowledgeBase, client: httpx.AsyncClient, *,
                 store: RunStore | None = None, clock: Clock | None = None,
                 lang: str = "en", policy: Policy | None = None, record_every_s: float = 60.0,
                 notify: bool = True):
        self.settings, self.kb, self.client, self.store = settings, kb, client, store
        self.clock: Clock = clock or SystemClock()
        self.lang = lang
        m = settings.monitor
        self.interval_s, self.window_s = float(m.interval_s), float(m.window_s)
        th = kb.support.thresholds
        self.policy = policy or Policy(slower_factor=th.slower_factor, slower_min_ms=th.slower_min_ms)
        self.tracker = AlertTracker(rules_from(kb.support), self.policy)
        self.urls = targets_of(settings)
        self.targets = [shown(u) for u in self.urls]
        # the name each target's latency is kept under in the history (the demo's port changes)
        self.keys = {shown(u): target_key(settings, u) for u in self.urls}
        self.windows = {t: Window(t, self.window_s) for t in self.targets}
        self.backoffs = {t: Backoff(self.interval_s) for t in self.targets}
        self.budget = VerifyBudget(float(m.verify_every_s))
        self.usual: dict[str, float | None] = dict.fromkeys(self.targets)
        self.usual_seen: dict[str, int] = dict.fromkeys(self.targets, 0)
        self.record_every_s = record_every_s
        self.notify = notify
        self.run_id: int | None = None
        self.sent = {"health": 0, "verify": 0}
        self.counts: dict[tuple[str, str, str], int] = {}  # (target, path, status) -> requests
        self.last: dict[str, Metrics] = {}
        self._verify_turn = 0
        self._pending: set[asyncio.Task[None]] = set()
        self._out: list[MonitorEvent] = []
        self.started = self.clock.time()
        self.request_timeout_s = max(0.5, min(float(settings.api.timeout_s), float(th.health_timeout_s)))

    # --- the loop -------------------------------------------------------------------------------

    async def run(self, *, duration_s: float | None = None, ticks: int | None = None) -> AsyncGenerator[MonitorEvent, None]:
        await prepare_services(self.settings)
        self.started = now = self.clock.time()
        if self.store is not None:
            await asyncio.to_thread(self.store.prune)  # windows and latency older than 90 days go
            self.run_id = await asyncio.to_thread(self.store.start_run, "monitor", base_url=self.keys[self.targets[0]])
            await self._refresh_usual(self.store)
            for t in self.targets:
                if self.usual[t] is None:
                    yield Note("no_baseline", {"target": t})
        if self.settings.api.key is None:
            yield Note("no_key", {})
        next_record = now + self.record_every_s
        n = 0
        try:
            while (ticks is None or n < ticks) and (duration_s is None or now - self.started < duration_s):
                tick_at = self.clock.time()
                samples = await self._probe(tick_at)
                now = self.clock.time()
                metrics = {t: w.metrics(now) for t, w in self.windows.items()}
                self.last = metrics
                yield Tick(now, metrics, samples)
                for t, m in metrics.items():
                    for raised in self.tracker.evaluate(m, usual_p95=self.usual[t], window_s=self.window_s):
                        yield Alert(raised)
                        self._start_delivery(raised)
                if now >= next_record:
                    next_record = now + self.record_every_s
                    await self._record(metrics)
                for event in self._drain():
                    yield event
                n += 1
                await self.clock.sleep(max(0.0, tick_at + self.interval_s - self.clock.time()))
                now = self.clock.time()
            await self._settle()
            for event in self._drain():
                yield event
        finally:  # also when the consumer stops early (no yield here: the generator is closing)
            await self._settle()
            if self.store is not None:
                await asyncio.to_thread(self.store.finish_run, self.run_id, self.summary())

    async def _probe(self, now: float) -> list[Sample]:
        jobs = []
        for url, target in zip(self.urls, self.targets, strict=True):
            if self.backoffs[target].blocked(now):
                continue
            jobs.append(self._one(target, api_url(url, "health"), "health", None, now))
        if self.settings.api.key is not None and self.budget.take(now):
            i = self._verify_turn % len(self.urls)
            self._verify_turn += 1
            jobs.append(self._one(self.targets[i], api_url(self.urls[i], "verify"), "verify",
                                  self.settings.api.key, now))
        return list(await asyncio.gather(*jobs))

    async def _one(self, target: str, url: str, path: str, key: Secret | None, at: float) -> Sample:
        r = await fetch(self.client, url, key=key, deadline_s=self.request_timeout_s, max_bytes=16 * 1024)
        self.sent[path] += 1
        sample = Sample(at, target, path, r.timings.total_ms, r.status, r.error)
        status = str(r.status) if r.status is not None else (r.error or "none")
        self.counts[(target, path, status)] = self.counts.get((target, path, status), 0) + 1
        now = self.clock.time()
        if path == "verify":
            self.budget.observe(now, r.status, r.headers)
        elif r.status == 429:
            self.backoffs[target].hit_429(now, r.header("retry-after"))
        elif r.status is not None:
            self.backoffs[target].answered()
        self.windows[target].add(sample)
        return sample

    # --- history --------------------------------------------------------------------------------

    def _response_rule(self) -> str | None:
        return next((r.type for r in self.tracker.rules if r.metric == "response_time_ms"), None)

    async def _record(self, metrics: dict[str, Metrics]) -> None:
        if self.store is None:
            return
        rt = self._response_rule()
        for t, m in metrics.items():
            if not m.samples:
                continue
            firing = [e.type for e in self.tracker.firing(t)]
            rule = next((r for r in self.tracker.rules if r.type == rt), None)
            quiet = rt is None or self.tracker.settled(t, rt)
            if rule is not None and m.p95_ms is not None:
                quiet = quiet and m.p95_ms <= self.tracker.limit(rule, self.usual[t])[0]
            await asyncio.to_thread(self.store.record_window, self.run_id, t, "probe", m, firing)
            await asyncio.to_thread(self.store.record_latency, self.keys[t], "monitor", samples=m.samples,
                                    avg_ms=m.avg_ms,
                                    p95_ms=m.p95_ms, usual=quiet, at=m.end)
        await self._refresh_usual(self.store)

    async def _refresh_usual(self, store: RunStore) -> None:
        for t in self.targets:
            b = await asyncio.to_thread(runquery.baseline, store, self.keys[t], self.clock.time())
            self.usual[t] = b.p95_ms if b else None
            self.usual_seen[t] = b.observations if b else 0

    # --- alerts ---------------------------------------------------------------------------------

    def _start_delivery(self, event: AlertEvent) -> None:
        task = asyncio.ensure_future(self._deliver(event))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _deliver(self, event: AlertEvent) -> None:
        alert_id = None
        if self.store is not None:
            alert_id = await asyncio.to_thread(self.store.record_alert, self.run_id, event)
        if not self.notify:
            return
        when = datetime.fromtimestamp(event.at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        deliveries = await deliver(self.settings, self.client, event, self.lang, when)
        if self.store is not None:
            await asyncio.to_thread(self.store.set_delivery, alert_id, {d.channel: d.to_json() for d in deliveries})
        self._out.append(Delivered(event, tuple(deliveries)))

    async def _settle(self, timeout_s: float = 20.0) -> None:
        """Let deliveries in flight finish (each is bounded by its own deadline)."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout_s)

    def _drain(self) -> list[MonitorEvent]:
        out, self._out = self._out, []
        return out

    # --- what others show -----------------------------------------------------------------------

    @staticmethod
    def target_note(note: Note, lang: str) -> str:
        from copycar_assist.i18n import t

        return t(f"monitor.note.{note.key}", lang, **note.params)

    def summary(self) -> dict[str, Any]:
        return {"requests": dict(self.sent), "alerts_firing": [e.type for e in self.tracker.firing()],
                "budget": self.budget.to_json(self.clock.time())}

    def snapshot(self) -> dict[str, Any]:
        """The current state as JSON-ready data (the `--json` line, Prometheus, the screen)."""
        now = self.clock.time()
        out = []
        for t in self.targets:
            m = self.last.get(t) or self.windows[t].metrics(now)
            out.append({"target": t, **m.to_json(), "usual_p95_ms": self.usual[t],
                        "usual_from": self.usual_seen[t],
                        "alerts": [e.to_json() for e in self.tracker.firing(t)]})
        return {"at": now, "window_s": self.window_s, "interval_s": self.interval_s, "targets": out,
                "thresholds": {r.metric: r.threshold for r in self.tracker.rules},
                "requests": [{"target": t, "path": p, "status": s, "count": n}
                             for (t, p, s), n in sorted(self.counts.items())],
                "budget": self.budget.to_json(now)}


async def prepare_services(settings: Settings) -> None:
    """Start the on-demand services the monitor talks to (the demo world's API and mail server),
    which otherwise start when a check first needs them."""
    if settings.services is not None:
        await settings.services.prepare(["api.health", "api.verify", "email.smtp"])
