"""An exam: N practice cases, timed, ending with a report a team lead can read (Markdown and JSON)
saved under `<data dir>/training/exams/`. Untrusted text (the trainee's typed answers) goes into
the Markdown inside code spans with a fence longer than any backtick run in it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copycar_assist.files.write import write_unique
from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from .progress import training_dir


def _code(text: str) -> str:
    text = one_line(str(text))[:200]
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def report(trainee: str, cases: list[dict[str, Any]], seconds: float, limit_s: float | None, lang: str) -> dict[str, Any]:
    parts = [p for c in cases for p in c.get("parts", [])]
    by_skill: dict[str, list[bool]] = {}
    for p in parts:
        by_skill.setdefault(p["skill"], []).append(p["right"])
    return {"schema_version": 1, "trainee": trainee, "lang": lang,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "cases": cases, "answered": sum(1 for c in cases if c.get("parts")), "total": len(cases),
            "score": round(100 * sum(p["right"] for p in parts) / len(parts)) if parts else 0,
            "skills": {s: round(100 * sum(v) / len(v)) for s, v in by_skill.items()},
            "seconds": round(seconds), "limit_s": limit_s, "timed_out": any(c.get("timed_out") for c in cases)}


def markdown(rep: dict[str, Any], lang: str) -> str:
    lines = [f"# {t('train.exam.title', lang, trainee=rep['trainee'])}", "",
             f"- {t('train.score', lang, score=rep['score'])}",
             f"- {t('train.time', lang, seconds=rep['seconds'])}", ""]
    if rep["skills"]:  # none when no case was answered (the time ran out): no empty table
        lines += ["| " + " | ".join(t(f"train.skill.{s}", lang) for s in rep["skills"]) + " |",
                  "|" + "---|" * len(rep["skills"]),
                  "| " + " | ".join(f"{v} %" for v in rep["skills"].values()) + " |", ""]
    for n, c in enumerate(rep["cases"], 1):
        lines.append(f"## {t('train.exam.case', lang, n=n, total=rep['total'])} — {c.get('score', 0)} %")
        lines.append("")
        if c.get("timed_out"):
            lines += [t("train.exam.timeout", lang), ""]
        for p in c.get("parts", []):
            mark = t("train.right", lang) if p["right"] else t("train.wrong", lang)
            lines.append(f"- {t('train.part.' + p['part'], lang)}: {mark}"
                         + ("" if p["right"] else f" ({t('train.expected', lang, value=_code(p['expected_label']))};"
                                                  f" {t('train.exam.given', lang, value=_code(p['given'] or '—'))})"))
        if c.get("unhelpful_checks"):
            lines.append("- " + t("train.unhelpful", lang, checks=", ".join(_code(x) for x in c["unhelpful_checks"])))
        lines.append("")
    return "\n".join(lines)


def save(rep: dict[str, Any], lang: str, root: Path | None = None) -> tuple[Path, Path]:
    folder = training_dir(root) / "exams"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"{rep['trainee']}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    md = write_unique(folder, stem, ".md", markdown(rep, lang).encode())
    js = write_unique(folder, md.stem, ".json", json.dumps(rep, ensure_ascii=False, indent=1).encode())
    return md, js
