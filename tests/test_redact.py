"""The redaction pass and the control-character scrubber: the two things every output goes through."""

from __future__ import annotations

import base64
import copy
import json
import pickle
import re
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copycar_assist.redact import Redactor, Secret, mask, scrub_obj
from copycar_assist.textsafe import clean, one_line

KEY = "sk-live-9f8e7d6c5b4a3210fedcba98"
PASSWORD = "Tr0ub4dor&3/horse+staple="  # characters that encode differently everywhere
SHORTISH = "pw-13chars-ok"  # 13 characters


def pieces(secret: str, n: int = 12) -> list[str]:
    return [secret[i : i + n] for i in range(len(secret) - n + 1)]


def leaks(text: str, secret: str) -> list[str]:
    return [p for p in pieces(secret) if p in text]


def base64_leaks(text: str, secret: str) -> bool:
    """Does any base64 run left in `text`, decoded at any of the four offsets, hold a secret piece?"""
    for run in re.findall(r"[A-Za-z0-9+/_-]{8,}", text):
        run = run.replace("-", "+").replace("_", "/")
        for off in range(4):
            chunk = run[off:]
            if len(chunk) % 4 == 1:
                chunk = chunk[:-1]
            chunk += "=" * (-len(chunk) % 4)
            if not chunk:
                continue
            decoded = base64.b64decode(chunk).decode("utf-8", "replace")
            if leaks(decoded, secret) or secret in decoded:
                return True
    return False


@pytest.fixture
def r() -> Redactor:
    return Redactor([KEY, Secret(PASSWORD), SHORTISH, None, ""])


# --- masking -------------------------------------------------------------------------------------


def test_mask_format():
    assert mask(KEY) == "sk-…3210fedcba98"[:3] + "…" + KEY[-4:] == "sk-…ba98"
    assert mask("abcdefghijklmnop") == "…mnop"
    assert mask("short") == "••••"
    assert mask("") == ""


def test_a_url_password_follows_the_same_rule_as_every_other_secret():
    from copycar_assist.redact import mask_url

    pw = "canary-redis-pass-c0ffee42"
    assert mask_url(f"redis://:{pw}@127.0.0.1:6379/0") == f"redis://:{mask(pw)}@127.0.0.1:6379/0"
    assert mask(pw) == "…ee42"
    assert mask_url("rediss://app:short@[::1]:6380/1") == "rediss://app:••••@[::1]:6380/1"
    assert mask_url(f"redis://h:6379/0?db=2&password={pw}") == f"redis://h:6379/0?db=2&password={mask(pw)}"
    assert mask_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert mask_url(f"redis://{pw}@h:1/0") == f"redis://{mask(pw)}@h:1/0"  # a lone userinfo is masked too
    assert mask_url(f"redis://:{pw.replace('-', '%2D')}@h/0") == f"redis://:{mask(pw)}@h/0"


def test_secret_repr_str_format_and_copies_are_masked():
    s = Secret(KEY)
    for text in (repr(s), str(s), f"{s}", f"{s!r}", repr([s]), repr({"k": s})):
        assert not leaks(text, KEY) and "sk-…ba98" in text
    assert s.reveal() == KEY and s and not Secret("")
    assert copy.copy(s) is s and copy.deepcopy({"k": s})["k"] is s
    with pytest.raises(TypeError):
        pickle.dumps(s)


# --- every form of a secret ------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [KEY, PASSWORD, SHORTISH])
def test_raw_url_and_json_forms(r, secret):
    forms = [
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
        urllib.parse.quote(secret, safe="").lower(),
        json.dumps(secret),
        json.dumps({"password": secret, "note": "ünï"}, ensure_ascii=False),
    ]
    for form in forms:
        out = r(f"GET /x?q={form}&y=1 body={form}")
        assert not leaks(out, secret), (form, out)
        assert secret not in out
    assert r(f"token {secret} end") == f"token {mask(secret)} end"


@pytest.mark.parametrize("secret", [KEY, PASSWORD, SHORTISH])
@pytest.mark.parametrize("user", ["", "u", "us", "use", "user", "alice@example.com", "ops"])
def test_smtp_auth_plain_form_at_every_alignment(r, secret, user):
    blob = base64.b64encode(f"\0{user}\0{secret}".encode()).decode()
    out = r(f"C: AUTH PLAIN {blob}\r\n")
    assert blob not in out and "…" in out
    assert base64_leaks(blob, secret)  # the helper does find it before redaction
    assert not base64_leaks(out, secret)


