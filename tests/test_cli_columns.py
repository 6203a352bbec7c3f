"""`cli/columns.py` on any text and any width: wrapped lines never pass the width and keep every
character; a reply keeps its code lines and every word; a cut line fits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from copycar_assist.cli.columns import cut, fit, hang, width, wrap

# Words of Latin, accented, wide (CJK) and combining characters, with spaces and line breaks.
PIECES = st.sampled_from([*"ab yz ÁÑü 漢字 e\u0301-`*#.", "\n", "- ", "1. ", "```", "word ", "longerword "])
TEXT = st.lists(PIECES, max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(1, 120))
def test_wrapped_lines_fit_and_keep_every_character(text, n):
    lines = wrap(text, n)
    assert all(width(line) <= max(n, 2) for line in lines)  # a wide character needs two columns
    assert "".join("".join(lines).split()) == "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(1, 120))
def test_a_cut_line_fits(text, n):
    one = " ".join(text.split())
    shown = cut(one, n)
    assert shown == one if width(one) <= n else (shown.endswith("…") and width(shown) <= max(n, 1))


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(30, 120), st.booleans())
def test_a_fitted_reply_keeps_its_code_and_its_words(text, columns, markdown):
    fitted = fit(text, columns, markdown)
    code, inside = [], False  # the lines of fenced blocks, fences included: copied, never wrapped
    for line in text.split("\n"):
        fence = line.lstrip().startswith("```")
        if fence or inside:
            code.append(line)
        inside ^= fence
    shown = fitted.split("\n")
    assert all(line in shown for line in code)
    assert "".join(fitted.split()) == "".join(text.split())


@given(st.text(max_size=40), TEXT, st.integers(1, 120))
def test_hanging_text_without_a_terminal_is_one_line_as_it_is(lead, text, n):
    assert hang(lead, text, None) == [lead + text]
    assert "".join("".join(hang("  x ", text, n)).split()) == "x" + "".join(text.split())


def test_the_spaces_between_columns_of_a_line_are_kept():
    row = "  2026-12-01 07:12  doctor        18 checks: 14 pass · 2 fail  http://127.0.0.1:35129/v2"
    assert wrap(row.strip(), 200) == [row.strip()]
    assert wrap(row.strip(), 60) == ["2026-12-01 07:12  doctor        18 checks: 14 pass · 2 fail",
                                     "http://127.0.0.1:35129/v2"]
    assert fit(row, 80) == "  2026-12-01 07:12  doctor        18 checks: 14 pass · 2 fail\n  http://127.0.0.1:35129/v2"


def test_doctor_scrubs_a_secret_before_it_wraps_a_line():
    """The writers' scrub finds a secret whole: on a narrow terminal it is masked before the
    summary is wrapped, never split over two lines where the scrub would miss both halves."""
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.cli.doctor_render import Renderer
    from copycar_assist.config import Settings
    from copycar_assist.redact import Secret, make_scrubber

    secret = "sk-live-" + "Q7x" * 12
    settings = Settings()
    settings.api.key = Secret(secret)
    out = Renderer("en", verbose=True, columns=40, scrub=make_scrubber(settings))
    out.results([CheckResult("api.verify", "fail", "unauthorized", f"the API echoed {secret} back", {"sent": secret}, 12,
                             title="Key verification")])
    joined = "".join(out.text().split())
    assert secret[:16] not in joined and secret[-16:] not in joined
    assert all(width(line) <= 39 for line in out.lines)
