"""Any text, however odd, gets a well-formed answer quickly."""

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ODD = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),  # controls
    st.text(alphabet=st.sampled_from("🙂🔥💥👍🏽\u200d\u202e\u202d\u2066עבריתالعربية"), max_size=80),  # emoji, RTL
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=20), st.integers(1, 5000)),  # long runs
    st.sampled_from(["", " ", "\n", "\x00", "401" * 40000, "a" * 100_000, "_" * 5000, "Error" * 2000]),
)


def well_formed(r):
    obj = r.to_json()
    json.dumps(obj)  # serialisable
    assert obj["language"] in ("es", "en")
    assert len(obj["query"]) <= 2000
    assert obj["best"] is None or obj["best"] == obj["matches"][0]["id"]
    scores = [m["score"] for m in obj["matches"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert not any(c in obj["query"] for c in "\x00\x1b\u202e")
    for m in obj["matches"]:
        assert all(w in r.query for w in m["why"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ODD)
# a control string in a paste big enough to be cut: the reader read pieces the echo hides
@example(text="00000\x9010\x98" * 1821)
def test_any_text_gives_a_well_formed_answer(matcher, text):
    well_formed(matcher.match(text))


def test_huge_paste_is_capped(matcher):
    r = matcher.match("smtp 535 " + "x" * 100_000)
    well_formed(r)
    assert r.best == "email-delivery-failed"


CODE_BITS = st.sampled_from(["401", "5xx", "503s", "port 465", "SMTPAuthenticationError", "requests.ConnectTimeout",
                             "invalid_api_key", "LOW_SUCCESS_RATE", "Error", "Failed", "Failure", "a_b", "_", "4",
                             "5", "x", " ", ".", ":", "=", "/", "\n", "é", "ConnectionRefused", "Disconnected"])


@settings(max_examples=300, deadline=None)
@given(text=st.lists(CODE_BITS, max_size=12).map("".join) | st.text(max_size=80))
def test_finding_codes_skips_only_the_scans_that_cannot_match(text):
    # find_codes looks for a status code only where a 4 or a 5 is, for a name only where one
    # of its endings is, for an identifier only where an underscore is: what it finds is what
    # every pattern run over the whole text finds.
    from copycar_assist.matching import codes

    found: dict[str, tuple[int, int]] = {}
    for m in codes._STATUS.finditer(text):
        if not codes._PORT_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            found.setdefault(codes.norm_code(m.group(1)), (m.start(1), m.end(1)))
    for rx in (codes._EXCEPTION, codes._IDENT):
        for m in rx.finditer(text):
            c = codes.norm_code(m.group(1))
            if c and c not in codes.GENERIC:
                found.setdefault(c, (m.start(1), m.end(1)))
    expected = sorted(((c, *span) for c, span in found.items()), key=lambda x: x[1])
    assert [(c.code, c.start, c.end) for c in codes.find_codes(text)] == expected
