"""The run history: what `doctor`, `diagnose` and the monitor saw, kept in one SQLite database.

- `runstore.RunStore`: opens, repairs and writes the database (runs and their check results,
  monitor windows, alerts and their delivery, latency observations, acknowledgements).
- `runquery`: reads it (what changed since the last run, the usual latency of a base URL, the
  acknowledgements in force, the latest alerts, the chat's sentence about a check's past).

Below the checks: a check reads the usual latency and the last alert through `ctx.history`, and
the front ends, the monitor and the conversation keep and read runs. It imports no check (their
results are only named for type checkers) and no front end; where the database lives is the
caller's to say (`RunStore.open(root)`). Never imports Textual.
"""
