"""Ticket and transcript Markdown: fences longer than any backtick run, scrubbing, structure."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from copycar_assist.checks.base import CheckResult
from copycar_assist.config import Settings
from copycar_assist.redact import Secret, make_scrubber, scrub_keylike
from copycar_assist.support.escalation import escalation_for
from copycar_assist.support.severity import propose_severity
from copycar_assist.support.textblock import fence, inline
from copycar_assist.support.ticket import (
    AttemptInfo,
    StepMark,
    TicketData,
    build_ticket,
)
from copycar_assist.support.transcript import Line, to_markdown

from fixtures_conversation import CANARY_KEY

md = MarkdownIt("commonmark")
untrusted = st.text(alphabet=st.sampled_from("`~ab\n#*[]()<>!|\\-_ \t"), max_size=80)


@settings(max_examples=200, deadline=None)
@given(untrusted)
def test_a_fence_holds_any_text(text):
    block = fence(text)
    tokens = md.parse(block)
    assert [t.type for t in tokens] == ["fence"]
    assert tokens[0].content == (text if text.endswith("\n") else text + "\n")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("`ab *_[]"), min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_inline_code_holds_any_text(text):
    tokens = md.parseInline(inline(text))
    kinds = [c.type for c in tokens[0].children]
    assert kinds == ["code_inline"]


def test_fence_strips_control_sequences():
    block = fence("a\x1b[31mred\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x07 \u202eevil")
    assert "\x1b" not in block and "\u202e" not in block and "red" in block


def test_scrubber_masks_known_and_keylike_secrets():
    s = Settings()
    s.api.key = Secret(CANARY_KEY)
    scrub = make_scrubber(s)
    out = scrub(f"key={CANARY_KEY} other sk-live-0123456789abcdefXYZ Bearer eyJhbGciOi.J9xyz12")
    assert CANARY_KEY not in out and "0123456789abcdef" not in out and "eyJhbGciOi" not in out
    # ordinary words are left alone
    assert scrub_keylike("token caducado, bearer authentication, password reset") == \
        "token caducado, bearer authentication, password reset"


def _data(kb, results, descriptions, transcript) -> TicketData:
    p = propose_severity(kb, "invalid-api-key", results)
    return TicketData(
        severity=p.severity, reasons=p.reasons, escalation=escalation_for(kb.support, p.severity),
        entry_id="invalid-api-key", entry_title=kb.entries["invalid-api-key"].title,
        cause_id="wrong-key", cause_title=kb.entries["invalid-api-key"].cause("wrong-key").title,
        descriptions=descriptions,
        attempts=[AttemptInfo("invalid-api-key", "wrong-key", {"en": "Wrong key"},
                              [StepMark("Copy the key again.", "done"), StepMark("Check the env.", "skipped")],
                              fixed=False, verified="still")],
        answers=[("Is it a read-only key?", "no")],
        results=results,
        check_titles={c: s.title for c, s in kb.checks.items()},
        transcript=transcript,
        entry_titles={e: x.title for e, x in kb.entries.items()},
    )


def test_ticket_structure_and_safety(kb):
    evil = f"```\n# Title\n{CANARY_KEY}\n````"
    results = [CheckResult("api.verify", "fail", "unauthorized", f"401 body: {evil}",
                           {"body": evil, "status": 401}, 12, "invalid-api-key", "wrong-key")]
    data = _data(kb, results, [evil], [Line("user", evil), Line("assistant", "**ok**", True)])
    s = Settings()
    s.api.key = Secret(CANARY_KEY)
    ticket = build_ticket(data, "en", make_scrubber(s))
    assert CANARY_KEY not in ticket
    tokens = md.parse(ticket)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0].startswith("Support ticket: Invalid API key — HIGH")
    assert "Title" not in headings
    assert headings[1:] == ["What the customer reports", "Steps tried",
                            "Wrong key (`invalid-api-key#wrong-key`) — not fixed · check still fails · 1 done, 1 skipped",
                            "Answers", "Check evidence",
                            "`api.verify` — Key verification (GET /verify): FAIL (`unauthorized`) → `invalid-api-key#wrong-key`",
                            "Transcript"]
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 3  # the description, the evidence, the transcript
    assert all("# Title" in f.content for f in fences)
    assert "- [x] 1. Copy the key again. _(done)_" in ticket
    assert "- [ ] 2. Check the env. _(skipped)_" in ticket
    assert "- Is it a read-only key? → **no**" in ticket


def test_transcript_markdown(kb):
    lines = [Line("assistant", "Hello **there**", True), Line("user", "# not a heading\n```"),
             Line("evidence", "api.verify: fail")]
    out = to_markdown(lines, "en")
    tokens = md.parse(out)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["CopyCar Assist — conversation"]
    assert "Hello **there**" in out  # trusted text stays Markdown
    assert [t.content for t in tokens if t.type == "fence"] == ["# not a heading\n```\n", "api.verify: fail\n"]
    assert Line.from_json(lines[1].to_json()) == lines[1]
