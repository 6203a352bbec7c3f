"""Footer bindings in the user's language.

A Textual `Binding` has one fixed description. For a bilingual footer each key gets one binding
per language, all running the gate action `i18n(lang, action)`; `check_action` hides and disables
the ones whose language is not the app's current one, so the footer (and the keys panel) shows
the description in the current language and the key runs the real action exactly once.
"""

from __future__ import annotations

from textual.binding import Binding

from .strings import tr

LANGS = ("es", "en")


def i18n_bindings(key: str, action: str, label: str, *, show: bool = True,
                  key_display: str | None = None, priority: bool = False) -> list[Binding]:
    """One binding per language for `key` → `action`, described by the string `label`."""
    return [
        Binding(key, f"i18n({lang!r}, {action!r})", tr(label, lang), show=show,
                key_display=key_display, priority=priority)
        for lang in LANGS
    ]


class I18nBindingsMixin:
    """Mix into an App or Screen whose BINDINGS use `i18n_bindings`."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "i18n":
            lang, inner = parameters
            if lang != getattr(self.app, "lang", "en"):
                return False
            return self.check_action(str(inner), ())
        return super().check_action(action, parameters)  # type: ignore[misc]

    async def action_i18n(self, lang: str, action: str) -> None:
        await self.run_action(action)  # type: ignore[attr-defined]


def catalogue_bindings(key: str, action: str, label: str, *, show: bool = True) -> list[Binding]:
    """As `i18n_bindings`, described by a key of the i18n catalogue (`copycar_assist.i18n`)."""
    from copycar_assist.i18n import t

    return [Binding(key, f"i18n({lang!r}, {action!r})", t(label, lang), show=show) for lang in LANGS]
