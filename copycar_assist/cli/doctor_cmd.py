"""`copycar-assist doctor` and `copycar-assist diagnose ENTRY_ID`: run the live checks.

    doctor [--json] [--only TAG …] [--prompt-file F] [--account-file F] [--log-file F] [--email-file F] [-v]
    diagnose ENTRY_ID [--json] [same inputs]

Exit codes: 0 everything passed (warnings and skips included), 1 a check failed, 2 a check could
not run (and none failed), 3 usage error (unknown entry or tag, unreadable input, bad config).
With `--json`, stdout holds one JSON document and nothing else; notes go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .streams import emit_json

if TYPE_CHECKING:
    from copycar_assist.checks import Inputs
    from copycar_assist.checks.runner import RunReport
    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.redact import Scrub
    from copycar_assist.runs.runstore import RunStore
    from copycar_assist.simulator.world import DemoWorld


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="cli.help.doctor.json")
        p.add_argument("--no-history", action="store_true", help="cli.help.doctor.no_history")
        p.add_argument("--prompt-file", metavar="F", help="cli.help.doctor.prompt_file")
        p.add_argument("--account-file", metavar="F", help="cli.help.doctor.account_file")
        p.add_argument("--log-file", metavar="F", help="cli.help.doctor.log_file")
        p.add_argument("--email-file", metavar="F", help="cli.help.doctor.email_file")
        p.add_argument("--deadline", type=float, default=30.0, metavar="S", help="cli.help.doctor.deadline")
        p.add_argument("-v", "--verbose", action="store_true", help="cli.help.doctor.verbose")
        p.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS, help="cli.help.doctor.lang")

    d = subparsers.add_parser("doctor", help="cli.help.doctor", description="cli.help.doctor.about")
    d.add_argument("--only", nargs="+", action="extend", metavar="TAG", default=[], help="cli.help.doctor.only")
    d.add_argument("--ack", metavar="CHECK", help="cli.help.doctor.ack")
    d.add_argument("--until", metavar="DATE", help="cli.help.doctor.until")
    d.add_argument("--reason", metavar="TEXT", help="cli.help.doctor.reason")
    d.add_argument("--unack", metavar="CHECK", help="cli.help.doctor.unack")
    common(d)
    d.set_defaults(handler=doctor)

    g = subparsers.add_parser("diagnose", help="cli.help.diagnose", description="cli.help.diagnose.about")
    g.add_argument("entry_id", metavar="ENTRY_ID")
    common(g)
    g.set_defaults(handler=diagnose)


def doctor(args: argparse.Namespace) -> int:
    if args.ack or args.unack:
        from copycar_assist.redact import make_scrubber

        from .doctor_history import handle_ack

        settings = args.ctx.settings
        return handle_ack(args, args.ctx.kb, args.ctx.ui_lang, make_scrubber(settings))
    return _run(args, None)


def diagnose(args: argparse.Namespace) -> int:
    return _run(args, args.entry_id)


# --- setting up ----------------------------------------------------------------------------------


def _inputs(args: argparse.Namespace) -> Inputs:
    from copycar_assist.checks import Inputs
    from copycar_assist.cli import UsageError
    from copycar_assist.files.read import ACCOUNTS, LOG, TEXT, Kind, ReadError, check_regular, read_bytes

    inputs = Inputs()
    for option, field in (("prompt_file", "prompt"), ("email_file", "email_text")):
        path = getattr(args, option)  # the option named by the loop
        if path:
            try:
                data = read_bytes(path, TEXT) or b""
            except ReadError as exc:
                raise UsageError("cli.input", detail=exc, option=option.replace("_", "-")) from None
            setattr(inputs, field, data.decode("utf-8", "replace"))
    for name, kind in (("account_file", ACCOUNTS), ("log_file", Kind(LOG.key, 1 << 62))):  # a log of any size: its end is read
        path = getattr(args, name)
        if path:
            try:
                check_regular(path, kind)
            except ReadError as exc:
                raise UsageError("cli.input", detail=exc, option=name.replace("_", "-")) from None
            setattr(inputs, name, path)
    return inputs


def _demo_inputs(args: argparse.Namespace, world: DemoWorld, inputs: Inputs, lang: str) -> None:
    """In demo mode the scenario's material stands in for every file not given; stderr says so."""
    used = []
    for kind in ("prompt", "account", "log", "email"):
        if not inputs.has(kind):
            inputs.give(kind, text=world.samples.text(kind))
            used.append(kind)
    from copycar_assist.i18n import t

    what = t("cli.doctor.demo_hidden", lang) if args.ctx.hide_scenario else world.scenario
    note = t("cli.doctor.demo_note", lang, what=what, url=world.base_url())
    if used:
        note += t("cli.doctor.demo_material", lang, kinds=", ".join(t(f"cli.doctor.material.{k}", lang) for k in used))
    from .columns import columns_of
    from .doctor_render import Renderer

    out = Renderer(lang, columns=columns_of(sys.stderr))  # on a terminal, wrapped to its width
    out.put("", note)
    sys.stderr.write(out.text())


def _check_ids(kb: KnowledgeBase, args: argparse.Namespace, entry_id: str | None) -> list[str]:
    from copycar_assist.checks import checks_for_entry, checks_for_tags, known_tags
    from copycar_assist.cli import UsageError

    if entry_id is not None:
        if entry_id not in kb.entries:
            import difflib

            close = difflib.get_close_matches(entry_id, list(kb.entries), n=3, cutoff=0.5)
            if close:
                raise UsageError("cli.doctor.unknown_entry_close", entry=repr(entry_id), close=", ".join(close))
            raise UsageError("cli.doctor.unknown_entry", entry=repr(entry_id), known=", ".join(sorted(kb.entries)))
        return checks_for_entry(kb, entry_id)
    tags = [t.strip().lower() for t in args.only if t.strip()]
    known = set(known_tags(kb)) | {cid.split(".", 1)[0] for cid in kb.checks}
    unknown = [t for t in tags if t not in known]
    if unknown:
        raise UsageError("cli.doctor.unknown_tags", tags=", ".join(unknown), known=", ".join(sorted(known)))
    return checks_for_tags(kb, tags)


