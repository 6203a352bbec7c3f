"""Running checks for the engine: the shared client, the context, live progress.

The runner is `checks.runner.run_checks` unless the engine was given another `check_runner`
with the same signature. The one shared httpx client comes from `checks.runner.make_client`
and is created on first use and closed by `CheckRunner.aclose()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copycar_assist.checks.base import CheckContext, CheckFinished, CheckResult, Inputs

from .events import CheckProgress, Event

DEADLINE_S = 30.0


class ChecksUnavailable(Exception):
    """The checks package (registry or runner) is not installed in this build."""


def checks_for(kb: Any, entry_id: str) -> list[str]:
    try:
        from copycar_assist.checks.registry import checks_for_entry
    except ImportError as exc:
        raise ChecksUnavailable(str(exc)) from None
    return list(checks_for_entry(kb, entry_id))


class CheckRunner:
    def __init__(self, kb: Any, settings: Any, runner: Callable[..., Any] | None = None,
                 inputs: Inputs | None = None, deadline_s: float = DEADLINE_S):
        self.kb = kb
        self.deadline_s = deadline_s
        self.settings = settings
        self._runner = runner
        self._client: Any = None
        self.inputs = inputs or Inputs()

    def _resolve_runner(self) -> Callable[..., Any]:
        if self._runner is None:
            try:
                from copycar_assist.checks.runner import run_checks
            except ImportError as exc:
                raise ChecksUnavailable(str(exc)) from None
            self._runner = run_checks
        return self._runner

    def client(self) -> Any:
        if self._client is None:
            try:
                from copycar_assist.checks.runner import make_client
            except ImportError:
                import httpx

                self._client = httpx.AsyncClient(timeout=10.0, follow_redirects=False)
            else:
                self._client = make_client(self.settings)
        return self._client

    async def run(self, check_ids: list[str], *, lang: str, prefer_entry: str | None,
                  on_event: Callable[[Event], None]) -> list[CheckResult]:
        """Run `check_ids`; every progress event goes to `on_event` as a CheckProgress."""
        runner = self._resolve_runner()
        ctx = CheckContext(settings=self.settings, kb=self.kb, client=self.client(),
                           redactor=self.settings.redactor(), lang=lang, inputs=self.inputs)
        finished: list[CheckResult] = []

        def progress(event: Any) -> None:
            if isinstance(event, CheckFinished):
                finished.append(event.result)
            on_event(CheckProgress(event))

        report = await runner(ctx, check_ids, prefer_entry=prefer_entry, on_event=progress,
                              deadline_s=self.deadline_s)
        results = list(getattr(report, "results", None) or finished)
        order = {cid: n for n, cid in enumerate(check_ids)}
        return sorted(results, key=lambda r: order.get(r.id, len(order)))

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
