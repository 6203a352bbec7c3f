"""How the Train screen shows a training event: inert `Content` built from the event's JSON.

Everything in these events that is not our own string table — the customer's words (written from
the knowledge), check summaries, the expert's path, step texts, quiz questions — is plain text:
it goes through `widgets.safe` (control sequences stripped, never parsed as markup). Nothing here
grades, words or decides anything: the training domain did that before the event was made.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content

from copycar_assist.i18n import t
from copycar_assist.textsafe import clean, one_line

from .widgets.check_view import status_content
from .widgets.safe import DISPLAY_LIMIT, safe_content

Piece = str | Content | tuple[str, str]  # what `Content.assemble` joins: text, or (text, style)
RIGHT = ("✓", "bold $text-success")
WRONG = ("✗", "bold $text-error")


def _para(text: str) -> str:
    return clean(text, limit=DISPLAY_LIMIT)


def labelled(label: str, text: str, style: str = "bold") -> Content:
    """`label: text` with the label styled; `text` is outside text, kept inert."""
    return Content.assemble((label + ": ", style), _para(text))


def check_line(d: dict[str, Any]) -> Content:
    return Content.assemble(status_content(d["status"]), " ", (one_line(d["id"], 80), "bold"), " · ",
                            one_line(d.get("summary") or d.get("outcome") or "", 600))


def quiz_item(d: dict[str, Any], lang: str) -> Content:
    return labelled(t("train.quiz", lang, n=d["n"], total=d["total"]), d["question"], "bold $accent")


def quiz_result(d: dict[str, Any]) -> Content:
    mark = RIGHT if d["right"] else WRONG
    return Content.assemble(mark, " ", _para(d["text"]))


def debrief(d: dict[str, Any], lang: str) -> Content:
    """The debrief: the score, each part right or wrong (with the right answer), the expert's
    path, the checks that did not help, the time and the guide's pitfalls."""
    faults = len({p["fault"] for p in d["parts"]})
    pieces: list[Piece] = [(f"{t('train.debrief', lang)} — {t('train.score', lang, score=d['score'])}",
                          "bold $text-success" if d["score"] == 100 else "bold $text-warning"), "\n"]
    for p in d["parts"]:
        prefix = f"{t('train.fault', lang, n=p['fault'] + 1, total=faults)} · " if faults > 1 else ""
        pieces += [RIGHT if p["right"] else WRONG, f" {prefix}{t('train.part.' + p['part'], lang)}: "]
        if p["right"]:
            pieces.append(one_line(p["expected_label"], 400))
        else:
            pieces.append((t("train.expected", lang, value=one_line(p["expected_label"], 400)), "$text-warning"))
        pieces.append("\n")
    pieces += ["\n", (t("train.expert", lang) + ":", "bold"), "\n"]
    pieces += [piece for line in d.get("expert_lines", []) for piece in ("  · ", one_line(line, 600), "\n")]
    if d["unhelpful_checks"]:
        pieces += [t("train.unhelpful", lang, checks=one_line(", ".join(d["unhelpful_checks"]), 400)), "\n"]
    pieces.append(t("train.time", lang, seconds=d["seconds"]))
    if d["pitfalls"]:
        pieces += ["\n\n", (t("train.pitfalls", lang) + ":", "bold"), "\n"]
        pieces += [piece for line in d["pitfalls"] for piece in ("  · ", one_line(line, 600), "\n")]
    return Content.assemble(*pieces).rstrip()


def option_label(key: str, label: str) -> Content:
    """One choice of a training prompt: its key, then its label (outside text, inert)."""
    return Content.assemble((f"{key}. ", "bold $accent"), safe_content(one_line(label, 400)))
