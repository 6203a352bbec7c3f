"""`copycar-assist tickets list|show|send`: the outbox of escalated tickets.

    tickets list [--all] [--json]      tickets waiting for the help desk (--all: delivered too)
    tickets show ID [--json|--reply]   one ticket: Markdown and its deliveries, the JSON document,
                                       or the draft reply for the customer (in their language)
    tickets send [ID] [--to NAME] [--due]
                                       deliver now what waits (one case, or all); --due only what
                                       its back-off allows; --to also sends to a destination the
                                       ticket was not meant for yet

Destinations are the agent's own `[helpdesk]` settings, never a customer profile's. `send` exits
0 when everything it tried was delivered (or nothing waited), 1 when something still waits.
A ticket id may be given by a prefix that names one case.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .streams import emit_json

if TYPE_CHECKING:
    from copycar_assist.redact import Scrub
    from copycar_assist.support.outbox import Item, Outbox

STATES = ("pending", "sending", "delivered", "failed")  # a delivery's, support/outbox.py


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("tickets", help="cli.help.tickets", description="cli.help.tickets.about")
    sub = p.add_subparsers(dest="tickets_action", metavar="ACTION")
    sub.required = True
    ls = sub.add_parser("list", help="cli.help.tickets.list")
    ls.add_argument("--all", action="store_true", help="cli.help.tickets.list.all")
    ls.add_argument("--json", action="store_true", help="cli.help.json_only")
    ls.set_defaults(handler=_list)
    sh = sub.add_parser("show", help="cli.help.tickets.show")
    sh.add_argument("id", metavar="ID", help="cli.help.tickets.show.id")
    how = sh.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true", help="cli.help.tickets.show.json")
    how.add_argument("--reply", action="store_true", help="cli.help.tickets.show.reply")
    sh.set_defaults(handler=_show)
    se = sub.add_parser("send", help="cli.help.tickets.send")
    se.add_argument("id", metavar="ID", nargs="?", help="cli.help.tickets.send.id")
    se.add_argument("--to", action="append", choices=("webhook", "email", "zendesk", "jira"), default=[],
                    help="cli.help.tickets.send.to")
    se.add_argument("--due", action="store_true", help="cli.help.tickets.send.due")
    se.set_defaults(handler=_send)


def _outbox() -> Outbox:
    from copycar_assist.support.outbox import Outbox

    return Outbox()


def _scrub(args: argparse.Namespace) -> Scrub:
    """The writers' one scrub, with the agent's settings (the outbox is the agent's)."""
    from copycar_assist.redact import make_scrubber

    return make_scrubber(args.ctx.agent_settings)


def _state(item: Item, lang: str) -> str:
    from copycar_assist.i18n import t

    if not item.deliveries:
        return t("cli.tickets.not_sent", lang)
    return ", ".join(f"{name}: {_state_word(d.state, lang)}" + (t("cli.tickets.tries", lang, n=d.attempts)
                                                                if d.attempts and d.state != "delivered" else "")
                     for name, d in item.deliveries.items())


def _state_word(state: str, lang: str) -> str:
    """A delivery's state in words; one the outbox file holds that is none of ours, as it is."""
    from copycar_assist.i18n import t

    return t(f"cli.tickets.state.{state}", lang) if state in STATES else state


def _summary(item: Item, lang: str) -> dict[str, Any]:
    from copycar_assist.support.outbox import detail_text

    doc = item.document
    return {"case_id": item.case_id, "revision": item.revision, "idempotency_key": item.idempotency_key,
            "queued_at": item.queued_at, "severity": doc.get("severity"),
            "problem": (doc.get("problem") or {}).get("title"), "customer": (doc.get("customer") or {}).get("name"),
            "delivered": item.delivered,
            "deliveries": {k: {"state": d.state, "attempts": d.attempts, "last_error": detail_text(d.last_error, lang) or None,
                               "delivered_at": d.delivered_at, "remote": d.remote} for k, d in item.deliveries.items()}}


def _list(args: argparse.Namespace) -> int:
    from copycar_assist.redact import scrub_obj

    items, problems = _outbox().items()
    shown = [i for i in items if args.all or not i.delivered]
    scrub = _scrub(args)
    for p in problems:
        print(scrub(f"copycar-assist: {p.text(args.ctx.ui_lang)}"), file=sys.stderr)
    if args.json:
        emit_json(scrub_obj({"schema_version": 1, "tickets": [_summary(i, args.ctx.ui_lang) for i in shown]}, scrub))
        return 0
    from copycar_assist.i18n import t

    lang = args.ctx.ui_lang
    if not shown:
        print(t("cli.tickets.empty" if not items else "cli.tickets.all_delivered", lang))
        return 0
    from copycar_assist.textsafe import one_line

    from .columns import columns_of, hang

    columns = columns_of(sys.stdout)  # on a terminal, a ticket's line wraps under its problem
    for i in shown:
        s = _summary(i, lang)
        who = f" · {s['customer']}" if s["customer"] else ""
        lead = one_line(f"{i.case_id}  {s['severity']}", 120) + "  "  # (one_line strips the end)
        text = scrub(one_line(f"{s['problem'] or '?'}{who}  — {_state(i, lang)}", 300 - len(lead)))
        for line in hang(scrub(lead), text, columns):  # scrubbed, then wrapped: a secret is never split
            print(line)
    return 0


def _get(case_id: str) -> Item:
    from . import UsageError

    item = _outbox().get(case_id)
    if item is None:
        raise UsageError("cli.tickets.no_such", id=case_id)
    return item


def _show(args: argparse.Namespace) -> int:
    from copycar_assist.redact import scrub_obj

    item = _get(args.id)
    scrub = _scrub(args)
    if args.json:
        emit_json(scrub_obj({**_summary(item, args.ctx.ui_lang), "document": item.document}, scrub))
        return 0
    if args.reply:
        reply = item.document.get("reply") or {}
        print(scrub(str(reply.get("text") or "")))
        return 0
    from copycar_assist.i18n import t
    from copycar_assist.support.outbox import detail_text

    lang = args.ctx.ui_lang
    print(scrub(str(item.document.get("markdown") or "")))
    print(scrub("\n---\n" + t("cli.tickets.outbox", lang, revision=item.revision, idem=item.idempotency_key,
                                state=_state(item, lang))))
    for name, d in item.deliveries.items():
        if d.last_error and d.state != "delivered":
            print(scrub(t("cli.tickets.last_error", lang, name=name, error=detail_text(d.last_error, lang))))
        if d.remote:
            print(scrub(f"  {name}: {d.remote.get('id')} {d.remote.get('url') or ''}".rstrip()))
    return 0


def _send(args: argparse.Namespace) -> int:
    import asyncio

    from copycar_assist.support.outbox import send

    from . import EXIT_FAIL, EXIT_OK

    if args.id:
        _get(args.id)
    settings = args.ctx.agent_settings
    reports, problems = asyncio.run(send(_outbox(), settings, case_id=args.id, force=not args.due, to=args.to))
    scrub = _scrub(args)
    for p in problems:
        print(scrub(f"copycar-assist: {p.text(args.ctx.ui_lang)}"), file=sys.stderr)
    for r in reports:
        print(scrub(r.said(args.ctx.ui_lang, case=True)))
    items, _ = _outbox().items()
    waiting = [i for i in items if not i.delivered and (args.id is None or i.case_id == _get(args.id).case_id)]
    from copycar_assist.i18n import t

    if not reports and not waiting:
        print(t("cli.tickets.nothing_waits", args.ctx.ui_lang))
    elif waiting:
        print(t("cli.tickets.still_wait", args.ctx.ui_lang, n=len(waiting)))
    return EXIT_FAIL if waiting else EXIT_OK
