"""The check model: what a check is, what it returns, and the context it runs in. No UI here.

Every check is a `Check`: an id from the knowledge catalogue (`knowledge/checks.toml`), tags,
a timeout, the outcomes it may give (the registry holds them equal to the catalogue's when it
registers the check) and an `async run(ctx) -> Finding`. The settings it needs and the material
it reads are the catalogue's alone (`needs`, `material`): what cannot run is known without
importing the check. A check builds its findings with `self.finding(...)`, which refuses an
outcome it did not declare. The runner (`runner.py`) turns a Finding into a `CheckResult` with
`results.py`, the one place that redacts and cleans what a check said and maps its outcome to the
knowledge base's entry and cause; it turns crashes and timeouts into `error` results. Checks
never redact on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from copycar_assist.kb.model import MATERIAL

if TYPE_CHECKING:
    import asyncio

    import httpx

    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.redact import Redactor
    from copycar_assist.runs.runstore import RunStore

    from .http_client import SharedClient

Status = Literal["pass", "warn", "fail", "error", "skipped"]
STATUSES: tuple[str, ...] = ("pass", "warn", "fail", "error", "skipped")
# A check's short facts: name -> a string, number or boolean, or a list or table of them (the
# runner cleans, redacts and caps every value).
Evidence = dict[str, Any]
# The run's shared requests: a key naming the request -> its one task (see `shared`).
Memo = dict[tuple[object, ...], "asyncio.Future[Any]"]
_T = TypeVar("_T")


@dataclass
class Finding:
    """What a check found. `outcome` is one of the catalogue's outcomes for the check."""

    status: Status
    outcome: str
    summary: str  # already in the context's language
    evidence: Evidence = field(default_factory=dict)  # short facts, values cleaned of controls


@dataclass
class CheckResult:
    id: str
    status: Status
    outcome: str
    summary: str
    evidence: Evidence
    duration_ms: int
    entry: str | None = None
    cause: str | None = None
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "status": self.status, "outcome": self.outcome,
            "summary": self.summary, "evidence": self.evidence, "duration_ms": self.duration_ms,
            "entry": self.entry, "cause": self.cause,
        }


@dataclass
class Inputs:
    """Material the user handed over for the local checks: pasted text or a chosen file.

    The catalogue names what a check reads by kind (`material`): "prompt", "account", "log", "email".
    """

    prompt: str | None = None
    account_file: str | None = None
    account_text: str | None = None
    email_text: str | None = None
    log_file: str | None = None
    log_text: str | None = None

    KINDS = MATERIAL

    def has(self, kind: str) -> bool:
        """Whether material of this kind was given (as text or as a file)."""
        values = {"prompt": (self.prompt,), "account": (self.account_file, self.account_text),
                  "log": (self.log_file, self.log_text), "email": (self.email_text,)}[kind]
        return any(v for v in values)

    def give(self, kind: str, *, text: str | None = None, path: str | None = None) -> None:
        """Record material of one kind: pasted `text`, or the `path` of a file."""
        if kind == "prompt":
            self.prompt = text
        elif kind == "email":
            self.email_text = text if path is None else _read_text(path)
        elif kind == "account":
            self.account_file, self.account_text = path, text
        elif kind == "log":
            self.log_file, self.log_text = path, text
        else:
            raise ValueError(f"unknown input kind {kind!r}")


def _read_text(path: str, limit: int = 2_000_000) -> str:
    with open(path, "rb") as fh:
        return fh.read(limit).decode("utf-8", errors="replace")


@dataclass
class CheckContext:
    settings: Settings
    kb: KnowledgeBase
    http: SharedClient  # the one shared client, made when a check first asks for it (`client`)
    redactor: Redactor
    lang: str = "en"
    inputs: Inputs = field(default_factory=Inputs)
    # progress: called with a short step message (already in `lang`)
    step: Callable[[str], None] = lambda message: None
    # per-run memo shared by the checks of one run (e.g. the one GET /verify that api.verify
    # and api.rate_limit both read); the runner gives every run a fresh one
    memo: Memo = field(default_factory=dict, repr=False, compare=False)
    # the run history: the latency check reads the usual latency of the base URL from it and adds
    # what it saw; None: no history is kept in this run
    history: RunStore | None = field(default=None, repr=False, compare=False)

    @property
    def client(self) -> httpx.AsyncClient:
        return self.http.get()

    def t(self, key: str, **params: object) -> str:
        """The catalogue's message `key` in the context's language (`i18n.t`)."""
        from copycar_assist.i18n import t

        return t(key, self.lang, **params)

    def check_title(self, check_id: str) -> str:
        """Another check as people read it ("CRM authentication"), for a finding that points to it."""
        return self.kb.check_title(check_id, self.lang)


async def shared(ctx: CheckContext, key: tuple[object, ...], start: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """The result of the run's one task for `key`, started by the first check that asks (the
    others await the same task). Shielded: one reader timing out must not cancel the request
    another reader awaits."""
    import asyncio  # here: the model is imported before any event loop exists (a greeting needs none)

    task = ctx.memo.get(key)
    if task is None:
        task = asyncio.ensure_future(start())
        ctx.memo[key] = task
    # the memo holds tasks of several result types; a key is always started by the same `start`
    return cast("_T", await asyncio.shield(task))


RUNNER_OUTCOMES = ("error", "skipped")  # outcomes any check may give (status equal to the outcome)


def fits(status: str, outcome: str) -> bool:
    """Whether a status and an outcome go together: "ok" only passes; "error" and "skipped" only
    with that same status."""
    return status in STATUSES and (outcome != "ok" or status == "pass") and (
        outcome not in RUNNER_OUTCOMES or status == outcome)


class Check:
    """The base of every check. Subclasses set the class attributes and write `run`."""

    id: str = ""
    tags: tuple[str, ...] = ()
    timeout_s: float = 15.0
    # every outcome it can give besides the runner's ("error", "skipped"): the catalogue's list
    outcomes: tuple[str, ...] = ("ok",)

    async def run(self, ctx: CheckContext) -> Finding:  # pragma: no cover - every check writes it
        raise NotImplementedError

    def finding(self, status: Status, outcome: str, summary: str, evidence: Evidence | None = None) -> Finding:
        """The one way to build a Finding: the outcome must be declared and fit the status
        ("ok" only passes; "error" and "skipped" only with that status). ValueError otherwise."""
        if outcome not in self.outcomes and outcome not in RUNNER_OUTCOMES:
            raise ValueError(f"{self.id} has no outcome {outcome!r} (it has: {', '.join(self.outcomes)})")
        if not fits(status, outcome):
            raise ValueError(f"{self.id}: status {status!r} does not fit outcome {outcome!r}")
        return Finding(status, outcome, summary, dict(evidence or {}))

    def skipped(self, ctx: CheckContext, key: str, evidence: Evidence | None = None, **values: object) -> Finding:
        """Skipped, saying why: the catalogue's message `key` in the context's language."""
        return self.finding("skipped", "skipped", ctx.t(key, **values), evidence)

    def budget(self) -> float:
        """The check's own deadline: a little under the runner's, so it reports first."""
        return max(0.2, self.timeout_s * 0.9 - 0.2)

    def __repr__(self) -> str:
        return f"<check {self.id}>"


# --- progress events (the TUI turns these into messages) -------------------------------------


@dataclass(frozen=True)
class CheckStarted:
    check_id: str
    title: str


@dataclass(frozen=True)
class CheckStep:
    check_id: str
    message: str


@dataclass(frozen=True)
class CheckFinished:
    result: CheckResult


Event = CheckStarted | CheckStep | CheckFinished
