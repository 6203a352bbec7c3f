"""Small helpers shared by the integration checks (email, crm, cache). No UI, no network here.

`IntegrationCheck` carries the attributes the `Check` protocol asks for; `finish()` builds a
`Finding` whose summary and evidence went through the context's redactor and `textsafe`, so a
check cannot leak a secret or a control sequence by forgetting to clean one value.
"""

from __future__ import annotations

from typing import Any

from copycar_assist.textsafe import one_line

from .base import CheckContext, Finding, Status


class IntegrationCheck:
    id: str = ""
    tags: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    needs_input: tuple[str, ...] = ()
    timeout_s: float = 15.0

    def __repr__(self) -> str:
        return f"<check {self.id}>"

    def budget(self) -> float:
        """The check's own deadline: a little under the runner's, so it reports first."""
        return max(0.2, self.timeout_s * 0.9 - 0.2)


def _clean_value(value: Any, redact) -> Any:
    if isinstance(value, str):
        return redact(one_line(value, limit=300))
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, dict):
        return {redact(one_line(str(k), limit=80)): _clean_value(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_value(v, redact) for v in value][:50]
    return redact(one_line(str(value), limit=300))


def finish(ctx: CheckContext, status: Status, outcome: str, summary: str,
           evidence: dict[str, Any] | None = None) -> Finding:
    """A Finding with the summary and every evidence string cleaned and redacted."""
    redact = ctx.redactor.redact
    return Finding(status=status, outcome=outcome,
                   summary=redact(one_line(summary, limit=600)),
                   evidence=_clean_value(evidence or {}, redact))


def skipped(ctx: CheckContext, es: str, en: str, evidence: dict[str, Any] | None = None) -> Finding:
    return finish(ctx, "skipped", "skipped", ctx.t(es=es, en=en), evidence)


def ms_since(started: float) -> int:
    import time

    return int((time.perf_counter() - started) * 1000)
