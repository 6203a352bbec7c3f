"""Monitor (F5): the performance monitor live — response time and error rate charts with the
thresholds drawn, the endpoints as the load balancer sees them, and the alerts as they come.

The monitor (`copycar_assist.monitor.engine`) runs in one `@work(exclusive=True,
exit_on_error=False)` worker from the first time the screen is shown until the app closes;
the worker only turns its events into messages. Charts are `textual-plotext` plots (axes, the
threshold line in red, the usual p95 of the target in green); their labels are our own words,
never text from outside. F5 is not in the footer (F1–F4 and ^s fill it at 80 columns): the help
and the command palette name it.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from ..bindings import LocalizedBindings, bindings

if TYPE_CHECKING:
    from copycar_assist.monitor.engine import Monitor
    from copycar_assist.monitor.engine import MonitorEvent as Event

# one chart point: (time, p95 in ms, error rate)
Point = tuple[float, float | None, float | None]

POINTS = 360  # chart points kept per target (30 minutes at one sample every 5 s)


class MonitorEvent(Message):
    """One event of the monitor (Tick, Alert, Delivered or Note)."""

    def __init__(self, event: Event) -> None:
        self.event = event
        super().__init__()


class MonitorScreen(LocalizedBindings, Screen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "monitor.tcss")
    BINDINGS = bindings("monitor")

    def __init__(self) -> None:
        super().__init__()
        self._started = False
        self._paused = False
        self._monitor: Monitor | None = None
        self._series: dict[str, deque[Point]] = {}
        self._alerts: deque[str] = deque(maxlen=6)

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Header()
        yield Static(t("ui.monitor_starting", self.copycar_app.lang), id="monitor-status", markup=False)
        with Horizontal(id="monitor-charts"):
            yield PlotextPlot(id="monitor-latency")
            yield PlotextPlot(id="monitor-errors")
        yield DataTable(id="monitor-endpoints", cursor_type="row", zebra_stripes=True)
        yield Static("", id="monitor-alerts", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._columns()

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        lang = self.copycar_app.lang
        for key in ("ui.mon_col_endpoint", "ui.mon_col_state", "ui.mon_col_p95", "ui.mon_col_errors", "ui.mon_col_samples"):
            table.add_column(t(key, lang), key=key)

    def on_screen_resume(self) -> None:
        if not self._started:
            self._started = True
            self._run()

    def on_language(self, lang: str) -> None:
        self._columns()
        if self._monitor is not None:
            self._show(self._monitor.snapshot())

    def action_toggle_pause(self) -> None:
        self._paused = not self._paused
        self._status()

    # --- the worker ---------------------------------------------------------------------------

    @work(exclusive=True, group="monitor", exit_on_error=False)
    async def _run(self) -> None:
        import contextlib

        from copycar_assist.monitor.engine import Monitor

        app = self.copycar_app
        self._monitor = Monitor(app.settings, app.kb, app.shared_client().get(), store=app.runs(), lang=app.lang,
                                clock=app.monitor_clock)
        async with contextlib.aclosing(self._monitor.run()) as events:
            async for event in events:
                self.post_message(MonitorEvent(event))

    @on(MonitorEvent)
    def _on_event(self, message: MonitorEvent) -> None:
        from copycar_assist.monitor.engine import Alert, Delivered, Note, Tick

        monitor = self._monitor
        if monitor is None:  # events come only from a running monitor
            return
        event, lang = message.event, self.copycar_app.lang
        if isinstance(event, Tick):
            for target, m in event.metrics.items():
                self._series.setdefault(target, deque(maxlen=POINTS)).append((event.at, m.p95_ms, m.error_rate))
            if not self._paused:
                self._show(monitor.snapshot())
        elif isinstance(event, Alert):
            e = event.event
            mark = "▼" if e.state == "cleared" else "▲"
            self._alerts.appendleft(f"{mark} {one_line(e.message(lang), 300)}")
            self.query_one("#monitor-alerts", Static).update(Content("\n".join(self._alerts)))
            self.copycar_app.notify(e.message(lang), title=e.title_in(lang), markup=False,
                                    severity="information" if e.state == "cleared" else
                                    "error" if e.severity == "CRITICAL" else "warning", timeout=8)
        elif isinstance(event, Delivered):
            failed = [d for d in event.deliveries if d.state == "failed"]
            if failed:
                self._alerts.appendleft(t("ui.mon_delivery_failed", lang, channel=failed[0].channel,
                                           detail=one_line(failed[0].detail, 120)))
                self.query_one("#monitor-alerts", Static).update(Content("\n".join(self._alerts)))
        elif isinstance(event, Note):
            self._alerts.appendleft("· " + monitor.target_note(event, lang))
            self.query_one("#monitor-alerts", Static).update(Content("\n".join(self._alerts)))

    # --- drawing ------------------------------------------------------------------------------

    def _status(self) -> None:
        mon = self._monitor
        if mon is None:
            return
        lang = self.copycar_app.lang
        budget = mon.budget.to_json(mon.clock.time())
        text = t("ui.monitor_status", lang, n=len(mon.targets), interval=f"{mon.interval_s:g}",
                  window=f"{mon.window_s / 60:g}", health=mon.sent["health"], verify=mon.sent["verify"])
        if budget["paused"] in ("quota", "backoff"):
            text += " · " + t("ui.monitor_verify_paused", lang, why=budget["paused"])
        if self._paused:
            text = t("ui.monitor_paused", lang) + " · " + text
        self.query_one("#monitor-status", Static).update(Content(text))

    def _show(self, snap: dict[str, Any]) -> None:
        self._status()
        self._table(snap)
        self._charts(snap)

    def _table(self, snap: dict[str, Any]) -> None:
        from copycar_assist.monitor.rules import fmt

        table, lang = self.query_one(DataTable), self.copycar_app.lang
        table.clear(columns=True)
        for key in ("ui.mon_col_endpoint", "ui.mon_col_state", "ui.mon_col_p95", "ui.mon_col_errors", "ui.mon_col_samples"):
            table.add_column(t(key, lang), key=key)
        for tgt in snap["targets"]:
            alerts = ", ".join(a["type"] for a in tgt["alerts"])
            healthy = not tgt["alerts"] and (tgt["error_rate"] or 0) == 0
            state = t("ui.mon_healthy" if healthy else "ui.mon_degraded" if not alerts else "ui.mon_alerting", lang)
            table.add_row(Text(one_line(tgt["target"], 60)), Text(state + (f" ×{len(tgt['alerts'])}" if alerts else "")),
                          Text(fmt("response_time_ms", tgt["p95_ms"], lang)), Text(fmt("error_rate", tgt["error_rate"], lang)),
                          Text(str(tgt["samples"])), key=tgt["target"])

    def _charts(self, snap: dict[str, Any]) -> None:
        from textual_plotext import PlotextPlot

        lang = self.copycar_app.lang
        thresholds = snap.get("thresholds", {})
        now = snap["at"]
        lat = self.query_one("#monitor-latency", PlotextPlot)
        err = self.query_one("#monitor-errors", PlotextPlot)
        for plot, index, title, limit, scale in (
                (lat, 1, t("ui.mon_chart_latency", lang), thresholds.get("response_time_ms"), 1.0),
                (err, 2, t("ui.mon_chart_errors", lang), (thresholds.get("error_rate") or 0) * 100, 100.0)):
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            plt.title(title)
            top = limit or 0
            for series in self._series.values():
                values = ((point[0], point[index]) for point in series)
                points = [((at - now) / 60, value * scale) for at, value in values if value is not None]
                if points:
                    xs, ys = zip(*points, strict=True)
                    plt.plot(list(xs), list(ys), marker="braille")
                    top = max(top, max(ys))
            if limit:
                plt.hline(limit, "red")
            if index == 1:
                usual = [tgt.get("usual_p95_ms") for tgt in snap["targets"] if tgt.get("usual_p95_ms")]
                if usual:
                    plt.hline(min(usual), "green")
                    top = max(top, min(usual))
            plt.ylim(0, top * 1.1 or 1)
            plt.xlabel(t("ui.mon_minutes_ago", lang))
            plot.refresh()
