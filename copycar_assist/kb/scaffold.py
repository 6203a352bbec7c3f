"""The text of a new knowledge entry (`kb new ID`): every part of the unified shape, filled with
placeholders a support lead replaces, and already clean for `kb lint`. Text only; never writes."""

from __future__ import annotations

TEMPLATE = '''+++
id = "{id}"
category = "{category}"
severity = "MEDIUM"
# Live checks that can tell this entry's causes apart (ids from checks.toml), e.g.
# checks = ["api.verify"]; then each cause lists the outcomes that point to it.
checks = []
related = []

[title]
es = "Título en español de {id}"
en = "English title of {id}"

# What customers say when they have this problem, in their words: the matcher reads these.
[aliases]
es = ["cómo lo diría un cliente"]
en = ["how a customer would say it"]

[keywords]
es = ["palabra"]
en = ["word"]
codes = []
+++

## Symptoms

### Español

- Lo que el cliente ve (sustituye esta línea).

### English

- What the customer sees (replace this line).

## Cause `first-cause`

```toml
# outcomes = ["api.verify.unauthorized"]   check outcomes that point to this cause
question.es = "¿Pregunta de sí o no que confirma esta causa?"
question.en = "Yes/no question that confirms this cause?"
evidence.es = ["lo que dice el cliente cuando esta es la causa"]
evidence.en = ["what the customer says when this is the cause"]
```

### Español: Título de la causa

Por qué pasa, en una o dos frases.

1. Primer paso para resolverlo.
2. Cómo comprobar que se ha resuelto.

### English: Title of the cause

Why it happens, in a sentence or two.

1. First step to fix it.
2. How to check that it is fixed.

## Pitfalls

### Español

- Un error frecuente al intentar arreglarlo.

### English

- A common mistake when fixing it.
'''


def new_entry(entry_id: str, category: str) -> str:
    """A new entry `entry_id` in `category` that passes `kb lint` as it is."""
    return TEMPLATE.format(id=entry_id, category=category)
