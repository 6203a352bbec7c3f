"""The app's crash output: the traceback of an unhandled exception WITHOUT local variables,
redacted, as inert text.

Textual's default prints locals (`show_locals=True`); a local holding a key or an Authorization
header would reach the terminal. Here the traceback is rendered to plain text, passed through
the writers' scrub of the settings' secrets (`redact.make_scrubber`) and the control-character
filter. Nothing here prints.
"""

from __future__ import annotations

from rich.text import Text

from copycar_assist.redact import HasSecrets, make_scrubber


def crash_text(width: int, *settings: HasSecrets) -> Text:
    """The exception being handled, as a plain traceback at most 160 columns wide, scrubbed of
    each settings' secrets in turn."""
    import io

    import rich
    from rich.console import Console
    from rich.traceback import Traceback

    from copycar_assist.textsafe import clean

    width = max(60, min(width, 160))
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(
        Traceback(show_locals=False, width=width, suppress=[rich])
    )
    text = buffer.getvalue()
    for each in settings:
        text = make_scrubber(each)(text)
    return Text(clean(text))
