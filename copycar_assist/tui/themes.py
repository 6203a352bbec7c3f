"""The app's two themes: a dark one (default) and a light one, toggled with ctrl+t."""

from __future__ import annotations

from textual.theme import Theme

DARK = Theme(
    name="copycar-dark",
    primary="#2f8fd8",
    secondary="#1d5d8f",
    accent="#f0a53a",
    warning="#f0a53a",
    error="#e0556f",
    success="#4ec27a",
    foreground="#e4e6ea",
    background="#14171c",
    surface="#1c2027",
    panel="#252b34",
    dark=True,
)

LIGHT = Theme(
    name="copycar-light",
    primary="#1b5f99",
    secondary="#2f8fd8",
    accent="#b36b00",
    warning="#a85d00",
    error="#b3243f",
    success="#1f7a3f",
    foreground="#1b1f24",
    background="#f5f6f8",
    surface="#e8ebef",
    panel="#dde2e8",
    dark=False,
    variables={"footer-key-foreground": "#1b5f99"},
)

THEMES = (DARK, LIGHT)


def other_theme(current: str) -> str:
    """The theme a toggle switches to."""
    return LIGHT.name if current == DARK.name else DARK.name
