"""Local content checks (no network): prompt validation and personalisation readiness.

`content.prompt` — the guide's prompt validation, in the right order:
  1. empty or only whitespace                         → `empty` (fail)
  2. fewer than `prompt_min_chars` (10) characters once
     the surrounding whitespace is stripped            → `too_short` (fail)
  3. estimated tokens over `prompt_max_tokens` (4000)  → `too_long` (fail)
  The estimate is the guide's words × `tokens_per_word` (1.3). Text with few spaces (a pasted
  blob, base64, Chinese or Japanese) fools a word count: when its average "word" is longer than
  12 characters, which no natural language reaches, characters / 4 is used instead; the evidence
  shows both. (The guide tests the length before the emptiness, so ten spaces pass its length
  test; and it counts the surrounding spaces.)
  No prompt given → `skipped`, saying how to give one.

`content.personalization` — an account data file (`accounts.py` reads it and scores it):
  1. some record lacks an identity field (company name or contact name) → `missing_fields` (fail):
     such a record cannot be personalised at all, whatever the score of the others;
  2. else the mean score is under `personalization_score` (70 %)        → `thin_context` (fail):
     who it is for is known, but not enough about them;
  3. else `ok` (records under the threshold are still counted in the evidence).
  No file given → `skipped`; a file that cannot be read → `error` naming the file and line.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path

from copycar_assist.textsafe import one_line

from .accounts import BY_ID, AccountData, AccountFileError, accounts_from_text, assess, load_accounts
from .base import Check, CheckContext, Evidence, Finding

CHARS_PER_TOKEN = 4
MAX_NATURAL_WORD = 12  # average characters per word above which the word count is not trusted


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


class PromptCheck(Check):
    id = "content.prompt"
    outcomes = ("ok", "empty", "too_short", "too_long")
    tags = ("content",)
    timeout_s = 5.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        prompt = ctx.inputs.prompt
        if prompt is None:
            return self.finding("skipped", "skipped", t("check.content.no_prompt_validate_paste"))
        th = ctx.kb.support.thresholds
        stripped = prompt.strip()
        words = len(stripped.split())
        by_words = words * th.tokens_per_word
        by_chars = math.ceil(len(stripped) / CHARS_PER_TOKEN)
        blob = len(stripped) > MAX_NATURAL_WORD * max(words, 1)
        estimate = max(by_words, by_chars) if blob else by_words
        ev = {
            "characters": len(stripped),
            "words": words,
            "estimated_tokens": round(estimate),
            "estimate_by_words": f"{words} × {th.tokens_per_word:g} = {by_words:.0f}",
            "estimate_by_characters": f"{len(stripped)} / {CHARS_PER_TOKEN} = {by_chars}",
            "estimated_from": "characters" if blob and by_chars > by_words else "words",
            "min_characters": th.prompt_min_chars,
            "max_tokens": th.prompt_max_tokens,
        }
        if not stripped:
            return self.finding("fail", "empty", t("check.content.prompt_empty_characters_all",
                                                   n_prompt=len(prompt)), ev)
        if len(stripped) < th.prompt_min_chars:
            return self.finding("fail", "too_short", t("check.content.prompt_too_short_characters",
                                                       n_stripped=len(stripped),
                                                       prompt_min_chars=th.prompt_min_chars), ev)
        if estimate > th.prompt_max_tokens:
            return self.finding("fail", "too_long", t("check.content.prompt_over_limit_about", estimate=estimate,
                                                      prompt_max_tokens=th.prompt_max_tokens), ev)
        return self.finding("pass", "ok", t("check.content.prompt_valid_characters_about", n_stripped=len(stripped),
                                            estimate=estimate, prompt_max_tokens=th.prompt_max_tokens), ev)


def _labels(ids: list[str], lang: str) -> str:
    return ", ".join(BY_ID[i].label.get(lang, BY_ID[i].label["en"]) for i in ids)


class PersonalizationCheck(Check):
    id = "content.personalization"
    outcomes = ("ok", "missing_fields", "thin_context")
    tags = ("content",)
    timeout_s = 15.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        path, pasted = ctx.inputs.account_file, ctx.inputs.account_text
        if pasted and not path:
            return await self._judge(ctx, lambda: accounts_from_text(pasted), ctx.t("check.content.pasted_data"))
        if not path:
            return self.finding("skipped", "skipped", t("check.content.no_account_data_file"))
        shown = one_line(Path(path).name, 120)
        ctx.step(t("check.reading", shown=shown))
        return await self._judge(ctx, lambda: load_accounts(path), shown)

    async def _judge(self, ctx: CheckContext, read: Callable[[], AccountData], shown: str) -> Finding:
        t = ctx.t
        try:
            data = await asyncio.to_thread(read)
        except AccountFileError as exc:
            return self.finding("error", "error", one_line(exc.message(ctx.lang), 400), {"file": shown})
        a = await asyncio.to_thread(assess, data.records)
        if not a.records:
            return self.finding("error", "error", t("check.content.holds_no_account_records", shown=shown),
                {"file": shown, "format": data.format})

        lang = ctx.lang
        threshold = ctx.kb.support.thresholds.personalization_score
        everywhere = [f for f, n in a.missing_count.items() if n == a.records]
        some = [f for f, n in a.missing_count.items() if 0 < n < a.records]
        below = a.below(threshold)
        worst = a.worst()
        ev: Evidence = {
            "file": shown,
            "format": data.format,
            "records": a.records,
            "score": _pct(a.score),
            "threshold": _pct(threshold),
            "missing_in_all_records": _labels(everywhere, lang) or "-",
            "missing_in_some_records": ", ".join(
                f"{_labels([f], lang)} ({a.missing_count[f]}/{a.records})" for f in some) or "-",
            "records_without_identity": a.identity_missing,
            "records_below_threshold": len(below),
        }
        if data.total > a.records:
            ev["records_in_file"] = data.total
            ev["note"] = t("check.content.first_records_were_analysed", records=a.records)
        if data.encoding != "utf-8":
            ev["encoding"] = data.encoding
        if worst is not None and a.records > 1:
            who = f" ({one_line(worst.label, 60)})" if worst.label else ""
            ev["worst_record"] = f"#{worst.index}{who}: {_pct(worst.score)}"
        if a.unrecognised:
            ev["unrecognised_columns"] = ", ".join(one_line(k, 40) for k in a.unrecognised[:10])

        if a.identity_missing:
            ids = [f for f in ("company_name", "contact_name") if a.missing_count[f]]
            return self.finding("fail", "missing_fields", t(
                "check.content.records_lack_identity", missing=a.identity_missing, records=a.records,
                fields=_labels(ids, lang), score=_pct(a.score)), ev)
        if a.score < threshold:
            gaps = everywhere or sorted(some, key=lambda f: -a.missing_count[f])[:4]
            return self.finding("fail", "thin_context", t(
                "check.content.thin_context", score=_pct(a.score), threshold=_pct(threshold),
                fields=_labels(gaps, lang)), ev)
        return self.finding("pass", "ok", t("check.content.personalisation_data_scores_across", pct=_pct(a.score),
                                            records=a.records, pct2=_pct(threshold)), ev)


CHECKS = [PromptCheck(), PersonalizationCheck()]
