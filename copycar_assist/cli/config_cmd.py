"""`copycar-assist config path|show|set|unset`: look at and change the settings file.

    config path                  where the settings file is (COPYCAR_ASSIST_CONFIG overrides it)
    config show [--json]         every setting, secrets masked, and where it came from
                                 (default | file | env)
    config set KEY VALUE         e.g. `config set smtp.port 465`, `config set crm.field_map.company Name`
    config set api.key -         a secret read from stdin (a prompt without echo on a terminal), so it
                                 never lands in the shell history or the process list
    config unset KEY             remove a setting from the file (back to the default)

Lists are given comma-separated (`config set api.endpoints https://a/v2,https://b/v2`).
The file is rewritten with tomli-w (comments are not kept), atomically, mode 0600.
Errors exit 3 and name the setting; they never repeat the value.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import UsageError
from .streams import emit_json

if TYPE_CHECKING:
    from copycar_assist.config import Settings
    from copycar_assist.config_schema import Field, Value

MAX_STDIN = 64 * 1024
_R = TypeVar("_R")
Shown = str | int | float | list[str] | dict[str, str] | None  # a value as `config show` prints it


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("config", help="cli.help.config", description="cli.help.config.about")
    sub = p.add_subparsers(dest="config_action", metavar="ACTION")
    sub.required = True
    sp = sub.add_parser("path", help="cli.help.config.path")
    sp.set_defaults(handler=_path)
    ss = sub.add_parser("show", help="cli.help.config.show")
    ss.add_argument("--json", action="store_true", help="cli.help.json_only")
    ss.set_defaults(handler=_show)
    st = sub.add_parser("set", help="cli.help.config.set", description="cli.help.config.set.about")
    st.add_argument("key", metavar="KEY", help="cli.help.config.set.key")
    st.add_argument("value", metavar="VALUE", help="cli.help.config.set.value")
    st.set_defaults(handler=_set)
    su = sub.add_parser("unset", help="cli.help.config.unset")
    su.add_argument("key", metavar="KEY")
    su.set_defaults(handler=_unset)


# --- helpers --------------------------------------------------------------------------------------


def _field(key: str) -> tuple[Field, str | None]:
    """(Field, map key or None) for a dotted KEY; unknown keys are a usage error."""
    import difflib

    from copycar_assist.config_schema import BY_NAME

    if key.startswith("crm.field_map.") and len(key) > len("crm.field_map."):
        return BY_NAME["crm.field_map"], key[len("crm.field_map."):]
    f = BY_NAME.get(key)
    if f is None:
        close = difflib.get_close_matches(key, list(BY_NAME), n=1)
        from copycar_assist.textsafe import one_line

        if close:
            raise UsageError("cli.config.unknown_close", setting=one_line(key, 60), close=close[0])
        raise UsageError("cli.config.unknown", setting=one_line(key, 60))
    if f.cli == "map":
        raise UsageError("cli.config.one_mapping", setting=key)
    return f, None


def _read_secret(label: str, lang: str) -> str:
    from copycar_assist.i18n import t

    if sys.stdin is None:
        raise UsageError("cli.config.no_stdin", setting=label)
    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass(t("cli.config.prompt", lang, setting=label))
    else:
        value = sys.stdin.read(MAX_STDIN + 1)
        if len(value) > MAX_STDIN:
            raise UsageError("cli.config.stdin_long", setting=label)
    value = value.strip()
    if not value:
        raise UsageError("cli.config.stdin_empty", setting=label)
    if "\n" in value or "\r" in value:
        raise UsageError("cli.config.stdin_lines", setting=label)
    return value


def _display(f: Field, value: Value | None) -> Shown:
    """The value as `config show` prints it: every secret masked by the one rule (`redact.mask`)."""
    from copycar_assist.redact import Secret, mask_url

    if value is None or value in ("", [], {}):
        return None
    if isinstance(value, Secret):
        if f.dotted == "redis.url":
            return mask_url(value.reveal())
        return value.masked
    return value


def _update(path: Path, change: Callable[[dict[str, Any]], _R]) -> _R:
    """Read the settings file, `change(data)` it and write it back, all under the settings lock,
    so concurrent `config set` calls never lose each other's changes. Nothing is written when
    `change` returns False."""
    from copycar_assist.config import ConfigError, update_settings_file

    try:
        result = update_settings_file(path, change)
    except ConfigError as exc:
        raise UsageError("cli.detail", detail=exc) from None
    except OSError as exc:
        raise UsageError("cli.config.cannot_write", path=path, reason=exc.strerror) from None
    return result


def _load() -> Settings:
    from copycar_assist.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise UsageError("cli.detail", detail=exc) from None


# --- handlers -------------------------------------------------------------------------------------


def _path(args: argparse.Namespace) -> int:
    from copycar_assist.config import config_path

    print(config_path())
    return 0


def _show(args: argparse.Namespace) -> int:
    from copycar_assist.config import config_path
    from copycar_assist.config_schema import FIELDS
    from copycar_assist.redact import make_scrubber, scrub_obj

    settings = _load()
    path = config_path()
    rows = []
    for f in FIELDS:
        value = _display(f, settings.get(f.dotted))
        rows.append((f, value, settings.source(f.dotted)))
    scrub = make_scrubber(settings)  # the writers' one scrub: a key pasted into any setting is masked too
    if args.json:
        doc = {
            "schema_version": 1,
            "path": str(path),
            "exists": path.exists(),
            "settings": {
                f.dotted: {"value": v, "source": src, "secret": f.secret, "env": f.env}
                for f, v, src in rows
            },
        }
        emit_json(scrub_obj(doc, scrub), indent=2)
        return 0
    from copycar_assist.i18n import t
    from copycar_assist.textsafe import one_line

    lang = args.ctx.ui_lang
    print(t("cli.config.file", lang, path=path) if path.exists() else t("cli.config.no_file", lang, path=path))
    width = max(len(f.dotted) for f, _, _ in rows)
    for f, value, source in rows:
        src = t(f"cli.config.source.{source}", lang)
        if isinstance(value, dict):
            if not value:
                print(f"{f.dotted:<{width}}  -  ({src})")
            for k, v in value.items():
                name = f"{f.dotted}.{one_line(str(k), 60)}"
                print(scrub(f"{name:<{width}}  {one_line(str(v))}  ({src})"))
            continue
        if isinstance(value, list):
            shown = ", ".join(value) if value else "-"
        else:
            shown = "-" if value is None else str(value)
        print(scrub(f"{f.dotted:<{width}}  {one_line(shown, 300)}  ({src})"))
    return 0


def _set(args: argparse.Namespace) -> int:
    from copycar_assist.config import config_path
    from copycar_assist.config_schema import Invalid, parse_cli_value
    from copycar_assist.i18n import t

    lang = args.ctx.ui_lang
    f, subkey = _field(args.key)
    if args.value == "-" and f.secret:
        text = _read_secret(args.key, lang)
    else:
        text = args.value
        if f.secret:
            print(t("cli.config.in_history", lang, setting=args.key), file=sys.stderr)
    try:
        value = parse_cli_value(f, text)
        if subkey is not None:
            f.check({subkey: value})
        else:
            f.check(value)
    except Invalid as exc:
        raise UsageError("cli.config.invalid", setting=args.key, detail=exc) from None
    path = config_path()

    def change(data: dict[str, Any]) -> None:
        target = data
        if f.section:
            target = data.setdefault(f.section, {})
            if not isinstance(target, dict):
                raise UsageError("cli.config.not_table", name=f"[{f.section}]", path=path)
        if subkey is not None:
            fmap = target.setdefault(f.key, {})
            if not isinstance(fmap, dict):
                raise UsageError("cli.config.not_table", name=f"[{f.section}] {f.key}", path=path)
            fmap[subkey] = value
        else:
            target[f.key] = value

    _update(path, change)
    from copycar_assist.redact import mask, mask_url

    if f.dotted == "redis.url":
        shown = mask_url(str(value))
    elif f.secret:
        shown = mask(str(value))
    else:
        shown = ", ".join(value) if isinstance(value, list) else str(value)
    from .streams import todays_scrub

    print(todays_scrub()(f"{args.key} = {shown}  ({path})"))
    import os

    if f.env and os.environ.get(f.env, "").strip():
        print(t("cli.config.env_overrides", lang, var=f.env), file=sys.stderr)
    return 0


def _unset(args: argparse.Namespace) -> int:
    from copycar_assist.config import config_path

    f, subkey = _field(args.key) if not args.key == "crm.field_map" else (None, None)
    path = config_path()
    keys = args.key.split(".") if f is None else (
        [*f.dotted.split("."), subkey] if subkey is not None else f.dotted.split(".")
    )

    def change(data: dict[str, Any]) -> bool:
        parents = [data]
        for k in keys[:-1]:
            nxt = parents[-1].get(k)
            if not isinstance(nxt, dict):
                return False
            parents.append(nxt)
        if keys[-1] not in parents[-1]:
            return False
        del parents[-1][keys[-1]]
        for parent, k in zip(reversed(parents[:-1]), reversed(keys[:-1])):  # drop emptied tables
            if parent.get(k) == {}:
                del parent[k]
        return True

    from copycar_assist.i18n import t

    if not _update(path, change):
        print(t("cli.config.not_set", args.ctx.ui_lang, setting=args.key, path=path), file=sys.stderr)
        return 0
    print(t("cli.config.removed", args.ctx.ui_lang, setting=args.key, path=path))
    return 0
