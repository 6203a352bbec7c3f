"""The support desk's workflow: a case with the customer's context, guided set-up, safe fixes and
the reply for the customer. Plain Python; never imports Textual or rich.

- `case.Case`: the customer (name, their ticket reference, language) and the `Settings` their
  checks run in, built from a profile (`[profiles.NAME]`) or from what the agent typed; a typed
  secret stays in memory unless the agent saves the case as a profile.
- `setup`: the groups of settings the guided set-up asks for, each verified by its check before
  it is saved (`copycar-assist setup` and the app's set-up screen drive it).
- `fixes`: fixes that are a setting (the key, the base URL, a healthy endpoint, the SMTP security
  mode, a CRM field mapping): proposed from a cause and the checks' results, shown as a diff,
  applied to the case's context, re-checked, undone; every applied fix is recorded.
- `reply`: a draft reply for the customer in the customer's language.
"""
