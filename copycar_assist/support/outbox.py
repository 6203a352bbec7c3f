"""The outbox: tickets waiting for the help desk, kept until each destination acknowledged them.

One file per case, `<data dir>/outbox/<case id>.json` (mode 0600, rewritten atomically):

    {"outbox_version": 1, "case_id", "revision", "idempotency_key", "queued_at",
     "document": <the ticket's JSON document: support/ticket_json.py>,
     "deliveries": {"webhook": {"state", "attempts", "next_at", "last_error", "unknown",
                                "delivered_at", "remote"}, …}}

- `put(doc)`: a new case is queued; a case already queued gets the new document in place while
  no delivery of it was tried, else a new revision with a new idempotency key. A destination
  that holds an earlier revision gets the new one as an update of what it holds (a comment on
  the Zendesk ticket or the Jira issue, `ticket.updated` for the webhook, a reply for e-mail),
  never as a second ticket.
- `send(...)`: each destination of each item not yet delivered — `pending`, `failed`, or
  `sending` left by a run that died (its outcome unknown) — is tried; a run retries failures
  worth a retry a few times with short pauses, then leaves the item with its next time
  (exponential back-off, or the destination's `Retry-After`). `force=False` respects that time
  (automatic retries), `force=True` tries now (`tickets send`). A delivery is `delivered` only
  on the destination's acknowledgement, so the help desk being down loses nothing, and it is
  never tried again after that: exactly once per destination, with the idempotency key covering
  a lost acknowledgement.
- Destinations are the agent's (`[helpdesk]`), taken when an item is first sent; later ones only
  when named (`to=`). Two senders never work one item at once (a lock per item).

Never imports Textual.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copycar_assist.files.msg import Msg
from copycar_assist.files.read import OUTBOX, ReadError, read_json
from copycar_assist.files.write import WriteError, locked, write_atomic

from . import deliver as dv

if TYPE_CHECKING:
    import httpx

    from copycar_assist.config import Settings

OUTBOX_VERSION = 1
BACKOFF_S = (30, 60, 120, 300, 900, 1800, 3600)  # wait after the 1st, 2nd, … failed attempt
RUN_TRIES = 3  # tries per destination in one run, for failures worth a retry
RUN_PAUSES_S = (0.3, 1.0)  # between them: short, a person may be waiting
MAX_RUN_WAIT_S = 5.0  # a longer Retry-After ends the run's tries for that destination


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Delivery:
    state: str = "pending"  # pending | sending | delivered | failed
    attempts: int = 0
    next_at: float = 0.0  # epoch seconds: not before this without force
    last_error: str | Msg | None = None  # what the destination answered, or our words about it
    unknown: bool = False  # an attempt may have arrived without an answer
    delivered_at: str | None = None
    remote: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    case_id: str
    revision: int
    idempotency_key: str
    queued_at: str
    document: dict[str, Any]
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    # what earlier revisions created, per destination ({"id", "url"}): a new revision updates it
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def delivered(self) -> bool:
        return bool(self.deliveries) and all(d.state == "delivered" for d in self.deliveries.values())

    @property
    def tried(self) -> bool:
        return any(d.attempts or d.state != "pending" for d in self.deliveries.values())

    def to_json(self) -> dict[str, Any]:
        return {"outbox_version": OUTBOX_VERSION, "case_id": self.case_id, "revision": self.revision,
                "idempotency_key": self.idempotency_key, "queued_at": self.queued_at,
                "document": self.document, "deliveries": {k: _delivery_json(v) for k, v in self.deliveries.items()},
                "previous": self.previous}

    @classmethod
    def from_json(cls, data: Any, path: Path) -> Item:
        try:
            deliveries = {str(k): _delivery(v) for k, v in data["deliveries"].items()}
            return cls(str(data["case_id"]), int(data["revision"]), str(data["idempotency_key"]),
                       str(data["queued_at"]), dict(data["document"]), deliveries,
                       {str(k): dict(v) for k, v in dict(data.get("previous") or {}).items()})
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReadError(path, "outbox_shape", field=type(exc).__name__) from None


def _delivery_json(d: Delivery) -> dict[str, Any]:
    """A delivery as the file keeps it: a message of ours as its key and values."""
    out = asdict(d)
    if isinstance(d.last_error, Msg):
        out["last_error"] = {"key": d.last_error.key, "params": dict(d.last_error.params)}
    return out


def _delivery(data: dict[str, Any]) -> Delivery:
    d = Delivery(**data)
    said = d.last_error
    if isinstance(said, dict):
        d.last_error = Msg.of(str(said["key"]), **dict(said.get("params") or {}))
    elif said is not None and not isinstance(said, str):
        raise TypeError("last_error")
    return d


def detail_text(detail: str | Msg | None, lang: str) -> str:
    """What a delivery said, in the reader's language when it is ours."""
    return detail.text(lang) if isinstance(detail, Msg) else detail or ""


