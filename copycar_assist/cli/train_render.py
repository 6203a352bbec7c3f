"""How `train` shows its events: one JSON object per line (`--json`), or lines for people
(`--plain`). Each renderer takes an async stream of training events (`training.events`). On a
terminal, plain lines wrap to its width (`columns.fit`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TextIO

from copycar_assist.i18n import t

from .columns import fit

if TYPE_CHECKING:
    from copycar_assist.training.events import TrainEvent

STATUS_MARK = {"pass": "✓", "warn": "!", "fail": "✗", "error": "✗", "skipped": "–"}


class JsonOut:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def event(self, e: TrainEvent) -> None:
        self.out.write(json.dumps(e.to_json(), ensure_ascii=False) + "\n")
        self.out.flush()

    async def show(self, stream: AsyncIterator[TrainEvent]) -> list[TrainEvent]:
        seen = []
        async for e in stream:
            seen.append(e)
            self.event(e)
        return seen


class PlainOut(JsonOut):
    def __init__(self, out: TextIO, lang: str, columns: int | None = None) -> None:
        super().__init__(out)
        self.lang = lang
        self.columns = columns  # the terminal's width; None: not a terminal (lines as they are)

    def _w(self, text: str = "", markdown: bool = False) -> None:
        self.out.write(fit(text, self.columns, markdown) + "\n")

    def event(self, e: TrainEvent) -> None:
        d, lang = e.to_json(), self.lang
        kind = d["type"]
        if kind == "case":
            self._w(f"\n== {d['header']} ==")
        elif kind == "customer":
            self._w(f"{t('train.customer', lang)}: {d['text']}")
        elif kind == "asked":
            self._w(t("train.asked", lang, question=d["text"]))
        elif kind == "check":
            self._w(f"{STATUS_MARK.get(d['status'], '?')} " + t("train.check_ran", lang, title=d["id"],
                                                                status=t(f"status.{d['status']}", lang),
                                                                summary=d["summary"]))
        elif kind == "guide":
            self._w(d["markdown"], markdown=True)
        elif kind == "prompt":
            self._w(d["text"])
            for c in d["choices"]:
                self._w(f"  {c['key']}. {c['label']}")
        elif kind == "debrief":
            self._debrief(d)
        elif kind == "quiz_item":
            self._w(f"\n{t('train.quiz', lang, n=d['n'], total=d['total'])}: {d['question']}")
        elif kind in ("quiz_result", "quiz_done", "say"):
            self._w(d["text"])
        elif kind == "error":
            self._w(d["message"])
        elif kind == "saved":
            self._w(t("train.saved", lang, trainee=d["trainee"]))
        elif kind == "exam_report":
            self._w(f"\n== {t('train.exam.title', lang, trainee=d['trainee'])} — {t('train.score', lang, score=d['score'])} ==")
            self._w(t("train.exam.answered", lang, answered=d["answered"], total=d["total"]))
            self._w(t("train.exam.saved", lang, md=d["markdown_path"], json=d["json_path"]))
        self.out.flush()

    def _debrief(self, d: dict[str, Any]) -> None:
        lang = self.lang
        self._w(f"\n== {t('train.debrief', lang)} — {t('train.score', lang, score=d['score'])} ==")
        faults = len({p["fault"] for p in d["parts"]})
        for p in d["parts"]:
            if faults > 1 and p["part"] == d["parts"][0]["part"]:  # each fault's parts under its name
                self._w(f" {t('train.fault', lang, n=p['fault'] + 1, total=faults)}:")
            mark = t("train.right", lang) if p["right"] else t("train.wrong", lang)
            extra = "" if p["right"] else f" — {t('train.expected', lang, value=p['expected_label'])}"
            self._w(f"  {t('train.part.' + p['part'], lang)}: {mark}{extra}")
        self._w(t("train.expert", lang) + ":")
        for line in d.get("expert_lines", []):
            self._w(f"  - {line}")
        if d["unhelpful_checks"]:
            self._w(t("train.unhelpful", lang, checks=", ".join(d["unhelpful_checks"])))
        self._w(t("train.time", lang, seconds=d["seconds"]))
        if d["pitfalls"]:
            self._w(t("train.pitfalls", lang) + ":")
            for p in d["pitfalls"]:
                self._w(f"  - {p}")
