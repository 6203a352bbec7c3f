"""Training: practice cases cover the demo world, a scripted trainee through `train --json`
scores 100 % when right and gets a debrief naming the truth when wrong, the quiz follows the
knowledge, and progress survives a restart and SIGKILL."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from fixtures_terminal import on_a_terminal

from copycar_assist.kb import load_knowledge
from copycar_assist.simulator.catalogue import SCENARIOS
from copycar_assist.training.cases import all_faults, draw
from copycar_assist.training.customer import first_message
from copycar_assist.training.progress import Progress
from copycar_assist.training.quiz import all_items

from fixtures_demo import ROOT, clean_env
from fixtures_training import train_case


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("COPYCAR_API_KEY", "COPYCAR_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


def test_practice_cases_exist_for_every_entry_and_every_cause_the_demo_shows(kb):
    faults = {(f.scenario, f.entry, f.cause) for f in all_faults(kb)}
    shown = {(sc.name, s.entry, s.cause) for sc in SCENARIOS.values() for s in sc.shows}
    assert shown == faults
    assert {f.entry for f in all_faults(kb)} == set(kb.entries)


def test_the_customer_speaks_from_the_knowledge_in_the_trainee_language_and_hides_the_scenario(kb):
    import random

    for f in all_faults(kb):
        case = draw(kb, "clear", random.Random(1), exclude={x.key for x in all_faults(kb) if x != f})
        for lang in ("es", "en"):
            text = first_message(kb, case, lang, random.Random(2))
            assert "train." not in text and text.strip()
            if "-" in case.faults[0].scenario:  # a name, not a word a customer uses
                assert case.faults[0].scenario not in text
    two = draw(kb, "two", random.Random(5))
    assert len(two.faults) == 2 and two.faults[0].entry != two.faults[1].entry


# one fast case per shipped entry
def _one_per_entry(kb):
    slow = {"slow", "smtp-silent", "redis-blocked"}
    out = {}
    for f in all_faults(kb):
        if f.scenario not in slow:
            out.setdefault(f.entry, f)
    return [f"{f.scenario}/{f.key}" for f in out.values()]


def test_a_trainee_who_answers_right_scores_100_on_a_case_of_every_entry(kb, data):
    specs = _one_per_entry(kb)
    assert len(specs) == len(kb.entries)

    async def all_cases():
        gate = asyncio.Semaphore(4)

        async def one(spec):
            async with gate:
                return spec, await train_case(spec, "right", right=True)
        return await asyncio.gather(*(one(s) for s in specs))

    for spec, events in asyncio.run(all_cases()):
        debrief = next(e for e in events if e["type"] == "debrief")
        assert debrief["score"] == 100, (spec, [p for p in debrief["parts"] if not p["right"]])
        assert any(e["type"] == "saved" for e in events)
    assert len(Progress("right").data["log"]) == 5 * len(specs)


def test_a_trainee_who_answers_wrong_gets_a_debrief_naming_the_truth(kb, data):
    spec = "expired-key/invalid-api-key#expired-key"
    events = asyncio.run(train_case(spec, "wrong", right=False))
    d = next(e for e in events if e["type"] == "debrief")
    assert d["score"] == 0
    truth = d["truth"][0]
    assert (truth["entry"], truth["cause"]) == ("invalid-api-key", "expired-key")
    assert truth["step"] == kb.entries["invalid-api-key"].cause("expired-key").steps["en"][0]
    assert (truth["severity"], truth["level"], truth["response_minutes"]) == ("HIGH", 2, 60)
    labels = {p["part"]: p["expected_label"] for p in d["parts"]}
    assert labels["entry"] == "Invalid API key" and labels["cause"] == "The key has expired"
    assert labels["step"] == truth["step"] and labels["level"].startswith("Level 2")
    assert d["expert"][0]["found"] == {"entry": "invalid-api-key", "cause": "expired-key", "via": "check"}
    assert any("Key verification (GET /verify): failed" in line for line in d["expert_lines"]) and d["pitfalls"]


def test_two_faults_are_graded_in_whichever_order_they_are_named(kb):
    """Nothing asks for an order: the same right answers scored 100 one way and 40 the other."""
    from copycar_assist.training.cases import Fault
    from copycar_assist.training.grading import PARTS, Truth, paired

    truths = [Truth(Fault("crm-bad-token", "crm-integration-failed", "bad-credentials", "check", "check"),
                    "HIGH", 2, 60, ("email",)),
              Truth(Fault("prompt-too-short", "content-generation-failed", "prompt-too-short", "check", "check"),
                    "MEDIUM", 1, 240, ("email",))]
    right = [{part: tr.value(part, kb, "en") for part in PARTS} for tr in truths]
    assert paired(truths, right, kb, "en") == right
    assert paired(truths, right[::-1], kb, "en") == right  # named the other way round
    half = [{"entry": "content-generation-failed"}, {}]  # one answer: it goes to the fault it names
    assert paired(truths, half, kb, "en") == [{}, {"entry": "content-generation-failed"}]


def _item(items, item_id):
    return next(i for i in items if i.id == item_id)


def test_the_quiz_follows_the_knowledge(kb, tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(kb.root, copy)
    support = (copy / "support.toml").read_text()
    support = support.replace("error_rate = 0.05 ", "error_rate = 0.08 ")
    support = support.replace("[escalation.HIGH]\nresponse_minutes = 60\nlevel = 2",
                              "[escalation.HIGH]\nresponse_minutes = 45\nlevel = 3")
    (copy / "support.toml").write_text(support)
    other = load_knowledge(copy)
    for lang in ("en", "es"):
        before, after = all_items(kb, lang), all_items(other, lang)
        assert _item(before, "threshold:HIGH_ERROR_RATE").answer == "above:0.05"
        assert _item(after, "threshold:HIGH_ERROR_RATE").answer == "above:0.08"
        assert "8 %" in _item(after, "threshold:HIGH_ERROR_RATE").answer_label
        assert _item(before, "severity:HIGH").answer.startswith("2/60/")
        assert _item(after, "severity:HIGH").answer.startswith("3/45/")
    # through the command too: `--kb DIR train --quiz` asks and grades with the copy's values
    env = {**clean_env(tmp_path), "COPYCAR_ASSIST_DATA": str(tmp_path / "d")}
    items = {i.id: i for i in all_items(other, "en")}
    proc = subprocess.run([sys.executable, "-m", "copycar_assist", "--kb", str(copy), "--lang", "en", "train",
                           "--json", "--quiz", "40", "--seed", "4"], input="", capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    asked = next(e for e in events if e["type"] == "quiz_item")
    offered = {c["value"] for c in next(e for e in events if e["type"] == "prompt")["choices"] if c["role"] == "answer"}
    assert items[asked["id"]].answer in offered  # the copy's item, with the copy's right answer on offer


def test_every_quiz_item_has_its_answer_among_distinct_choices_in_both_languages(kb):
    for lang in ("en", "es"):
        items = all_items(kb, lang)
        kinds = {i.kind for i in items}
        assert kinds == {"symptom", "code", "severity", "threshold", "pitfall"}
        for i in items:
            values = [v for v, _ in i.choices]
            assert i.answer in values and len(set(values)) == len(values) >= 2, i.id
    assert {i.id for i in all_items(kb, "en")} == {i.id for i in all_items(kb, "es")}
    pitfalls = " ".join(i.question for i in all_items(kb, "en") if i.kind == "pitfall")
    assert "KEYS" in pitfalls and "hash()" in pitfalls


def test_free_answers_are_read_by_the_matcher(kb):
    from copycar_assist.matching import Matcher
    from copycar_assist.training.quizrun import read_free

    item = next(i for i in all_items(kb, "en") if i.id.startswith("symptom:invalid-api-key:"))
    assert read_free(item, "the api key is wrong, 401 unauthorized", Matcher(kb), "en") == "invalid-api-key"
    assert read_free(item, "la clave de api no es válida", Matcher(kb), "es") == "invalid-api-key"


def _events_until(proc, want: str) -> list[dict]:
    seen = []
    while True:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        e = json.loads(line)
        seen.append(e)
        if e["type"] == want:
            return seen


def test_progress_survives_a_restart_and_sigkill(tmp_path):
    env = {**clean_env(tmp_path)}
    argv = [sys.executable, "-m", "copycar_assist", "--lang", "en", "train", "--json", "--quiz", "5",
            "--trainee", "kim", "--seed", "1"]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)
    try:
        for _ in range(2):
            prompt = _events_until(proc, "prompt")[-1]
            proc.stdin.write(json.dumps({"choose": prompt["choices"][0]["id"]}) + "\n")
            proc.stdin.flush()
            _events_until(proc, "saved")
        proc.send_signal(signal.SIGKILL)  # mid-session: three questions left
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    path = tmp_path / "data" / "training" / "kim.json"
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    saved = json.loads(path.read_text())
    assert len(saved["log"]) == 2 and len(saved["cards"]) == 2
    stats = subprocess.run([*argv[:6], "--stats", "--json", "--trainee", "kim"], capture_output=True, text=True,
                           cwd=ROOT, env=env, timeout=60)
    assert json.loads(stats.stdout)["answers"] == 2
    # a restart goes on from there: the next session adds to the same progress
    again = subprocess.run(argv, input=json.dumps({"text": "1"}) + "\n", capture_output=True, text=True,
                           cwd=ROOT, env=env, timeout=60)
    assert again.returncode == 0, again.stderr
    assert len(json.loads(path.read_text())["log"]) == 3


def test_the_stats_table_names_every_row_and_fits_80_columns(tmp_path, data):
    """A threshold question (no entry) showed as a row named "—", the totals as a row with no
    name, and long titles were cut without a mark."""
    from copycar_assist.training.stats import NO_ENTRY

    progress = Progress("lia")
    progress.record("threshold:HIGH_ERROR_RATE", None, "recognise", True)
    progress.record("quiz:x", "slow-responses", "recognise", False)
    env = clean_env(tmp_path)
    env["COPYCAR_ASSIST_DATA"] = str(data)
    out = subprocess.run([sys.executable, "-m", "copycar_assist", "--lang", "es", "train", "--stats", "--trainee", "lia"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stderr
    rows = lines[2:-1]
    assert all(line[:32].strip() and len(line) <= 80 for line in rows), rows
    assert any(line.startswith("General (umbrales y severidad)") and "100 %" in line for line in rows)
    assert any(line.startswith("Respuestas lentas y rendimiento…") and "0 %" in line for line in rows)
    assert rows[-1].startswith("Todas las entradas") and NO_ENTRY not in "".join(line[:32] for line in rows)


def test_trainees_keep_separate_progress(tmp_path, data):
    Progress("ana").record("quiz:x", "invalid-api-key", "recognise", True)
    assert Progress("ben").data["log"] == [] and len(Progress("ana").data["log"]) == 1
    with pytest.raises(ValueError):
        Progress("../evil")


def test_an_exam_ends_with_a_markdown_and_json_report(tmp_path):
    env = clean_env(tmp_path)
    argv = [sys.executable, "-m", "copycar_assist", "--lang", "en", "train", "--json", "--exam", "1",
            "--trainee", "eve", "--case", "expired-key/invalid-api-key#expired-key"]
    lines = [{"choose": "investigate:answer"}, {"choose": "entry:invalid-api-key"}, {"text": "The key has expired"},
             {"text": "1"}, {"text": "high"}, {"text": "2"}]
    proc = subprocess.run(argv, input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=90)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(x) for x in proc.stdout.splitlines()]
    rep = next(e for e in events if e["type"] == "exam_report")
    assert rep["total"] == 1 and rep["answered"] == 1
    doc = json.loads(open(rep["json_path"]).read())
    parts = {p["part"]: p["right"] for p in doc["cases"][0]["parts"]}
    assert parts["entry"] and parts["cause"] and parts["severity"]
    md = open(rep["markdown_path"]).read()
    assert md.startswith("# Exam of eve") and "Problem: right" in md
    assert oct(os.stat(rep["markdown_path"]).st_mode & 0o777) == "0o600"
    case = next(e for e in events if e["type"] == "case")  # an exam's case says so, and the time left
    assert case["header"].startswith("Exam · case 1 of 1 · ") and case["header"].endswith(" min left")


def test_a_plain_exam_shows_its_score_and_says_when_the_time_is_up(tmp_path):
    env = clean_env(tmp_path)
    argv = [sys.executable, "-m", "copycar_assist", "--lang", "es", "train", "--plain", "--exam", "2",
            "--minutes", "0.02", "--trainee", "ana", "--case", "expired-key/invalid-api-key#expired-key"]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    time.sleep(3)  # the trainee says nothing until the time (1.2 s) is up
    out, _ = proc.communicate("", timeout=60)
    assert "== Examen · caso 1 de 2" in out and "Se acabó el tiempo." in out, out
    assert "== Examen de ana — Puntuación: 0 % ==" in out and "Casos respondidos: 0 de 2." in out
    md = open(out.split("Informe guardado: ")[1].split(" y ")[0]).read()
    assert "|  |" not in md and "\n|\n" not in md  # no empty table when nothing was answered


def test_a_plain_quiz_on_an_80_column_terminal_fits_it(tmp_path):
    from copycar_assist.cli.columns import width

    code, lines = on_a_terminal(tmp_path, 80, "--lang", "es", "train", "--plain", "--quiz", "4", "--seed", "3",
                                stdin="1\n2\n3\n4\n")
    assert code == 0, lines
    assert sum(line.startswith("Pregunta ") for line in lines) == 4
    assert all(width(line) <= 79 for line in lines), [line for line in lines if width(line) > 79]