@dataclass
class Report:
    case_id: str
    destination: str
    ok: bool
    detail: str | Msg  # without the destination's name (`detail_text` puts it into words)
    remote: dict[str, Any] = field(default_factory=dict)

    def said(self, lang: str, case: bool = False) -> str:
        """"✓ webhook: 202 → 1001": the mark, (the case,) the destination, its answer and what it
        created."""
        where = f" → {self.remote.get('id')}" if self.remote.get("id") else ""
        which = f"{self.case_id} " if case else ""
        return f"{'✓' if self.ok else '…'} {which}{self.destination}: {detail_text(self.detail, lang)}{where}"


def key_for(case_id: str, revision: int) -> str:
    return f"copycar-{case_id}-r{revision}"


class Outbox:
    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def folder(self) -> Path:
        from .history import data_dir

        return self._root or data_dir() / "outbox"

    def path_for(self, case_id: str) -> Path:
        safe = "".join(c for c in case_id if c.isalnum() or c in "-_") or "case"
        return self.folder / f"{safe}.json"

    def _write(self, item: Item) -> None:
        text = json.dumps(item.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        write_atomic(self.path_for(item.case_id), text.encode("utf-8"))

    def read(self, path: Path) -> Item:
        return Item.from_json(read_json(path, OUTBOX), path)

    def get(self, case_id: str) -> Item | None:
        """The item of a case: its id, or a prefix naming one case; None when there is none."""
        exact = self.path_for(case_id)
        if exact.exists():
            return self.read(exact)
        found = [p for p in self._paths() if p.stem.startswith(case_id)] if case_id else []
        return self.read(found[0]) if len(found) == 1 else None

    def _paths(self) -> list[Path]:
        folder = self.folder
        return sorted(folder.glob("*.json")) if folder.is_dir() else []

    def items(self) -> tuple[list[Item], list[Msg]]:
        """Every item, oldest first, and the files that could not be read (path: reason)."""
        items, problems = [], []
        for path in self._paths():
            try:
                items.append(self.read(path))
            except ReadError as exc:
                problems.append(Msg.of("cli.tickets.problem.unreadable", file=exc.path, reason=exc.reason_msg()))
        return sorted(items, key=lambda i: (i.queued_at, i.case_id)), problems

    def put(self, doc: dict[str, Any]) -> Item:
        """Queue a case's ticket (see the module doc for a case queued before)."""
        case_id = str(doc.get("case_id") or "case")
        path = self.path_for(case_id)
        with locked(path):
            old = self.read(path) if path.exists() else None
            if old is not None and (not old.tried or old.document == doc):
                old.document = doc
                item = old
            else:
                revision = old.revision + 1 if old is not None else 1
                item = Item(case_id, revision, key_for(case_id, revision), _now_iso(), doc)
                if old is not None:  # what the help desk already holds is updated, not made again
                    item.previous = {**old.previous, **{name: {**d.remote, "revision": old.revision}
                                                        for name, d in old.deliveries.items()
                                                        if d.state == "delivered"}}
            self._write(item)
        return item


def _wait_after(attempts: int, retry_after: float | None) -> float:
    base = BACKOFF_S[min(attempts, len(BACKOFF_S)) - 1] if attempts else 0
    return max(float(base), retry_after or 0.0)


async def send(outbox: Outbox, settings: Settings, *, case_id: str | None = None, force: bool = True,
               to: list[str] | None = None, client: httpx.AsyncClient | None = None, deadline_s: float = 15.0,
               now: float | None = None) -> tuple[list[Report], list[Msg]]:
    """Try to deliver what waits (one case, or all). Returns (reports, problems, put into words
    where they are shown)."""
    from copycar_assist.checks.runner import make_client

    ready, missing = dv.configured(settings)
    problems = [Msg.of("cli.tickets.problem.not_configured", name=name) for name in missing]
    if case_id is not None:
        item = outbox.get(case_id)
        if item is None:
            return [], problems + [Msg.of("cli.tickets.problem.no_such_ticket", id=case_id)]
        targets = [item]
    else:
        targets, unreadable = outbox.items()
        problems += unreadable
    own = client is None
    client = client or make_client(settings)
    reports: list[Report] = []
    try:
        ctx = dv.SendContext(settings, client, deadline_s)
        for item in targets:
            reports += await _send_item(outbox, item.case_id, ctx, ready, to or [], force, now)
    finally:
        if own:
            await client.aclose()
    if not ready and not to:
        problems.append(Msg.of("cli.tickets.problem.no_destination"))
    return reports, problems


async def _send_item(outbox: Outbox, case_id: str, ctx: dv.SendContext, ready: list[str], named: list[str],
                     force: bool, now: float | None) -> list[Report]:
    path = outbox.path_for(case_id)
    try:
        with locked(path, timeout_s=0.2):
            item = outbox.read(path)  # fresh, inside the lock
            if not item.deliveries:
                item.deliveries = {name: Delivery() for name in ready}
            for name in named:
                if name in ready:
                    item.deliveries.setdefault(name, Delivery())
            reports = []
            for name, d in item.deliveries.items():
                if d.state == "delivered":
                    continue
                if name not in ready:
                    reports.append(Report(case_id, name, False, Msg.of("cli.tickets.delivery.waits_for_setup")))
                    continue
                if not force and d.next_at > (now if now is not None else time.time()):
                    continue
                reports.append(await _try(outbox, item, name, d, ctx))
            return reports
    except WriteError as exc:
        if exc.key == "locked":
            return [Report(case_id, "-", False, Msg.of("cli.tickets.delivery.other_process"))]
        raise


async def _try(outbox: Outbox, item: Item, name: str, d: Delivery, ctx: dv.SendContext) -> Report:
    import asyncio  # here, not at the top: listing the outbox never needs it

    deliver = dv.destination(name)
    if d.state == "sending":  # a run died during an attempt: it may have arrived
        d.unknown = True
    for n in range(RUN_TRIES):
        d.state = "sending"
        outbox._write(item)  # on disk before the request: a crash now leaves "sending"
        try:
            out = await deliver(ctx, item.document, item.idempotency_key,
                                {"unknown": d.unknown, "remote": item.previous.get(name)})
        except Exception as exc:
            out = dv.Outcome(False, type(exc).__name__)
        if isinstance(out.detail, str):  # a destination's answer is outside text: scrubbed before it is kept
            out.detail = ctx.scrub(out.detail)
        d.attempts += 1
        if out.ok:
            d.state, d.delivered_at, d.remote, d.last_error = "delivered", _now_iso(), dict(out.remote), None
            outbox._write(item)
            return Report(item.case_id, name, True, out.detail, dict(out.remote))
        d.unknown = d.unknown or out.unknown
        d.last_error = out.detail
        d.state = "failed" if out.permanent else "pending"
        d.next_at = time.time() + _wait_after(d.attempts, out.retry_after_s)
        outbox._write(item)
        wait = out.retry_after_s if out.retry_after_s is not None else RUN_PAUSES_S[min(n, len(RUN_PAUSES_S) - 1)]
        if out.permanent or n + 1 >= RUN_TRIES or wait > MAX_RUN_WAIT_S:
            break
        await asyncio.sleep(wait)
    return Report(item.case_id, name, False, d.last_error or "")
