"""The one reader and the one writer (copycar_assist/files) against real FIFOs, devices,
directories, symbolic links, huge and deeply nested files — and random bytes (hypothesis):
every refusal is a `ReadError`/`WriteError` naming the file (and the line where there is one),
within a bounded time, never a hang or a traceback."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copycar_assist.files.read import (
    DATA,
    ENTRY,
    OUTBOX,
    SESSION,
    SETTINGS,
    TEXT,
    Kind,
    ReadError,
    parse_json,
    parse_toml,
    read_bytes,
    read_tail,
    read_text,
    read_toml,
)
from copycar_assist.files.write import (
    WriteError,
    locked,
    write_atomic,
    write_text,
    write_unique,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fifo(tmp_path: Path, name: str = "pipe") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def refused(fn, *args, **kwargs) -> ReadError:
    started = time.monotonic()
    with pytest.raises(ReadError) as err:
        fn(*args, **kwargs)
    assert time.monotonic() - started < 2
    return err.value


# --- reading ---------------------------------------------------------------------------------------


def test_special_files_are_refused_before_they_are_opened(tmp_path):
    pipe = fifo(tmp_path)
    (tmp_path / "link").symlink_to("/dev/zero")
    (tmp_path / "dir").mkdir()
    cases = {pipe: "a FIFO (named pipe)", Path("/dev/zero"): "a character device",
             tmp_path / "link": "a character device", tmp_path / "dir": "a directory"}
    for path, what in cases.items():
        err = refused(read_bytes, path, TEXT)
        assert str(err) == f"{path}: is {what}, not a regular file; only regular files are read"
        assert err.message("es").startswith(f"{path}: es ")


def test_a_fifo_swapped_in_after_the_stat_does_not_block(tmp_path):
    """Open is non-blocking: even a FIFO that nobody writes to returns at once (and is refused)."""
    from copycar_assist.files.read import open_regular

    pipe = fifo(tmp_path)
    done = threading.Event()

    def opener():
        try:
            open_regular(pipe, TEXT)
        except ReadError:
            done.set()

    threading.Thread(target=opener, daemon=True).start()
    assert done.wait(2)


def test_size_caps_and_utf8(tmp_path):
    small = Kind("text", 1024)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 1025)
    assert "is larger than 1 KiB: too large for a prompt or e-mail file" in str(refused(read_bytes, big, small))
    bad = tmp_path / "bad.txt"
    bad.write_bytes("línea\n".encode() + b"mal: \xff")
    assert str(refused(read_text, bad, TEXT)).startswith(f"{bad}:2:6: is not valid UTF-8")
    assert read_text(tmp_path / "absent", TEXT, missing_ok=True) is None
    assert "does not exist" in str(refused(read_text, tmp_path / "absent", TEXT))


def test_tail_of_a_large_log_starts_at_a_whole_line(tmp_path):
    log = tmp_path / "big.log"
    log.write_bytes(b"".join(b"line %06d\n" % n for n in range(3000)))  # 36,000 bytes
    data, size = read_tail(log, Kind("log", 1000))
    assert size == 36000 and data.startswith(b"line ") and data.endswith(b"line 002999\n")
    assert len(data) < 1000


def test_private_files_refuse_links_and_other_readers(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("language = 'es'\n")
    real.chmod(0o600)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    assert "symbolic link" in str(refused(read_text, link, SETTINGS))
    real.chmod(0o664)  # others may write it: never read (the settings decide on readers: test_config)
    assert "(mode 0664)" in str(refused(read_text, real, SETTINGS))
    real.chmod(0o644)
    assert read_text(real, SETTINGS) == "language = 'es'\n"
    assert "(mode 0644)" in str(refused(read_text, real, OUTBOX))  # a ticket is private whatever it holds


@pytest.mark.parametrize("text,line", [
    ("a = " + "[" * 5000, 1),
    ("x = 1\ny = " + "{ a = " * 5000, 2),
    ("# fine\n" + ".".join(["k"] * 5000) + " = 1\n", 2),
], ids=["arrays", "inline-tables", "dotted-keys"])
def test_toml_nested_thousands_deep(tmp_path, text, line):
    started = time.monotonic()
    with pytest.raises(ReadError) as err:
        parse_toml(text, tmp_path / "deep.toml", DATA)
    assert time.monotonic() - started < 2
    assert err.value.line == line and "nests more than 16 levels deep" in str(err.value)


def test_json_nested_deep_and_broken(tmp_path):
    with pytest.raises(ReadError) as err:
        parse_json("[" * 100_000, "s.jsonl", SESSION, line=7)
    assert str(err.value) == "s.jsonl:7: nests more than 32 levels deep"
    with pytest.raises(ReadError) as err:
        parse_json('{"a": tru}', "x.json", SESSION)
    assert str(err.value).startswith("x.json:1:7: invalid JSON: ")


def test_toml_errors_never_quote_the_file(tmp_path):
    secret = "sk-live-0123456789abcdefghij"
    path = tmp_path / "c.toml"
    path.write_text(f'[api]\n"{secret}" = \n')
    with pytest.raises(ReadError) as err:
        read_toml(path, DATA)
    assert err.value.line == 2 and secret[:12] not in str(err.value)


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_as_toml_give_a_located_error_or_a_table(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        doc, _text = read_toml(path, ENTRY)
    except ReadError as exc:
        assert str(exc).startswith(str(path)) and exc.reason()
    else:
        assert isinstance(doc, dict)


toml_values = st.recursive(
    st.one_of(st.integers(), st.text(max_size=8), st.booleans()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), inner,
                                                                  max_size=3),
    max_leaves=40)


def _same(a, b) -> bool:
    """Equal, and every table's keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)  # nan


