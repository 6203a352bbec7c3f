"""The app's own words, in Spanish and English (chrome only: titles, bindings, hints).

Knowledge text comes from the knowledge base and dialogue text from the conversation engine;
this table only holds what the Textual app itself shows.
"""

from __future__ import annotations

import os

STRINGS: dict[str, dict[str, str]] = {
    # bindings and screens
    "help": {"es": "Ayuda", "en": "Help"},
    "chat": {"es": "Chat", "en": "Chat"},
    "browser": {"es": "Conocimiento", "en": "Knowledge"},
    "doctor": {"es": "Diagnóstico", "en": "Doctor"},
    "language": {"es": "Idioma", "en": "Language"},
    "theme": {"es": "Tema", "en": "Theme"},
    "export": {"es": "Exportar", "en": "Export"},
    "new": {"es": "Nueva", "en": "New"},
    "quit": {"es": "Salir", "en": "Quit"},
    "start_here": {"es": "Empezar aquí", "en": "Start here"},
    "rerun": {"es": "Repetir", "en": "Re-run"},
    "rerun_all": {"es": "Repetir todo", "en": "Re-run all"},
    "details": {"es": "Detalle", "en": "Details"},
    "close": {"es": "Cerrar", "en": "Close"},
    "cancel": {"es": "Cancelar", "en": "Cancel"},
    "choices": {"es": "Opciones", "en": "Choices"},
    # chat screen
    "input_placeholder": {
        "es": "Describe el problema (p. ej. «me sale 401») y pulsa Intro",
        "en": "Describe the problem (e.g. \"I get a 401\") and press Enter",
    },
    "input_placeholder_answer": {
        "es": "Escribe la letra de una opción (o ↑ y elígela) o describe otro problema",
        "en": "Type an option's letter (or ↑ to pick one) or describe another problem",
    },
    "input_placeholder_gather": {
        "es": "Pega el texto o escribe la ruta del archivo y pulsa Intro",
        "en": "Paste the text or type the file's path, then press Enter",
    },
    "suggestions": {"es": "Coincidencias", "en": "Best matches"},
    "preparing": {"es": "Preparando el buscador…", "en": "Preparing the matcher…"},
    "busy": {
        "es": "Espera: aún estoy trabajando en lo anterior.",
        "en": "Hold on: still working on the previous step.",
    },
    "cancelled": {"es": "Cancelado.", "en": "Cancelled."},
    "paste_capped": {
        "es": "Pegado recortado a {limit} caracteres.",
        "en": "Paste cut to {limit} characters.",
    },
    "paste_lines": {
        "es": "El texto pegado tenía varias líneas: se han unido en una.",
        "en": "The pasted text had several lines: they were joined into one.",
    },
    "running_checks": {"es": "Comprobaciones en marcha", "en": "Running checks"},
    "checks_done": {"es": "Comprobaciones", "en": "Checks"},
    "cause_found": {"es": "Causa encontrada", "en": "Cause found"},
    "evidence": {"es": "Evidencia", "en": "Evidence"},
    "step": {"es": "Paso {index} de {total}", "en": "Step {index} of {total}"},
    "resolved": {"es": "✓ Resuelto y verificado", "en": "✓ Resolved and verified"},
    "resolved_unverified": {"es": "Resuelto según el usuario · sin verificar", "en": "Resolved by the user's word · not verified"},
    "code_title": {"es": "Código", "en": "Code"},
    "escalated": {"es": "Escalado", "en": "Escalated"},
    "ticket_title": {"es": "Ticket para soporte (Markdown): Intro para verlo", "en": "Support ticket (Markdown): Enter to view it"},
    "severity": {"es": "Severidad", "en": "Severity"},
    "level": {"es": "Nivel de soporte", "en": "Support level"},
    "exported": {"es": "Transcripción guardada en {path}", "en": "Transcript saved to {path}"},
    "export_failed": {"es": "No se pudo exportar: {reason}", "en": "Could not export: {reason}"},
    "session_not_saved": {
        "es": "Esta conversación no se está guardando: {path}: {reason}",
        "en": "This conversation is not being saved: {path}: {reason}",
    },
    "nothing_to_export": {"es": "Aún no hay conversación.", "en": "No conversation yet."},
    "engine_error": {
        "es": "Algo falló al procesar ese paso: {reason}",
        "en": "Something failed while handling that step: {reason}",
    },
    "lang_now": {"es": "Idioma: español", "en": "Language: English"},
    "theme_now": {"es": "Tema: {name}", "en": "Theme: {name}"},
    "demo": {"es": "DEMO · simulador «{scenario}»", "en": "DEMO · simulator \"{scenario}\""},
    "demo_hidden": {"es": "DEMO · práctica", "en": "DEMO · practice"},
    # browser
    "search_kb": {"es": "Buscar en la base de conocimiento…", "en": "Search the knowledge base…"},
    "no_results": {"es": "Nada coincide con «{q}».", "en": "Nothing matches \"{q}\"."},
    "browser_hint": {
        "es": "Intro: empezar la conversación aquí · Espacio: abrir/cerrar · /: buscar",
        "en": "Enter: start the conversation here · Space: open/close · /: search",
    },
    "symptoms": {"es": "Síntomas", "en": "Symptoms"},
    "causes": {"es": "Causas", "en": "Causes"},
    "solution": {"es": "Solución", "en": "Solution"},
    "question": {"es": "Pregunta", "en": "Question"},
    "checks": {"es": "Comprobaciones", "en": "Checks"},
    # diagnostics
    "col_status": {"es": "Estado", "en": "Status"},
    "col_check": {"es": "Comprobación", "en": "Check"},
    "col_time": {"es": "Tiempo", "en": "Time"},
    "col_summary": {"es": "Resumen", "en": "Summary"},
    "doctor_hint": {
        "es": "Intro: ver evidencia · r: repetir la fila · R: repetir todo",
        "en": "Enter: show evidence · r: re-run the row · R: re-run all",
    },
    "doctor_running": {"es": "Ejecutando {n} comprobaciones…", "en": "Running {n} checks…"},
    "doctor_done": {
        "es": "{passed} bien · {warned} avisos · {failed} fallos · {errors} errores · {skipped} omitidas · {ms} ms",
        "en": "{passed} pass · {warned} warn · {failed} fail · {errors} error · {skipped} skipped · {ms} ms",
    },
    "doctor_unavailable": {
        "es": "El motor de comprobaciones aún no está disponible.",
        "en": "The check engine is not available yet.",
    },
    "points_to": {"es": "Apunta a", "en": "Points to"},
    "open_in_chat": {"es": "c: abrir esta causa en el chat", "en": "c: open this cause in the chat"},
    # monitor
    "monitor": {"es": "Monitor", "en": "Monitor"},
    "monitor_pause": {"es": "Pausar", "en": "Pause"},
    "monitor_starting": {"es": "Arrancando el monitor…", "en": "Starting the monitor…"},
    "monitor_status": {
        "es": "{n} endpoint(s) · cada {interval} s · ventana {window} min · {health} GET /health · {verify} GET /verify",
        "en": "{n} endpoint(s) · every {interval} s · {window} min window · {health} GET /health · {verify} GET /verify",
    },
    "monitor_verify_paused": {"es": "/verify en pausa ({why})", "en": "/verify paused ({why})"},
    "monitor_paused": {"es": "vista en pausa (Espacio)", "en": "view paused (Space)"},
    "mon_col_endpoint": {"es": "Endpoint", "en": "Endpoint"},
    "mon_col_state": {"es": "Estado", "en": "State"},
    "mon_col_p95": {"es": "p95", "en": "p95"},
    "mon_col_errors": {"es": "Errores", "en": "Errors"},
    "mon_col_samples": {"es": "Muestras", "en": "Samples"},
    "mon_healthy": {"es": "sano", "en": "healthy"},
    "mon_degraded": {"es": "con errores", "en": "some errors"},
    "mon_alerting": {"es": "ALERTA", "en": "ALERT"},
    "mon_chart_latency": {"es": "p95 (ms) · rojo: umbral", "en": "p95 (ms) · red: threshold"},
    "mon_chart_errors": {"es": "errores (%) · rojo: umbral", "en": "errors (%) · red: threshold"},
    "mon_minutes_ago": {"es": "minutos", "en": "minutes"},
    "mon_delivery_failed": {"es": "✗ la alerta no salió por {channel}: {detail}",
                            "en": "✗ the alert did not go out by {channel}: {detail}"},
    # palette
    "open_entry": {"es": "Abrir: {title}", "en": "Open: {title}"},
    "cmd_doctor": {"es": "Ejecutar diagnóstico completo", "en": "Run doctor"},
    "cmd_lang": {"es": "Cambiar idioma (es/en)", "en": "Switch language (es/en)"},
    "cmd_theme": {"es": "Alternar tema claro/oscuro", "en": "Toggle theme (light/dark)"},
    "cmd_export": {"es": "Exportar transcripción a Markdown", "en": "Export transcript to Markdown"},
    "cmd_browser": {"es": "Abrir la base de conocimiento", "en": "Open the knowledge browser"},
    "cmd_new": {"es": "Nueva conversación", "en": "New conversation"},
    "cmd_help": {"es": "Ayuda y atajos", "en": "Help and keys"},
    "cmd_monitor": {"es": "Abrir el monitor de rendimiento", "en": "Open the performance monitor"},
    # the desk: cases, set-up, fixes
    "own_context": {"es": "Tus ajustes", "en": "Your settings"},
    "case_context": {"es": "Caso: {label} (sus ajustes)", "en": "Case: {label} (their settings)"},
    "case": {"es": "Caso", "en": "Case"},
    "setup": {"es": "Configurar", "en": "Set up"},
    "cmd_case": {"es": "Abrir un caso de un cliente", "en": "Open a customer's case"},
    "cmd_close_case": {"es": "Cerrar el caso (volver a tus ajustes)", "en": "Close the case (back to your settings)"},
    "cmd_save_case": {"es": "Guardar el caso como perfil", "en": "Save the case as a profile"},
    "cmd_setup": {"es": "Configuración guiada", "en": "Guided set-up"},
    "cmd_copy_reply": {"es": "Copiar la respuesta para el cliente", "en": "Copy the reply for the customer"},
    "reply_copied": {"es": "Respuesta para el cliente copiada ({reply_lang}).", "en": "Reply for the customer copied ({reply_lang})."},
    "case_title": {"es": "Nuevo caso: el cliente y sus ajustes", "en": "New case: the customer and their settings"},
    "case_hint": {
        "es": "Las comprobaciones del caso usan estos ajustes, nunca los tuyos. Las claves quedan en memoria salvo que guardes el perfil.",
        "en": "The case's checks use these settings, never yours. Keys stay in memory unless you save the profile.",
    },
    "case_name": {"es": "Cliente", "en": "Customer"},
    "case_ref": {"es": "Su referencia (ticket, cuenta)", "en": "Their reference (ticket, account)"},
    "case_lang": {"es": "Idioma del cliente (es/en)", "en": "Customer's language (es/en)"},
    "case_profile": {"es": "Perfil guardado", "en": "Saved profile"},
    "case_no_profile": {"es": "(ninguno: escribo sus ajustes)", "en": "(none: I type their settings)"},
    "case_open": {"es": "Abrir el caso", "en": "Open the case"},
    "case_opened": {"es": "Caso abierto: {label}. Las comprobaciones usan sus ajustes.", "en": "Case opened: {label}. Checks use their settings."},
    "case_closed": {"es": "Caso cerrado: vuelves a tus ajustes.", "en": "Case closed: back to your settings."},
    "case_saved": {"es": "Perfil «{name}» guardado en {path} (0600).", "en": "Profile \"{name}\" saved to {path} (0600)."},
    "case_need_name": {"es": "Falta el nombre del cliente.", "en": "The customer's name is missing."},
    "case_none": {"es": "No hay ningún caso abierto.", "en": "No case is open."},
    "setup_title": {"es": "Configuración: {group} ({n} de {total})", "en": "Set-up: {group} ({n} of {total})"},
    "setup_hint": {
        "es": "Cada valor se comprueba en vivo antes de guardarlo en {path} (0600). Vacío: se queda como está.",
        "en": "Each value is checked live before it is saved to {path} (0600). Empty: left as it is.",
    },
    "setup_verify": {"es": "Comprobar y guardar", "en": "Check and save"},
    "setup_skip": {"es": "Saltar", "en": "Skip"},
    "setup_checking": {"es": "Comprobando…", "en": "Checking…"},
    "setup_saved": {"es": "Guardado en {path} (0600).", "en": "Saved to {path} (0600)."},
    "setup_not_saved": {"es": "No se ha guardado: corrige los valores y vuelve a comprobar.", "en": "Not saved: correct the values and check again."},
    "setup_env": {"es": "Aviso: {var} está en el entorno y tiene prioridad.", "en": "Note: {var} is set in the environment and wins."},
    "setup_done": {"es": "Configuración terminada.", "en": "Set-up finished."},
    "setup_offer": {
        "es": "Aún no hay ajustes. ¿Configuramos la clave de la API y lo demás ahora? (Cada valor se comprueba antes de guardarlo.)",
        "en": "There are no settings yet. Set up the API key and the rest now? (Each value is checked before it is saved.)",
    },
    "setup_later": {"es": "Más tarde", "en": "Later"},
    "setup_now": {"es": "Configurar {field} ahora", "en": "Set up {field} now"},
    "secret_title": {"es": "Nuevo valor de {field} (oculto; no se guarda en disco)", "en": "New value of {field} (hidden; not written to disk)"},
    "secret_ok": {"es": "Aplicar", "en": "Apply"},
}


def tr(key: str, lang: str, **values: object) -> str:
    """The string `key` in `lang` (falls back to English), with `{name}` fields filled."""
    texts = STRINGS[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text


def default_lang(environ: dict[str, str] | None = None) -> str:
    """The UI language before the user says anything: from LC_ALL/LC_MESSAGES/LANG, else Spanish."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else "es"
    return "es"
