"""How a URL is shown: its scheme, host, port and path, never its user, password, query or fragment
(they may carry secrets). Plain text on one line.

No httpx here: a command that only shows the URLs of its settings (`doctor` when nothing can run,
the history's name for a set-up) does not import the HTTP stack for it. An `httpx.URL` is shown
from its text, like any other URL. A default port is left out and the path is shown decoded, as
httpx reads them, so a URL shown here and one shown from an `httpx.URL` are the same text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from copycar_assist.textsafe import one_line

if TYPE_CHECKING:
    from copycar_assist.config import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}


def _parts(url: object) -> tuple[str, str, int | None, str]:
    """(scheme, host, port or None for the scheme's default, decoded path). ValueError for a port
    that is not a number in range."""
    u = urlsplit(str(url).strip())
    scheme = u.scheme.lower()
    port = u.port  # raises ValueError on a bad port
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    return scheme, u.hostname or "", port, unquote(u.path) or "/"


def _origin(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}{f':{port}' if port else ''}"


def origin(url: object) -> str:
    """scheme://host[:port]"""
    scheme, host, port, _ = _parts(url)
    return one_line(_origin(scheme, host, port), 200)


def display_url(url: object) -> str:
    """The URL without userinfo, query or fragment."""
    scheme, host, port, path = _parts(url)
    return one_line(one_line(_origin(scheme, host, port), 200) + path, 300)


def url_path(url: object) -> str:
    """The URL's path, decoded ("/" when it has none)."""
    return _parts(url)[3]


def target_key(settings: Settings, url: str) -> str:
    """The name the history keeps a base URL under (its runs, its usual latency): its display
    form, except the demo world's, whose port changes every run (`demo:/v2` names them all)."""
    if settings.sources.get("api.base_url") == "demo":
        try:
            return "demo:" + (url_path(url).rstrip("/") or "/")
        except ValueError:
            return "demo:"
    try:
        return display_url(url)
    except ValueError:
        return one_line(url, 200)