async def _run_async(settings: Settings, kb: KnowledgeBase, ids: list[str], lang: str, inputs: Inputs,
                     prefer: str | None, deadline: float, history: RunStore | None = None) -> RunReport:
    from copycar_assist.checks import CheckContext, SharedClient, run_checks

    from .check_progress import watching

    async with watching(len(dict.fromkeys(ids)), lang) as on_event, SharedClient(settings) as http:
        ctx = CheckContext(settings=settings, kb=kb, http=http, redactor=settings.redactor(), lang=lang,
                           inputs=inputs, history=history)
        return await run_checks(ctx, ids, prefer_entry=prefer, deadline_s=deadline, on_event=on_event)


# --- running and printing ---------------------------------------------------------------------------


def _run(args: argparse.Namespace, entry_id: str | None) -> int:
    from copycar_assist.checks.results import Results, without_running
    from copycar_assist.checks.urls import display_url
    from copycar_assist.cli import UsageError
    from copycar_assist.i18n import t

    kb = args.ctx.kb
    ids = _check_ids(kb, args, entry_id)
    if not 0 < args.deadline <= 600:
        raise UsageError("cli.doctor.deadline")
    settings = args.ctx.settings
    lang = args.ctx.ui_lang
    inputs = _inputs(args)
    sim = args.ctx.start_demo()
    if sim is not None:
        _demo_inputs(args, sim, inputs, lang)
    from copycar_assist.redact import make_scrubber, scrub_obj

    scrub = make_scrubber(settings)  # the writers' one scrub, for the text and the JSON alike
    store = None
    if not args.no_history:
        from .doctor_history import open_store

        store = open_store(lang, scrub)
    # a run in which nothing can run (no CRM set up for `--only crm`) needs no event loop
    report = without_running(Results(kb, settings, settings.redactor(), lang, entry_id), ids)
    if report is None:
        import asyncio

        report = asyncio.run(_run_async(settings, kb, ids, lang, inputs, entry_id, args.deadline, store))
    try:
        base = display_url(settings.api.base_url)
    except ValueError:
        base = t("cli.doctor.bad_base_url", lang)
    command = "diagnose" if entry_id else "doctor"
    from .doctor_report import build_json, exit_code

    changes = None
    acks: dict[str, Any] = {}
    if store is not None:
        from copycar_assist.checks.urls import target_key

        from .doctor_history import remember

        # kept under the set-up's name (every demo world is one): runs of another are not "before"
        changes, acks = remember(store, command, report, target_key(settings, settings.api.base_url), entry_id)
        store.close()
    code = exit_code(report.results, set(acks))
    if args.json:
        doc = build_json(command=command, report=report, kb=kb, lang=lang, base_url=base, demo=sim is not None,
                         entry_id=entry_id, acks=acks)
        if changes is not None:
            doc["since_last"] = changes.to_json()
        emit_json(scrub_obj(doc, scrub), indent=2)
        return code
    text = _text(report, kb, lang, base, sim is not None, entry_id, args, code, scrub)
    if changes is not None:
        from .doctor_history import changes_lines

        extra = changes_lines(changes, acks, lang, kb)
        if extra:
            head, _, foot = text.rstrip("\n").rpartition("\n")
            text = head.rstrip("\n") + "\n\n" + "\n".join(extra) + "\n\n" + foot + "\n"
    sys.stdout.write(scrub(text))
    return code


def _text(report: RunReport, kb: KnowledgeBase, lang: str, base: str, demo: bool, entry_id: str | None,
          args: argparse.Namespace, code: int, scrub: Scrub) -> str:
    from copycar_assist.checks.areas import overview
    from copycar_assist.i18n import t
    from copycar_assist.kb import pick

    from .columns import columns_of
    from .doctor_render import Renderer, use_colour
    from .doctor_report import found_causes, open_questions

    out = Renderer(lang, colour=use_colour(sys.stdout), verbose=args.verbose, columns=columns_of(sys.stdout),
                   scrub=scrub)
    if entry_id:
        title = pick(kb.entries[entry_id].title, lang, entry_id)
        what = f"copycar-assist diagnose {entry_id} · {out.safe(title)}"
    else:
        what = "copycar-assist doctor"
    out.header(what, len(report.results), report.duration_ms, base, demo)
    by_area = not entry_id and not args.verbose
    if by_area:
        out.areas(overview(report.results, {cid: dict(spec.title) for cid, spec in kb.checks.items()},
                           {cid: spec.material for cid, spec in kb.checks.items()}))
    else:
        out.results(report.results)
    causes = found_causes(kb, report.results, lang, entry_id)
    titles = {r.id: r.title or r.id for r in report.results}
    if entry_id:
        if causes:
            out.causes(causes[:1], f"{t('cli.doctor.found', lang)}:", titles)
            if causes[1:]:
                out.causes(causes[1:], f"{t('cli.doctor.also', lang)}:", titles)
        else:
            out.questions(open_questions(kb, entry_id, lang))
    elif causes:
        out.causes(causes, titles=titles, explanation=not by_area)
    elif code == 0:
        out.add()
        out.add(t("cli.doctor.all_ok" if report.counts().get("pass") else "cli.doctor.nothing", lang))
    out.footer(report.counts(), code, hint_verbose=by_area)
    return out.text()