_FRAGMENTS = [
    "a = 1", "b = 'x'", 'c = "é\\t"', "a.b = 2", "x = 1e400", "n = 9223372036854775808", "f = -0.0", "g = nan",
    "d = 1979-05-27T07:32:00.1234567Z", "t = 07:32:00", "i = { k = 1, l.m = [1, 2, ] }", "[a]", "[a.b]", "[[a.b]]",
    "[c]", "[[c]]", '["q k"]', "[ a . c ]", "k = [", "= 1", "m = \"\"\"\nml\"\"\"", "# note",
]


@FAST
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_toml_reads_as_tomli_reads_it_tables_in_the_same_order(tmp_path, lines, newline):
    """The fast reader (rtoml) is used only where it gives what tomli gives: the same values, the
    same order of keys and tables, the same error where tomli has one (tomli then reports it)."""
    import tomli

    text = newline.join(lines) + newline
    try:
        expected = tomli.loads(text)
    except tomli.TOMLDecodeError:
        with pytest.raises(ReadError) as err:
            parse_toml(text, tmp_path / "f.toml", DATA)
        assert err.value.line is not None
    else:
        assert _same(parse_toml(text, tmp_path / "f.toml", DATA), expected)


def test_toml_a_table_named_after_its_subtables_keeps_tomlis_order(tmp_path):
    text = "[a.b]\nx = 1\n[c]\ny = 2\n[a]\nz = 3\n"
    assert list(parse_toml(text, tmp_path / "f.toml", DATA)) == ["a", "c"]
    quoted = "['x]y'.b]\nz = 1\n[c]\ny = 2\n['x]y']\nw = 3\n"  # a quoted key that holds a ]
    assert list(parse_toml(quoted, tmp_path / "f.toml", DATA)) == ["x]y", "c"]
    huge = parse_toml("x = 1e400\nn = 9223372036854775808\n", tmp_path / "f.toml", DATA)  # rtoml refuses both
    assert huge == {"x": float("inf"), "n": 9223372036854775808}


