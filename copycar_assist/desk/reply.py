"""A draft reply for the customer, in the customer's language, ready to paste.

    draft_reply(kb, lang="es", name="Ana", reference="ZD-4411", entry_id=…, cause_id=…,
                fixes=[…], verified=True, escalation=(level, minutes)) -> str

The cause's title, the first paragraph of its explanation and its steps come from the knowledge
base in `lang` (`kb.pick`), whatever language the agent works in; steps that only make sense to
the agent (they run this tool) are left out. Applied fixes are listed with secrets masked as the
fix records already hold them. Plain text (the knowledge's `**` emphasis dropped). Never imports
Textual; writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from copycar_assist.i18n import norm_lang, t
from copycar_assist.kb import pick

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

    from .fixes import AppliedRecord, ChangeRecord

_AGENT_ONLY = re.compile(r"copycar-assist|\bF[1-9]\b", re.I)
_STRONG = re.compile(r"\*\*(.+?)\*\*")


def _plain(text: str) -> str:
    return _STRONG.sub(r"\1", text).strip()


def _lower_first(text: str) -> str:
    """After a colon the sentence goes on in lower case (not an acronym: "SMTP", "API")."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _time(minutes: int, lang: str) -> str:
    if minutes >= 120 and minutes % 60 == 0:
        return t("reply.hours", lang, n=minutes // 60)
    return t("reply.minutes", lang, n=minutes)


def draft_reply(kb: KnowledgeBase, *, lang: str | None, name: str | None = None, reference: str | None = None,
                entry_id: str | None = None, cause_id: str | None = None,
                fixes: Sequence[AppliedRecord] | None = None, verified: bool = False,
                escalation: tuple[int, int] | None = None) -> str:
    lang = norm_lang(lang)
    out = [t("reply.hello", lang, name=name) if name else t("reply.hello_anon", lang), ""]
    out.append(t("reply.thanks", lang, ref=f" ({reference})" if reference else ""))
    entry = kb.entries.get(entry_id) if entry_id else None
    cause = entry.cause(cause_id) if entry is not None and cause_id else None
    if cause is not None:
        out += ["", t("reply.cause", lang, title=_lower_first(_plain(pick(cause.title, lang, cause.id)).rstrip(".")))]
        explanation = _plain(pick(cause.explanation, lang, "")).split("\n\n")[0]
        if explanation:
            out.append(" ".join(explanation.split()))
        steps: list[str] = cause.steps.get(lang) or next((v for v in cause.steps.values() if v), [])
        steps = [_plain(s) for s in steps if not _AGENT_ONLY.search(s)]
        if steps:
            out += ["", t("reply.steps", lang)]
            out += [f"{n}. {' '.join(s.split())}" for n, s in enumerate(steps, 1)]
    live = [f for f in (fixes or []) if not f.get("undone")]
    if live:
        out += ["", t("reply.fixed", lang)]
        for f in live:
            changes: Sequence[ChangeRecord | AppliedRecord] = f.get("changes") or [f]
            for c in changes:
                out.append(f"- {c.get('field')}: {c.get('old')} → {c.get('new')}")
        if verified:
            out.append(t("reply.verified", lang))
    if escalation is not None:
        level, minutes = escalation
        out += ["", t("reply.escalated", lang, level=level, time=_time(minutes, lang))]
    elif cause is None:
        out += ["", t("reply.unknown", lang)]
    out += ["", t("reply.bye", lang)]
    return "\n".join(out)