@pytest.mark.parametrize("secret", [KEY, PASSWORD])
def test_base64_anywhere_standard_and_urlsafe(r, secret):
    for before in range(6):
        data = ("x" * before + secret + "tail").encode()
        for enc in (base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()):
            out = r(f"Authorization: Basic {enc}")
            assert enc not in out and not base64_leaks(out, secret)
    login = base64.b64encode(secret.encode()).decode()  # AUTH LOGIN sends the password alone
    assert login not in r(login)


def test_any_12_character_piece(r):
    for secret in (KEY, PASSWORD, SHORTISH):
        for p in pieces(secret):
            out = r(f"...{p}...")
            assert p not in out, (secret, p)
    # 11 characters of a key are not enough to be a leak (and are left alone)
    assert r(KEY[:11]) == KEY[:11]


def test_normal_text_is_untouched(r):
    text = "GET /v2/verify -> 401 (12 ms) ñ 😀 漢字"
    assert r(text) == text
    assert Redactor([])(text) == text


def test_scrub_obj_walks_json_with_a_redactor(r):
    doc = {"a": [KEY, {"b": f"x{PASSWORD}y"}], KEY: 3, "n": None, "i": 7}
    out = json.dumps(scrub_obj(doc, r))
    assert not leaks(out, KEY) and not leaks(out, PASSWORD)
    assert '"n": null' in out and '"i": 7' in out
    assert "Redactor(3 secrets)" == repr(r)


@settings(max_examples=60, deadline=None)
@given(secret=st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=12, max_size=40),
       before=st.text(max_size=20), after=st.text(max_size=20))
def test_property_no_raw_or_base64_form_survives(secret, before, after):
    red = Redactor([secret])
    out = red(before + secret + after)
    assert secret not in out
    blob = base64.b64encode((before + secret + after).encode()).decode()
    assert not base64_leaks(red(blob), secret)


# --- textsafe ------------------------------------------------------------------------------------

HOSTILE = [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b[2J\x1b[Hcleared", "cleared"),
    ("\x1b]0;pwned title\x07after", "after"),
    ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),
    ("\x1b]52;c;c2stbGl2ZQ==\x07x", "x"),  # OSC 52 clipboard write
    ("\x9d52;c;AAAA\x9cx", "x"),  # the same in 8-bit C1
    ("\x9b31mX", "X"),  # C1 CSI
    ("a\x00b\x07c\x08d\x7fe", "abcde"),
    ("abc\u202edcba", "abcdcba"),  # right-to-left override
    ("\u2066iso\u2069 \u200fmark", "iso mark"),
    ("\x1bPqsixel\x1b\\after", "after"),
    ("\x1b(Bcharset \x1b7saved \x1bcreset", "charset saved reset"),
    ("unterminated \x1b]52;c;AAAA", "unterminated "),
]


@pytest.mark.parametrize(("raw", "visible"), HOSTILE)
def test_clean_strips_control_sequences(raw, visible):
    out = clean(raw)
    assert out == visible
    for bad in ("\x1b", "\x9b", "\x9d", "\x9c", "\x00", "\u202e", "\x07"):
        assert bad not in out


def test_clean_keeps_text_emoji_wide_and_rtl_letters():
    text = "Hola, ñandú ✓ 😀👍🏽 漢字テスト مرحبا שלום\tcol\nnext line"
    assert clean(text) == text
    assert one_line(text) == "Hola, ñandú ✓ 😀👍🏽 漢字テスト مرحبا שלום col next line"


def test_newlines_and_limits():
    assert clean("a\r\nb\rc\u2028d") == "a\nbc\nd"
    assert one_line("x\n\n  y\t z") == "x y z"
    assert one_line("é" * 500, limit=10) == "é" * 10 + "…"
    capped = clean("\x1b[31m" * 1000 + "ok", limit=5)  # the work is bounded; a cut sequence is inert
    assert "\x1b" not in capped and len(capped) <= 6
    assert clean(12345) == "12345"


def test_clean_is_linear_on_hostile_floods():
    # the first version's `.*?` took ~6 s on 60 KB of unterminated OSC; these finish at once
    for flood in ("\x1b]x" * 50_000, "\x1bP" * 50_000, "\x1b[" + "1" * 100_000, "\x9d" * 100_000):
        out = clean(flood)
        assert "\x1b" not in out and "\x9d" not in out