@FAST
@given(toml_values.filter(lambda v: isinstance(v, dict)))
def test_toml_written_by_tomli_w_reads_as_tomli_reads_it(tmp_path, value):
    import tomli
    import tomli_w

    text = tomli_w.dumps(value)  # values before tables: its order, not the dict's
    assert _same(parse_toml(text, tmp_path / "f.toml", SESSION), tomli.loads(text))


@FAST
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{ a = ", '["x", ']))
def test_any_nesting_depth_is_refused_or_parsed_quickly(tmp_path, depth, opener):
    started = time.monotonic()
    text = "v = " + opener * depth + "1"
    try:
        parse_toml(text, tmp_path / "d.toml", ENTRY)
    except ReadError as exc:
        assert exc.line == 1
    assert time.monotonic() - started < 1


@FAST
@given(st.text(max_size=300))
def test_random_text_as_json_lines(tmp_path, text):
    try:
        parse_json(text, "s.jsonl", SESSION, line=3)
    except ReadError as exc:
        assert str(exc).startswith("s.jsonl:3")


# --- writing ---------------------------------------------------------------------------------------


def test_write_atomic_replaces_only_regular_files(tmp_path):
    target = tmp_path / "out.md"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and stat.S_IMODE(target.stat().st_mode) == 0o600
    pipe = fifo(tmp_path)
    (tmp_path / "dir").mkdir()
    (tmp_path / "link").symlink_to(target)
    for path, expect in ((pipe, "is a FIFO (named pipe); only a regular file is replaced"),
                         (tmp_path / "dir", "is a directory"), (tmp_path / "link", "is a symbolic link")):
        with pytest.raises(WriteError) as err:
            write_atomic(path, b"x")
        assert expect in str(err.value) and err.value.strerror
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and (tmp_path / "link").is_symlink()
    with pytest.raises(WriteError):
        write_atomic(Path("/dev/null"), b"x")  # as root this once replaced the system's /dev/null
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_write_text_scrubs_controls(tmp_path):
    write_text(tmp_path / "t.md", "title \x1b]0;owned\x07 and \x9b31m red \u202e end\n")
    assert (tmp_path / "t.md").read_text() == "title ]0;owned and 31m red  end\n"


def test_unique_names_under_concurrency(tmp_path):
    names: list[Path] = []
    lock = threading.Lock()

    def one(n):
        path = write_unique(tmp_path / "tickets", "ticket-20240101-120000", ".md", f"ticket {n}".encode())
        with lock:
            names.append(path)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(names)) == 20
    assert sorted(p.read_text() for p in names) == sorted(f"ticket {n}" for n in range(20))
    assert (tmp_path / "tickets" / "ticket-20240101-120000.md").exists()
    assert (tmp_path / "tickets" / "ticket-20240101-120000-20.md").exists()


def test_the_lock_serialises_and_gives_up(tmp_path):
    target = tmp_path / "config.toml"
    with locked(target):
        started = time.monotonic()
        with pytest.raises(WriteError) as err:
            with locked(target, timeout_s=0.2):
                pass
        assert 0.2 <= time.monotonic() - started < 2
    assert "is being changed by another process" in str(err.value)
    with locked(target, timeout_s=0.2):
        pass


_PIECES = ['a = [', ']', '[t]', '[[u]]', 'b = {', '}', 'c = "x [ y"', 'd = "] ]"', "e = 'l [ '", '# [ [ [', 'f = "q',
           '"', 'g = """[', '\\', 'h = [[[', ']]]', 'i = "\\" [', ' ', '"[" "]"', 'j = ""']


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=0, max_size=30), st.integers(min_value=0, max_value=6))
def test_a_text_found_plainly_shallow_is_shallow_by_the_full_scan(parts, limit):
    from copycar_assist.files.depth import _plainly_shallow, _scan_toml_depth

    text = "\n".join(parts)
    if _plainly_shallow(text, limit):
        _scan_toml_depth(text, limit)  # never raises TooDeep
