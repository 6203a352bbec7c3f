"""Help: what each screen is for and every key, in the current language (F1 or ?)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = {
    "es": """\
# Ayuda de CopyCar Assist

Describe el problema con tus palabras (español o inglés, con erratas o pegando el error).
El asistente reconoce el error conocido, confirma los síntomas, lanza las comprobaciones que
distinguen las causas y te guía por la solución paso a paso.

## Pantallas

- **F2** — Chat: la conversación
- **F3** — Conocimiento: árbol categoría → error → causa → pasos
- **F4** — Diagnóstico: todas las comprobaciones en una tabla
- **F5** — Monitor: tiempo de respuesta y errores en vivo, umbrales (rojo), lo habitual (verde) y alertas; Espacio pausa la vista
- **F8** — Entrenamiento: casos prácticos con el cliente simulado y un informe final, rondas de preguntas y tu progreso (tabla y gráfico); Esc vuelve al menú

## Teclas

- **F1 o ?** — Esta ayuda (Esc la cierra)
- **Ctrl+P** — Paleta de comandos: abrir un error, ejecutar el diagnóstico…
- **Ctrl+L** — Cambiar idioma (español / inglés)
- **Ctrl+T** — Tema claro / oscuro
- **Ctrl+S** — Exportar la transcripción a Markdown
- **Ctrl+N** — Nueva conversación (en el chat)
- **1–9 o la letra de la opción** — Elegir una opción: escríbela y pulsa Intro, o pulsa ↑ para ir a los botones y basta la tecla
- **Tab / Mayús+Tab** — Mover el foco
- **↓** — Ir a las coincidencias mientras escribes (Intro elige una)
- **↑ ↓ ← →** — Filas de tablas y del árbol (→ abre, ← cierra)
- **Intro** — Enviar · empezar aquí (árbol) · ver evidencia (tabla)
- **r / R** — Repetir la comprobación seleccionada / todas
- **Esc** — Cerrar paneles y listas · volver a escribir
- **/** — Buscar (en el árbol de conocimiento)
- **c** — Abrir en el chat la causa de una comprobación (diagnóstico)
- **Ctrl+Q** — Salir

## Notas

- La sesión se guarda mientras hablas: si el terminal se cierra no se pierde nada.
- El texto que llega de fuera (respuestas del servidor, lo que pegas) se muestra tal cual,
  sin interpretar marcas ni secuencias de terminal. Lo pegado se recorta a 10 000 caracteres.
- Las claves nunca se muestran enteras.
""",
    "en": """\
# CopyCar Assist help

Describe the problem in your own words (English or Spanish, typos and pasted errors are fine).
The assistant recognises the known error, confirms the symptoms, runs the checks that tell the
causes apart and walks you through the fix step by step.

## Screens

- **F2** — Chat: the conversation
- **F3** — Knowledge: tree category → error → cause → steps
- **F4** — Doctor: every check in one table
- **F5** — Monitor: response time and errors live, thresholds (red), what is usual (green) and alerts; Space pauses the view
- **F8** — Training: practice cases with the simulated customer and a debrief, quiz rounds and your progress (table and chart); Esc goes back to the menu

## Keys

- **F1 or ?** — This help (Esc closes it)
- **Ctrl+P** — Command palette: open an error, run the doctor…
- **Ctrl+L** — Switch language (Spanish / English)
- **Ctrl+T** — Light / dark theme
- **Ctrl+S** — Export the transcript to Markdown
- **Ctrl+N** — New conversation (in the chat)
- **1–9 or the option's letter** — Pick an option: type it and press Enter, or press ↑ to reach the buttons, where the key alone is enough
- **Tab / Shift+Tab** — Move the focus
- **↓** — Go to the matches while typing (Enter picks one)
- **↑ ↓ ← →** — Table and tree rows (→ opens, ← closes)
- **Enter** — Send · start here (tree) · show evidence (table)
- **r / R** — Re-run the selected check / all of them
- **Esc** — Close panels and lists · back to typing
- **/** — Search (in the knowledge tree)
- **c** — Open a check's cause in the chat (doctor)
- **Ctrl+Q** — Quit

## Notes

- The session is saved as you go: nothing is lost if the terminal dies.
- Text from outside (server answers, what you paste) is shown as it is, with no markup or
  terminal sequences interpreted. Pastes are cut at 10,000 characters.
- Keys are never shown whole.
""",
}


# The answer keys, in the order a conversation meets them: the same catalogue entries the
# choices on screen are built from, so the help cannot disagree with them.
ANSWER_ROLES = ("yes", "no", "done", "skip", "back", "fixed", "not_fixed", "next_cause", "escalate",
                "rephrase", "browse", "handoff", "restart")


def _answers(lang: str) -> str:
    from copycar_assist.i18n import t

    head = "## Respuestas" if lang == "es" else "## Answers"
    intro = ("Cada respuesta tiene su tecla, la misma en todas las preguntas; también valen las "
             "palabras (sí, no, listo, no sé, atrás…) en español o en inglés." if lang == "es" else
             "Each answer has its key, the same in every question; words work too (yes, no, done, "
             "not sure, back…) in English or Spanish.")
    rows = [f"- **{t(f'key.{role}', lang)}** — {t(f'opt.{role}', lang)}" for role in ANSWER_ROLES]
    extra = ("- **1–9** — Las opciones numeradas (problemas, categorías, severidades, muestras)" if lang == "es"
             else "- **1–9** — Numbered options (problems, categories, severities, samples)")
    section = "\n".join([head, "", intro, "", *rows, extra, ""])
    return section


DEMO_HEAD = {
    "es": ("Escenarios de la demo",
           "`copycar-assist --demo --scenario NOMBRE` arranca el mundo de demostración con un fallo; varios de "
           "servicios distintos se combinan (`--scenario expired-key,smtp-no-starttls`) y `--hide-scenario` "
           "quita el nombre de la cabecera para practicar. `copycar-assist simulate --list --json` dice qué "
           "causas muestra cada uno."),
    "en": ("Demo scenarios",
           "`copycar-assist --demo --scenario NAME` starts the demo world with a fault; scenarios of different "
           "services combine (`--scenario expired-key,smtp-no-starttls`) and `--hide-scenario` keeps the name "
           "out of the header for practice. `copycar-assist simulate --list --json` says which causes each "
           "one shows."),
}


def help_text(lang: str) -> str:
    """The help in `lang`, with the demo's scenarios by service (from the simulator's catalogue)."""
    from copycar_assist.simulator.catalogue import SERVICE_TITLES, by_service

    lang = lang if lang in HELP else "en"
    es = lang == "es"
    title, intro = DEMO_HEAD[lang]
    marker = "## Notas" if es else "## Notes"
    body = HELP[lang].replace(marker, _answers(lang) + "\n" + marker, 1)
    lines = [body.rstrip(), "", f"## {title}", "", intro, ""]
    for service, scenarios in by_service().items():
        lines.append(f"**{SERVICE_TITLES[service][0 if es else 1]}**")
        lines.append("")
        lines += [f"- `{s.name}` — {s.summary[0 if es else 1]}" for s in scenarios]
        lines.append("")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "help.tcss")
    BINDINGS = [
        Binding("escape", "dismiss", show=False),
        Binding("q", "dismiss", show=False),
        Binding("f1", "dismiss", show=False),
        Binding("question_mark", "dismiss", show=False),
    ]

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        with VerticalScroll(id="help-body"):
            yield Markdown(help_text(lang), open_links=False, id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_language(self, lang: str) -> None:
        self.query_one("#help-text", Markdown).update(help_text(lang))
