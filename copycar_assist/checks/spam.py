"""`email.spam`: a content spam score for a pasted message, from explainable rules.

The rules, their weights and the thresholds live in `spam_rules.toml` (loaded once). Every rule
that fires is listed in the evidence with its weight and what triggered it, so the score is never
a black box. Works on plain text and on HTML (tags are stripped for the text; `<img>` and links
are counted). Only local work: nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import NotRequired, TypedDict, cast

import tomli

from copycar_assist.kb.fold import unaccent

from .base import Check, CheckContext, Evidence, Finding, Status

_URL = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"')\]]+""")
_IMG = re.compile(r"(?i)<img\b")
_HREF = re.compile(r"""(?i)<a\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""")
_TAG = re.compile(r"(?s)<[^>]{0,2000}>")
_SCRIPT_STYLE = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>")
_SUBJECT = re.compile(r"(?im)^(?:subject|asunto)\s*:\s*(.+)$")
_IP_URL = re.compile(r"(?i)\bhttps?://\d{1,3}(?:\.\d{1,3}){3}\b")
_MONEY = re.compile(r"[$€£]{3,}|(?:[$€£]\s*){3,}")


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for phrase matching."""
    return unaccent(text.casefold())


class Rule(TypedDict):
    """One `[[rule]]` of spam_rules.toml: what every rule has, and the keys of its kind."""

    id: str
    kind: str  # a key of KINDS
    weight: float
    title: dict[str, str]  # es/en
    max: NotRequired[float]  # phrases: the most this rule adds
    phrases: NotRequired[tuple[str, ...]]  # phrases: folded, longest first
    _regex: NotRequired[re.Pattern[str]]  # phrases: the one alternation of them
    min_letters: NotRequired[int]  # caps_ratio
    ratio: NotRequired[float]  # caps_ratio
    count: NotRequired[int]  # exclamations
    min_words_per_link: NotRequired[float]  # link_ratio
    min_words_per_image: NotRequired[float]  # image_ratio
    domains: NotRequired[list[str]]  # shorteners
    markers: NotRequired[tuple[str, ...]]  # missing_unsubscribe: folded, longest first


@dataclass(frozen=True)
class Rules:
    warn: float
    spammy: float
    max_chars: int
    rules: tuple[Rule, ...]


@functools.cache
def load_rules() -> Rules:
    data = tomli.loads(resources.files(__package__).joinpath("spam_rules.toml").read_text("utf-8"))
    rules: list[Rule] = []
    for raw in data["rule"]:
        # the rules file ships with the package and its shape is this module's (the tests load it)
        rule = cast(Rule, dict(raw))
        for key in ("phrases", "markers"):
            if key in rule:
                rule[key] = tuple(sorted({fold(p) for p in rule[key]}, key=len, reverse=True))
        if "phrases" in rule:
            rule["_regex"] = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, rule["phrases"])) + r")(?!\w)")
        rules.append(rule)
    s = data["score"]
    return Rules(float(s["warn"]), float(s["spammy"]), int(s["max_chars"]), tuple(rules))


@dataclass
class Fired:
    id: str
    weight: float
    title: dict[str, str]
    detail: str


@dataclass
class Message:
    raw: str
    text: str  # tags stripped
    folded: str
    words: int
    urls: list[str]
    images: int
    subject: str | None

    @classmethod
    def parse(cls, raw: str) -> Message:
        html = bool(re.search(r"(?i)<(html|body|p|div|a|img|br|table)\b", raw))
        text = raw
        hrefs: list[str] = []
        images = 0
        if html:
            body = _SCRIPT_STYLE.sub(" ", raw)
            hrefs = _HREF.findall(body)
            images = len(_IMG.findall(body))
            text = _TAG.sub(" ", body)
        urls = _URL.findall(text)
        urls += [h for h in hrefs if h.lower().startswith(("http", "www.")) and h not in urls]
        m = _SUBJECT.search(raw)
        return cls(raw, text, fold(text), len(re.findall(r"\w+", text)), urls, images,
                   m.group(1).strip() if m else None)


def _phrases(rule: Rule, msg: Message) -> Fired | None:
    # one alternation, longest phrase first: a longer phrase hides the shorter one inside it
    hits = list(dict.fromkeys(rule["_regex"].findall(msg.folded)))
    if not hits:
        return None
    weight = min(rule["weight"] * len(hits), rule.get("max", rule["weight"] * len(hits)))
    return Fired(rule["id"], weight, rule["title"], ", ".join(f"«{h}»" for h in hits[:6]))


def _caps(rule: Rule, msg: Message) -> Fired | None:
    letters = [c for c in _URL.sub(" ", msg.text) if c.isalpha()]  # links are lower case: not text
    if len(letters) < rule["min_letters"]:
        return None
    share = sum(c.isupper() for c in letters) / len(letters)
    if share < rule["ratio"]:
        return None
    return Fired(rule["id"], rule["weight"], rule["title"], f"{share:.0%} ≥ {rule['ratio']:.0%}")


def _subject_caps(rule: Rule, msg: Message) -> Fired | None:
    if not msg.subject:
        return None
    letters = [c for c in msg.subject if c.isalpha()]
    if len(letters) < 6 or sum(c.isupper() for c in letters) / len(letters) < 0.8:
        return None
    return Fired(rule["id"], rule["weight"], rule["title"], msg.subject[:60])


def _exclamations(rule: Rule, msg: Message) -> Fired | None:
    n = msg.text.count("!") + msg.text.count("¡")
    return Fired(rule["id"], rule["weight"], rule["title"], f"{n} × !") if n >= rule["count"] else None


def _exclamation_runs(rule: Rule, msg: Message) -> Fired | None:
    runs = re.findall(r"[!¡]{2,}", msg.text)
    return Fired(rule["id"], rule["weight"], rule["title"], f"{len(runs)} × !!") if runs else None


def _money(rule: Rule, msg: Message) -> Fired | None:
    found = _MONEY.findall(msg.text)
    return Fired(rule["id"], rule["weight"], rule["title"], found[0].strip()) if found else None


def _link_ratio(rule: Rule, msg: Message) -> Fired | None:
    n = len(msg.urls)
    if not n or msg.words / n >= rule["min_words_per_link"]:
        return None
    return Fired(rule["id"], rule["weight"], rule["title"], f"{n} links / {msg.words} words")


def _image_ratio(rule: Rule, msg: Message) -> Fired | None:
    n = msg.images
    if not n or msg.words / n >= rule["min_words_per_image"]:
        return None
    return Fired(rule["id"], rule["weight"], rule["title"], f"{n} images / {msg.words} words")


def _host(url: str) -> str:
    rest = re.sub(r"(?i)^https?://", "", url)
    return rest.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].lower().removeprefix("www.")


def _shorteners(rule: Rule, msg: Message) -> Fired | None:
    hosts = sorted({_host(u) for u in msg.urls} & set(rule["domains"]))
    return Fired(rule["id"], rule["weight"], rule["title"], ", ".join(hosts)) if hosts else None


def _ip_links(rule: Rule, msg: Message) -> Fired | None:
    found = _IP_URL.findall(msg.raw)
    return Fired(rule["id"], rule["weight"], rule["title"], found[0]) if found else None


def _missing_unsubscribe(rule: Rule, msg: Message) -> Fired | None:
    folded_raw = fold(msg.raw)
    if any(m in folded_raw for m in rule["markers"]):
        return None
    return Fired(rule["id"], rule["weight"], rule["title"], "—")


KINDS: dict[str, Callable[[Rule, Message], Fired | None]] = {
    "phrases": _phrases, "caps_ratio": _caps, "subject_caps": _subject_caps,
    "exclamations": _exclamations, "exclamation_runs": _exclamation_runs,
    "money_symbols": _money, "link_ratio": _link_ratio, "image_ratio": _image_ratio,
    "shorteners": _shorteners, "ip_links": _ip_links, "missing_unsubscribe": _missing_unsubscribe,
}


def score(text: str, rules: Rules | None = None) -> tuple[float, list[Fired], bool]:
    """(score, fired rules heaviest first, truncated?) for a message."""
    rules = rules or load_rules()
    truncated = len(text) > rules.max_chars
    msg = Message.parse(text[: rules.max_chars])
    fired = [f for rule in rules.rules if (f := KINDS[rule["kind"]](rule, msg))]
    fired.sort(key=lambda f: -f.weight)
    return round(sum(f.weight for f in fired), 2), fired, truncated


class SpamCheck(Check):
    id = "email.spam"
    outcomes = ("ok", "spammy")
    tags = ("email",)
    timeout_s = 5.0

    async def run(self, ctx: CheckContext) -> Finding:
        text = ctx.inputs.email_text
        if not text or not text.strip():
            return self.skipped(ctx, "check.spam.paste_e_mail_text")
        rules = load_rules()
        if len(text) > 20_000:  # a big paste is scored off the event loop (the UI stays live)
            total, fired, truncated = await asyncio.to_thread(score, text, rules)
        else:
            total, fired, truncated = score(text, rules)
        lang = "es" if ctx.lang == "es" else "en"
        ev: Evidence = {"score": total, "threshold": rules.spammy, "warn_threshold": rules.warn}
        for f in fired:
            ev[f"rule {f.id}"] = f"+{f.weight:g} · {f.title[lang]} · {f.detail}"
        if truncated:
            ev["note"] = ctx.t("check.spam.text_cut_characters", max_chars=rules.max_chars)
        top = "; ".join(f"{f.title[lang]} (+{f.weight:g})" for f in fired[:3])
        if total >= rules.warn:
            status: Status = "fail" if total >= rules.spammy else "warn"
            return self.finding(status, "spammy", ctx.t("check.spam.spam_score_threshold", total=total,
                                                        spammy=rules.spammy, top=top), ev)
        extra = ctx.t("check.spam.rules_fired", top=top) if fired else ""
        return self.finding("pass", "ok", ctx.t("check.spam.spam_score_below", total=total,
                                                warn=rules.warn) + extra, ev)
