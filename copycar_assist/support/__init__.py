"""Support: severity proposal, escalation rules, tickets, transcripts and session history.

- `severity.propose_severity(kb, entry_id, results)` → `SeverityProposal(severity, reasons)`.
- `escalation.escalation_for(kb.support, severity)` → level, response minutes, channels;
  `escalation.describe(info, lang)` formats it.
- `ticket.build_ticket(TicketData, lang, scrub)` → redacted Markdown ticket.
- `transcript.Line`, `transcript.to_markdown(lines, lang, scrub)` → exportable transcript.
- `history.SessionLog` (append-only JSONL, flushed and fsync'd per record), `load_session`,
  `find_sessions` (a page, newest first, opening only what it returns), `session_ids`,
  `data_dir()` (platformdirs, or `COPYCAR_ASSIST_DATA`).
- `textblock.fence(text)`; the writers' scrub is `redact.make_scrubber(settings)`.
No UI here.
"""
