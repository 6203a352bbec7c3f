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
    needs: tuple[str, ...] = ()
    needs_input = ("prompt",)
    timeout_s = 5.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        prompt = ctx.inputs.prompt
        if prompt is None:
            return self.finding("skipped", "skipped", t(
                es="No hay prompt que validar: pégalo en la conversación o usa --prompt-file FICHERO.",
                en="No prompt to validate: paste it into the conversation or use --prompt-file FILE."))
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
            return self.finding("fail", "empty", t(
                es=f"El prompt está vacío ({len(prompt)} caracteres, todos espacios en blanco).",
                en=f"The prompt is empty ({len(prompt)} characters, all whitespace)."), ev)
        if len(stripped) < th.prompt_min_chars:
            return self.finding("fail", "too_short", t(
                es=f"El prompt es demasiado corto: {len(stripped)} caracteres sin contar los espacios de los "
                   f"extremos; el mínimo es {th.prompt_min_chars}.",
                en=f"The prompt is too short: {len(stripped)} characters without surrounding whitespace; "
                   f"the minimum is {th.prompt_min_chars}."), ev)
        if estimate > th.prompt_max_tokens:
            return self.finding("fail", "too_long", t(
                es=f"El prompt supera el límite: unos {estimate:.0f} tokens estimados para un máximo de "
                   f"{th.prompt_max_tokens}. Acórtalo o divídelo.",
                en=f"The prompt is over the limit: about {estimate:.0f} estimated tokens for a maximum of "
                   f"{th.prompt_max_tokens}. Shorten it or split it."), ev)
        return self.finding("pass", "ok", t(
            es=f"Prompt válido: {len(stripped)} caracteres, unos {estimate:.0f} tokens de {th.prompt_max_tokens}.",
            en=f"Prompt is valid: {len(stripped)} characters, about {estimate:.0f} tokens of {th.prompt_max_tokens}."),
            ev)


def _labels(ids: list[str], lang: str) -> str:
    return ", ".join(BY_ID[i].label.get(lang, BY_ID[i].label["en"]) for i in ids)


class PersonalizationCheck(Check):
    id = "content.personalization"
    outcomes = ("ok", "missing_fields", "thin_context")
    tags = ("content",)
    needs: tuple[str, ...] = ()
    needs_input = ("account",)
    timeout_s = 15.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        path, pasted = ctx.inputs.account_file, ctx.inputs.account_text
        if pasted and not path:
            return await self._judge(ctx, lambda: accounts_from_text(pasted), ctx.t(es="datos pegados", en="pasted data"))
        if not path:
            return self.finding("skipped", "skipped", t(
                es="No hay fichero de cuentas que revisar: elige uno o usa --account-file FICHERO (JSON o CSV).",
                en="No account data file to review: choose one or use --account-file FILE (JSON or CSV)."))
        shown = one_line(Path(path).name, 120)
        ctx.step(t(es=f"Leyendo {shown}…", en=f"Reading {shown}…"))
        return await self._judge(ctx, lambda: load_accounts(path), shown)

    async def _judge(self, ctx: CheckContext, read: Callable[[], AccountData], shown: str) -> Finding:
        t = ctx.t
        try:
            data = await asyncio.to_thread(read)
        except AccountFileError as exc:
            return self.finding("error", "error", one_line(exc.message(ctx.lang), 400), {"file": shown})
        a = await asyncio.to_thread(assess, data.records)
        if not a.records:
            return self.finding("error", "error", t(
                es=f"{shown} no contiene ninguna cuenta.", en=f"{shown} holds no account records."),
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
            ev["note"] = t(es=f"Se analizaron las primeras {a.records} cuentas.",
                           en=f"The first {a.records} records were analysed.")
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
                es=f"{a.identity_missing} de {a.records} cuentas no tienen {_labels(ids, 'es')}: sin saber a quién "
                   f"se escribe no se puede personalizar (puntuación {_pct(a.score)}).",
                en=f"{a.identity_missing} of {a.records} records lack the {_labels(ids, 'en')}: without knowing "
                   f"who it is for, nothing can be personalised (score {_pct(a.score)})."), ev)
        if a.score < threshold:
            gaps = everywhere or sorted(some, key=lambda f: -a.missing_count[f])[:4]
            return self.finding("fail", "thin_context", t(
                es=f"Los datos de personalización puntúan {_pct(a.score)} (umbral {_pct(threshold)}): "
                   f"falta contexto como {_labels(gaps, 'es')}.",
                en=f"The personalisation data scores {_pct(a.score)} (threshold {_pct(threshold)}): "
                   f"context such as {_labels(gaps, 'en')} is missing."), ev)
        return self.finding("pass", "ok", t(
            es=f"Los datos de personalización puntúan {_pct(a.score)} en {a.records} cuentas (umbral {_pct(threshold)}).",
            en=f"The personalisation data scores {_pct(a.score)} across {a.records} records (threshold {_pct(threshold)})."),
            ev)


CHECKS = [PromptCheck(), PersonalizationCheck()]
