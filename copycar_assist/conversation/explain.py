"""What the engine says about its reasoning: the steps as the chat shows them (with their code),
why a cause was chosen, what the checks found and what they ruled out."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from copycar_assist.i18n import t
from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from .events import CodeSample

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult

    from .belief import Belief
    from .engine import Conversation

# A step that sends the reader to the command line to run this very diagnosis again: inside the
# conversation the engine runs it itself ("did that fix it?" re-runs the checks).
_SELF_COMMAND = re.compile(r"`copycar-assist\s+(?:diagnose|doctor)\b")
# A step that points to the entry's code ("(see the code)", "(ver el código)").
_MENTIONS_CODE = re.compile(r"\b(?:code|código|codigo)\b", re.IGNORECASE)


def usable_steps(steps: list[str]) -> list[str]:
    return [s for s in steps if not _SELF_COMMAND.search(s)]


def attempt_steps(steps: list[str], order: list[int]) -> list[str]:
    """An attempt's steps in the order it shows them (`Attempt.order`; empty: as written)."""
    return [steps[i] for i in order] if sorted(order) == list(range(len(steps))) else steps


def found_first(steps: list[str], codes: list[str], seen: str) -> tuple[list[int], list[str]]:
    """The steps' order when some name a code that was seen (in a check's finding or in the
    user's words: `535` for an SMTP login refused): those first, the others as written; and the
    codes that put them there. ([], []) when none does."""
    found = [code for code in codes if _mentions(seen, code)]
    first = [i for i, step in enumerate(steps) if any(_mentions(step, code) for code in found)]
    if not first or first == list(range(len(first))):
        return [], []
    named = [c for c in found if any(_mentions(steps[i], c) for i in first)]
    return first + [i for i in range(len(steps)) if i not in first], named


def _mentions(text: str, code: str) -> bool:
    """`code` in `text` as a whole (535 is not in 5350), in any case."""
    return re.search(rf"(?<!\w)(?<!\d\.){re.escape(code)}(?!\w)(?!\.\d)", text, re.IGNORECASE) is not None


def code_for(conv: Conversation, entry_id: str, cause_id: str, step: str) -> tuple[CodeSample, ...]:
    """The code samples a step means, when it points to the code: those its cause names
    (`code = [1]`), else every sample of the entry."""
    if not _MENTIONS_CODE.search(step):
        return ()
    entry = conv.kb.entries[entry_id]
    section = entry.sections.get(conv.lang) or next(iter(entry.sections.values()), None)
    if section is None:
        return ()
    cause = entry.cause(cause_id)
    wanted = set(cause.code) if cause is not None and cause.code else None
    return tuple(CodeSample(block.lang or "text", block.code) for n, block in enumerate(section.code, 1)
                 if wanted is None or n in wanted)


def check_title(conv: Conversation, check_id: str) -> str:
    return conv.kb.check_title(check_id, conv.lang)


def results_text(conv: Conversation, results: list[CheckResult]) -> str | None:
    """What changed since the last run against the same set-up ("it passed an hour ago"), one
    line per check that changed; None when nothing did. What each check found is shown with its
    progress (the app's results box, the plain chat's lines), not again here."""
    from copycar_assist.checks.urls import target_key
    from copycar_assist.runs.runquery import previous_note

    if conv.runs is None:
        return None
    base = target_key(conv.settings, conv.settings.api.base_url)
    lines = []
    for r in results:
        before = previous_note(conv.runs, r.id, r.status, conv.lang, base_url=base)  # "passed 1 h ago"
        if before:
            lines.append(f"- {check_title(conv, r.id)}: {t(f'status.{r.status}', conv.lang)} {before}")
    return "\n".join([t("conv.results_changed", conv.lang), *lines]) if lines else None


def why(conv: Conversation, belief: Belief | None, cause_id: str, via: str,
        evidence: list[CheckResult]) -> dict[str, Any]:
    """The reasons for a cause, as data (for `cause_found.why` and the ticket)."""
    out: dict[str, Any] = {"via": via}
    if belief is not None:
        cue = belief.cues.get(cause_id)
        if cue is not None:
            out["words"] = cue.quote
        out["probability"] = round(belief.p.get(cause_id, 0.0), 3)
        tried = {c for e, c in conv.facts.tried if e == belief.entry_id}
        out["ruled_out"] = [
            {"cause": cid, "check": r.id, "summary": one_line(r.summary, 200)}
            for cid, results in belief.ruled_out.items() if cid != cause_id and cid not in tried
            for r in results[:1]
        ]
        if tried:
            out["tried"] = sorted(tried)
        if belief.ruled_out.get(cause_id):
            out["checks_disagree"] = belief.ruled_out[cause_id][0].id
    if evidence:
        out["checks"] = [r.id for r in evidence]
    return out


def cause_text(conv: Conversation, entry_id: str, cause_id: str, via: str,
               reasons: dict[str, Any]) -> tuple[str, str]:
    """(Markdown from the knowledge: "**Cause:** title" and its explanation; plain text with the
    reasons, which quote the user and name the checks: "From your words «…». Ruled out: …")."""
    from .prompts import cause_title

    lang = conv.lang
    key = "conv.cause_likely_ruled" if via == "likely" and reasons.get("checks_disagree") else f"conv.cause_{via}"
    head = t(key, lang, title=cause_title(conv, entry_id, cause_id))
    cause = conv.kb.entries[entry_id].cause(cause_id)
    explanation = pick(cause.explanation, lang) if cause else ""
    markdown = head + ("\n\n" + explanation if explanation else "")
    plain: list[str] = []
    if reasons.get("words"):
        plain.append(t("conv.from_words", lang, quote=one_line(reasons["words"], 120)))
    ruled = reasons.get("ruled_out") or []
    if ruled:
        # causes ruled out by the same check are named together, with the check: what it found
        # was shown with its progress (the results box, the plain chat's lines), not said again
        by_result: dict[str, list[str]] = {}
        for r in ruled[:4]:
            what = check_title(conv, r["check"])
            by_result.setdefault(what, []).append(cause_title(conv, entry_id, r["cause"]))
        # titles hold commas and colons: they are parted by semicolons, each result a sentence
        plain += [t("conv.ruled_out", lang, causes=f"{'; '.join(titles)} ({what.rstrip('.')})")
                  for what, titles in by_result.items()]
    return markdown, " ".join(plain)
