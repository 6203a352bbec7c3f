"""Las palabras de la línea de órdenes (`kb show`, `kb gaps`, `match`, `doctor`, `diagnose`,
`history`, `monitor`, `simulate`, `setup`), y los grupos de la configuración guiada y los servicios
de demostración que comparte con la aplicación, en español: parte del catálogo de es.py (mismas
claves que en_cli.py)."""

CLI: dict[str, str] = {
    # kb show
    "cli.kb.category": "Categoría", "cli.kb.severity": "Severidad", "cli.kb.checks": "Comprobaciones",
    "cli.kb.symptoms": "Síntomas", "cli.kb.causes": "Causas", "cli.kb.pitfalls": "Errores frecuentes",
    "cli.kb.code": "Código", "cli.kb.steps": "Pasos", "cli.kb.found_by": "lo detecta", "cli.kb.question": "pregunta",
    "cli.kb.only": "(esta entrada solo está en {langs})", "cli.kb.none": "ninguna",
    # kb gaps
    "cli.gaps.head": "{n} descripción(es) no entendida(s) o repetida(s) en {s} conversación(es)",
    "cli.gaps.none": "Ninguna descripción sin entender en {s} conversación(es) guardada(s) en {where}.",
    "cli.gaps.entry": "{entry}: {n} descripción(es)", "cli.gaps.no_entry": "(ninguna entrada): {n} descripción(es)",
    "cli.gaps.shared": "palabras en común",
    "cli.gaps.unknown": "palabras que la base no usa (efectos o alias para {entry})",
    "cli.gaps.unknown_none": "palabras que la base no usa (¿una entrada nueva, o un traspaso a soporte?)",
    "cli.gaps.reason.no_match": "sin coincidencia fiable", "cli.gaps.reason.ambiguous": "empate",
    "cli.gaps.reason.rephrased": "repetida con otras palabras",
    "cli.gaps.listed": "primera sugerida", "cli.gaps.skipped": "{n} fichero(s) de sesión ilegible(s) omitido(s)",
    # match
    "cli.match.query": "consulta", "cli.match.none": "(sin coincidencia fiable)", "cli.match.title": "título",
    "cli.match.ambiguous": "(ambiguo: las primeras están muy cerca; hay que preguntar)",
    "cli.match.question": "pregunta sobre la guía",
    "cli.match.request": "(una petición fuera del diagnóstico: pásela a soporte)",
    "cli.match.greeting": "(un saludo: describa el problema)", "cli.match.source": "fuente",
    # doctor y diagnose
    "cli.doctor.count.pass": "correctas", "cli.doctor.count.warn": "avisos", "cli.doctor.count.fail": "fallidas",
    "cli.doctor.count.error": "errores", "cli.doctor.count.skipped": "omitidas",
    "cli.doctor.checks": "comprobaciones", "cli.doctor.todo": "Qué corregir", "cli.doctor.found": "Causa encontrada",
    "cli.doctor.also": "Las comprobaciones también señalan",
    "cli.doctor.no_cause": "Ninguna comprobación señaló una causa.",
    "cli.doctor.questions": "Preguntas que distinguen las causas que quedan:", "cli.doctor.from": "según",
    "cli.doctor.escalate": "Si ninguna encaja, escala con la evidencia de arriba (soporte de nivel 1).",
    "cli.doctor.all_ok": "Todo lo comprobado parece correcto.", "cli.doctor.demo": "simulador de demostración",
    "cli.doctor.exit": "salida",
    "cli.doctor.nothing": "No se pudo comprobar nada: las comprobaciones omitidas dicen qué necesitan.",
    "cli.doctor.setup": "Sin configurar", "cli.doctor.setup_how": "ejecuta `copycar-assist setup`",
    "cli.doctor.material": "Sin material", "cli.doctor.material_how": "indica",
    "cli.doctor.follows": "consecuencia de", "cli.doctor.explains": "explica también",
    "cli.doctor.verbose": "-v para ver cada comprobación", "cli.doctor.not_checked": "no comprobado",
    "cli.doctor.demo_note": "Modo demo ({what}): API en {url}", "cli.doctor.demo_hidden": "escenario oculto",
    "cli.doctor.demo_material": "; material de ejemplo: {kinds}",
    # el historial de ejecuciones en doctor y diagnose; reconocimientos
    "cli.doctor.since": "Desde la ejecución anterior ({when}):", "cli.doctor.new": "fallo nuevo",
    "cli.doctor.fixed": "arreglado desde entonces", "cli.doctor.unchanged": "nada ha cambiado",
    "cli.doctor.acked": "reconocido hasta {until}: {reason}",
    "cli.doctor.ack_saved": "{check} reconocido hasta {until}: {reason}",
    "cli.doctor.ack_missing": "{check} no tenía reconocimiento.",
    "cli.doctor.ack_removed": "Reconocimiento de {check} retirado.",
    # history
    "cli.history.runs": "Ejecuciones, de la más reciente a la más antigua:",
    "cli.history.none": "Aún no hay ejecuciones guardadas (las guardan doctor, diagnose y monitor).",
    "cli.history.changes": "La última ejecución frente a la anterior:",
    "cli.history.new": "fallo nuevo desde la ejecución anterior", "cli.history.fixed": "arreglado desde entonces",
    "cli.history.same": "nada ha cambiado", "cli.history.latency": "Latencia:", "cli.history.alerts": "Últimas alertas:",
    "cli.history.acks": "Reconocidos:", "cli.history.until": "hasta", "cli.history.checks": "comprobaciones",
    # monitor
    "cli.monitor.avg": "media", "cli.monitor.ok": "éxito", "cli.monitor.errors": "errores",
    "cli.monitor.samples": "muestras", "cli.monitor.usual": "habitual",
    "cli.monitor.start": "Vigilando {n} endpoint(s) cada {interval:g} s, ventana de {window:g} s; Ctrl+C para.",
    "cli.monitor.verify": "GET /verify como mucho cada {every:g} s",
    "cli.monitor.demo": "Modo demo: simulador en {url}",
    "cli.monitor.no_log_lines": "no hay ninguna línea API Call en el formato de la guía",
    "cli.monitor.test_alert": "Alerta de prueba",
    # simulate
    "cli.simulate.head": "Mundo de demostración de CopyCar — escenario '{scenario}': {summaries}",
    "cli.simulate.key": "clave",
    "cli.simulate.settings": "Ajustes para usarlo desde otro terminal (guárdalos en demo.toml y usa "
                             "COPYCAR_ASSIST_CONFIG=demo.toml):",
    "cli.simulate.ctrl_c": "Ctrl-C para parar.", "cli.simulate.stopped": "Mundo de demostración parado.",
    # los servicios del mundo de demostración (`simulate --list` y la ayuda de la app)
    "sim.service.all": "Todo", "sim.service.api": "API de CopyCar", "sim.service.crm": "CRM",
    "sim.service.smtp": "Correo (SMTP)", "sim.service.dns": "DNS del dominio de envío",
    "sim.service.redis": "Caché (Redis)", "sim.service.content": "Material (prompt, cuentas, e-mail, log)",
}
