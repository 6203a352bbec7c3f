"""Each command loads only what it uses: the module of the command run (every one for `--help`,
none for the app), and none of the heavy libraries or domain packages it has no use for.

Each case runs the real command in a fresh interpreter (what is imported is per process) on the
shipped knowledge, with a knowledge cache of the test's own, warmed by a first run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from copycar_assist.cli import COMMANDS, build_parser

PROBE = """
import json, os, sys
from copycar_assist.cli import main
code = main(sys.argv[1:])
with open(os.environ["PROBE_OUT"], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""

HEAVY = ("textual", "rich", "markdown_it", "rapidfuzz", "httpx", "asyncio", "aiosmtpd", "dnslib", "redis",
         "platformdirs", "tomli_w", "copycar_assist.matching.matcher", "copycar_assist.simulator", "copycar_assist.checks",
         "copycar_assist.conversation", "copycar_assist.tui")


def loaded(tmp_path, *argv: str) -> set[str]:
    """The modules a run of `copycar-assist ARGV` imported (run twice: the second has a warm cache)."""
    env = {**os.environ, "COPYCAR_ASSIST_CACHE": str(tmp_path / "cache"), "PROBE_OUT": str(tmp_path / "probe.json")}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", PROBE, *argv], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
    result = json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))
    assert result["code"] == 0, argv
    return set(result["modules"])


def top(modules: set[str]) -> set[str]:
    """The HEAVY names among `modules` (a package counts when any of its modules is loaded)."""
    return {h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules)}


def commands_loaded(modules: set[str]) -> set[str]:
    return {m.rsplit(".", 1)[1] for m in modules if re.fullmatch(r"copycar_assist\.cli\.\w+_cmd", m)}


@pytest.mark.parametrize(("argv", "modules", "heavy"), [
    (["--version"], set(), set()),
    (["kb", "list"], {"kb_cmd", "gaps_cmd"}, set()),
    (["kb", "show", "invalid-api-key"], {"kb_cmd", "gaps_cmd"}, set()),
    (["config", "show"], {"config_cmd"}, set()),
    (["sessions", "list"], {"sessions_cmd"}, set()),
    (["tickets", "list"], {"tickets_cmd"}, set()),
    (["history"], {"history_cmd"}, set()),
    (["match", "my api key gives 401"], {"match_cmd"}, {"copycar_assist.matching.matcher"}),  # rapidfuzz: only for a typo
])
def test_a_command_loads_its_own_module_and_nothing_heavy_it_does_not_use(tmp_path, argv, modules, heavy):
    found = loaded(tmp_path, *argv)
    assert commands_loaded(found) == modules
    assert top(found) == heavy
    if argv[0] in ("kb", "match"):  # the compiled store is read: the entry parsers are not needed
        assert not {"copycar_assist.kb.unified", "copycar_assist.kb.body", "copycar_assist.kb.frontmatter"} & found


# What a command's start defers to the path that needs it: each module named here is imported by
# the package, but not by this command. One of them back on the command's path fails the test.
FAMILIES_BUT_CRM = {f"copycar_assist.checks.{f}" for f in ("api", "content", "logs", "email", "cache", "monitor")}
DEFERRED = [
    # the guide's thresholds (support.toml) are read on the first pasted number; no
    # importlib.resources (its import costs ~3 ms); the conversation's cues are not the matcher's
    # (nor the settings: the UI language is asked for only to say something on a terminal)
    (["match", "my api key gives 401"], {"copycar_assist.kb.support", "importlib.resources",
                                         "copycar_assist.matching.cues", "copycar_assist.config", "subprocess"}),
    # (the settings are read: the list is in their language)
    (["kb", "list"], {"importlib.resources", "copycar_assist.kb.support"}),
    # the greeting needs neither the matcher, the causes' cues (rapidfuzz) nor the check runner (httpx);
    # nor subprocess (~1.8 ms), which only the app's compile of a large knowledge base apart uses
    (["chat", "--plain"], {"subprocess", "copycar_assist.matching.compiled", "copycar_assist.matching.matcher",
                           "copycar_assist.matching.cues", "rapidfuzz", "copycar_assist.checks.runner",
                           "copycar_assist.checks.http", "httpx", *FAMILIES_BUT_CRM, "copycar_assist.checks.crm"}),
    # only the family of the checks run: not the API, e-mail, cache … families and their modules
    (["doctor", "--only", "content", "--no-history"], {*(FAMILIES_BUT_CRM - {"copycar_assist.checks.content"}),
                                                       "copycar_assist.checks.crm", "copycar_assist.checks.redisprobe",
                                                       "copycar_assist.checks.dnscheck", "copycar_assist.checks.spam"}),
    # with no CRM set up none of its checks can run (the catalogue says what each needs): no check
    # family, no runner, no event loop and no HTTP stack, with the history kept or not
    *[(["doctor", "--only", "crm", *history], {*FAMILIES_BUT_CRM, "copycar_assist.checks.crm",
                                               "copycar_assist.checks.runner", "asyncio", "httpx"})
      for history in (["--no-history"], [])],
]


@pytest.mark.parametrize(("argv", "deferred"), DEFERRED, ids=[" ".join(a) for a, _ in DEFERRED])
def test_a_command_does_not_load_what_its_start_defers(tmp_path, argv, deferred):
    found = loaded(tmp_path, *argv)
    back = {d for d in deferred if any(m == d or m.startswith(d + ".") for m in found)}
    assert not back, f"{' '.join(argv)} loads {sorted(back)}"


def test_the_matchers_paste_patterns_are_compiled_on_first_use():
    probe = """
import json
from copycar_assist.matching import paste
from copycar_assist.matching.compiled import ready_matcher
patterns = {n: f for n, f in vars(paste).items() if n.endswith("_re") and callable(f)}
compiled = lambda: sorted(n for n, f in patterns.items() if f.cache_info().currsize)
at_import = compiled()
ready_matcher().match("my api key gives 401 unauthorized")
print(json.dumps([len(patterns), at_import, compiled()]))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    count, at_import, after_prose = json.loads(out.stdout)
    assert count >= 10
    assert at_import == []  # importing the matcher compiles none of them
    assert "_kind_re" in after_prose  # prose is read line by line
    assert len(after_prose) <= 3  # the log, curl, SMTP and guide-format patterns wait for a paste


def test_help_lists_every_command_of_commands(capsys):
    with pytest.raises(SystemExit):
        build_parser(["no-such-command"]).parse_args(["no-such-command"])
    listed = re.search(r"choose from (.*)\)", capsys.readouterr().err)
    assert listed is not None
    assert re.findall(r"'([^']+)'", listed.group(1)) == list(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_is_added_by_the_module_commands_names(name, capsys):
    parser = build_parser([name])  # only COMMANDS[name] is imported
    try:
        parser.parse_args([name])
    except SystemExit:  # a command that needs more arguments says so: but it is a command
        pass
    assert "invalid choice" not in capsys.readouterr().err
