"""What leaves the command line: terminal escapes from the knowledge never reach stdout, stderr
or JSON (raw or escaped); ids holding them are refused by the loader; a closed pipe ends a
command quietly (exit 141); an unexpected exception is one line and a crash report with secrets
masked (exit 2). All through the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from copycar_assist.kb import default_dir

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "\x1b]0;owned\x07 \x1b]52;c;Y2FuYXJ5\x07 \x9b31m \u202eevil"
RAW = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")
ESCAPED = ("\\u001b", "\\u0007", "\\u009b", "\\u202e", "\\x1b")


def argv() -> list[str]:
    script = Path(sys.executable).with_name("copycar-assist")
    return [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
            "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml"), "COPYCAR_ASSIST_DATA": str(tmp_path / "data"),
            "COPYCAR_ASSIST_NO_CACHE": "1", **extra}


def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*argv(), *args], capture_output=True, text=True, env=env_for(tmp_path, **extra),
                          cwd=tmp_path, timeout=60, stdin=subprocess.DEVNULL)


def no_controls(text: str) -> bool:
    return not any(c in text for c in RAW) and not any(e in text for e in ESCAPED)


@pytest.fixture
def hostile_kb(tmp_path) -> Path:
    """The shipped knowledge with terminal escapes in titles, cause titles and category titles."""
    root = tmp_path / "kb"
    shutil.copytree(default_dir(), root)
    toml_hostile = json.dumps(HOSTILE)  # a TOML basic string is written like a JSON one
    path = root / "invalid-api-key.md"
    text = path.read_text()
    text = text.replace('en = "Invalid API key"', f"en = {toml_hostile}", 1)
    text = text.replace("— The key is not right", f"— The key is not right {HOSTILE}", 1)
    path.write_text(text)
    cats = root / "categories.toml"
    cats.write_text(cats.read_text().replace('en = "Connection and authentication"', f"en = {toml_hostile}", 1))
    return root


@pytest.mark.parametrize("args", [
    ("kb", "list"), ("kb", "list", "--json"), ("kb", "show", "invalid-api-key"),
    ("match", "401 invalid api key"), ("match", "--json", "401 invalid api key"),
    ("diagnose", "invalid-api-key"), ("diagnose", "invalid-api-key", "--json"),
], ids=lambda a: " ".join(a))
def test_escapes_in_the_knowledge_never_reach_the_terminal(tmp_path, hostile_kb, args):
    r = run(tmp_path, "--kb", str(hostile_kb), "--lang", "en", *args)
    assert r.returncode in (0, 1, 2), r.stderr
    assert "owned" in r.stdout or "evil" in r.stdout or "Y2FuYXJ5" in r.stdout  # the text is there, inert
    assert no_controls(r.stdout) and no_controls(r.stderr), (r.stdout[:500], r.stderr[:500])
    if "--json" in args:
        json.loads(r.stdout)


def test_an_entry_id_with_escapes_is_refused_with_its_file(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(default_dir(), root)
    evil = "evil\x1b]0;owned\x07"
    text = (root / "invalid-api-key.md").read_text().replace('id = "invalid-api-key"', f"id = {json.dumps(evil)}", 1)
    (root / f"{evil}.md").write_text(text)
    r = run(tmp_path, "--kb", str(root), "kb", "list")
    assert r.returncode == 3 and "Traceback" not in r.stderr
    assert "evil]0;owned.md:2: 'id' must be letters, digits" in r.stderr
    assert no_controls(r.stderr) and no_controls(r.stdout)


def test_a_closed_pipe_ends_quietly(tmp_path):
    for args in (("kb", "show", "invalid-api-key"), ("kb", "list", "--json"), ("match", "--json", "429")):
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader (`head -1`) is gone before the first write
        p = subprocess.run([*argv(), *args], stdout=write_end, stderr=subprocess.PIPE, env=env_for(tmp_path),
                           cwd=tmp_path, timeout=60)
        os.close(write_end)
        assert (p.returncode, p.stderr) == (141, b""), (args, p.stderr)


def test_the_exit_keeps_every_byte_the_exit_code_and_the_exit_handlers(tmp_path):
    """`cli.run` ends the process without the interpreter's teardown: the output is the same as
    through `sys.exit(main())`, byte for byte, the command's exit code is the process's, and what
    was registered to run at exit (logging's flush, a coverage run's data) still runs."""
    marker = tmp_path / "ran"
    code = ("import atexit, pathlib, sys\n"
            "marker = pathlib.Path(sys.argv[1])\n"
            "atexit.register(lambda: marker.write_text('ran'))\n"
            "how, sys.argv = sys.argv[2], ['copycar-assist', *sys.argv[3:]]\n"
            "from copycar_assist.cli import main, run\n"
            "run() if how == 'run' else sys.exit(main())\n")
    for args, status in ((("kb", "show", "email-delivery-failed"), 0), (("kb", "show", "no-such-entry"), 3)):
        outputs = []
        for how in ("run", "exit"):
            marker.unlink(missing_ok=True)
            r = subprocess.run([sys.executable, "-c", code, str(marker), how, *args], capture_output=True,
                               env={**env_for(tmp_path), "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=60)
            assert r.returncode == status, r.stderr
            assert marker.read_text() == "ran"
            outputs.append((r.stdout, r.stderr))
        assert outputs[0] == outputs[1]
        assert len(outputs[0][0]) > 10_000 if status == 0 else b"no-such-entry" in outputs[0][1]


def test_an_unexpected_exception_is_one_line_and_a_masked_report(tmp_path):
    """A resource limit makes `config set` fail deep inside (RecursionError); the canary key in
    its arguments must not reach stderr or the report."""
    canary = "sk-CANARY-crash-7f3a9c2e5b1d4f60"
    code = ("import sys\nfrom copycar_assist.cli import main\nsys.setrecursionlimit(int(sys.argv[1]))\n"
            f"sys.exit(main(['config', 'set', 'api.key', '{canary}']))\n")
    crashed = []
    for limit in range(45, 100, 5):
        r = subprocess.run([sys.executable, "-c", code, str(limit)], capture_output=True, text=True,
                           env={**env_for(tmp_path), "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=60)
        lines = [x for x in r.stderr.splitlines() if x.startswith("copycar-assist: internal error")]
        if r.returncode == 2 and lines:
            crashed.append((r, lines[0]))
    assert crashed, "no limit made the command crash"
    for r, line in crashed:
        assert "Traceback" not in r.stderr and canary[:12] not in r.stderr
        assert "internal error in 'config': RecursionError at copycar_assist/" in line
        report = Path(line.rsplit(" is in ", 1)[1])
        text = report.read_text()
        assert "RecursionError" in text and canary[:12] not in text and "sk-…" in text
        assert oct(report.stat().st_mode & 0o777) == "0o600"
