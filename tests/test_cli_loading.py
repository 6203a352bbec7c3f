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
