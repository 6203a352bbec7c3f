"""`kb gaps`: what real conversations did not understand, with the entry finally chosen —
sessions written by the real `chat --json` through a pipe, read back by the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from copycar_assist.matching.gaps import cluster, gaps_of

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], data: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
           "COPYCAR_ASSIST_DATA": str(data), "COPYCAR_ASSIST_CONFIG": str(data / "none.toml"), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "copycar_assist", *args], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=120, check=False)


def chat(data: Path, *lines: dict) -> None:
    p = run(["chat", "--json"], data, "".join(json.dumps(x) + "\n" for x in lines))
    assert p.returncode == 0, p.stderr


def test_gaps_list_what_was_not_understood_with_the_entry_finally_chosen(tmp_path):
    # not understood, then said again in words the knowledge knows
    chat(tmp_path, {"text": "the little wheel keeps spinning and spinning"}, {"choose": "rephrase"},
         {"text": "the api is very slow, responses take more than 5 seconds"})
    chat(tmp_path, {"text": "la ruedecita no para de dar vueltas"}, {"choose": "rephrase"},
         {"text": "la api va muy lenta"})
    # understood at once: no gap
    chat(tmp_path, {"text": "me sale error 401 al llamar a la api"})
    p = run(["kb", "gaps", "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["sessions"] == 3 and doc["gaps"] == 2
    texts = {e["text"]: c["entry"] for c in doc["clusters"] for e in c["examples"]}
    assert texts == {"the little wheel keeps spinning and spinning": "slow-responses",
                     "la ruedecita no para de dar vueltas": "slow-responses"}
    wheel = next(c for c in doc["clusters"] if any("wheel" in e["text"] for e in c["examples"]))
    assert "wheel" in wheel["unknown_words"] and "spinning" in wheel["unknown_words"]
    text = run(["kb", "gaps"], tmp_path).stdout
    assert "slow-responses: 1 description(s)" in text and "«the little wheel keeps spinning and spinning»" in text


def test_no_sessions_is_said_plainly(tmp_path):
    p = run(["kb", "gaps"], tmp_path)
    assert p.returncode == 0 and "No description left not understood in 0 saved conversation(s)" in p.stdout
    assert run(["kb", "gaps", "--sessions", "0"], tmp_path).returncode == 3


def test_a_rephrased_description_is_a_gap_and_a_new_problem_is_not(matcher):
    """Records as the engine writes them: understood, the user said "no", said it again."""
    said = lambda text, best, first: [  # noqa: E731
        {"type": "user", "text": text, "kind": "description"},
        {"type": "matched", "best": best, "kind": "problem", "ambiguous": False, "matches": [{"id": first}]}]
    about = lambda entry: {"type": "prompt", "state": "confirm", "about": {"entry": entry}}  # noqa: E731
    records = [*said("emails bounce", "email-delivery-failed", "email-delivery-failed"), about("email-delivery-failed"),
               {"type": "answered", "role": "no"},
               *said("the alert mails never reach on-call", "alert-emails-missing", "alert-emails-missing"),
               about("alert-emails-missing"), {"type": "cause_found", "entry": "alert-emails-missing"},
               *said("me sale 429", "rate-limit-exceeded", "rate-limit-exceeded"), about("rate-limit-exceeded"),
               *said("429 otra vez", "rate-limit-exceeded", "rate-limit-exceeded")]
    [gap] = gaps_of("s1", records)
    assert (gap.text, gap.reason, gap.chosen) == ("emails bounce", "rephrased", "alert-emails-missing")
    [group] = cluster([gap], matcher)
    assert group.chosen == "alert-emails-missing" and group.gaps == [gap]


def test_hostile_records_are_skipped(matcher):
    records = [{"type": "user", "text": 5, "kind": "description"}, {"type": "matched", "best": ["x"]},
               {"type": "prompt", "about": "nope"}, {"type": "cause_found", "entry": "\x1b[31m"},
               {"type": "user", "text": "x" * 10_000, "kind": "description"},
               {"type": "matched", "best": None, "matches": "not a list"}]
    [gap] = gaps_of("s", records)
    assert len(gap.text) == 2000 and gap.listed is None and gap.chosen is None
    assert cluster([gap], matcher)[0].chosen is None
