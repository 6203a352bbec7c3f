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
            yield Markdown(HELP.get(lang, HELP["en"]), open_links=False, id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_language(self, lang: str) -> None:
        self.query_one("#help-text", Markdown).update(HELP.get(lang, HELP["en"]))
