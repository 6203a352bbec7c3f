"""Knowledge directories that each break loader or lint rules: tests/data/kb_small with one change
(`CASES`: name -> edits). `build(root)` writes them all under `root/<name>/`; the i18n test lints
each in both languages, and the same directories serve to compare `kb lint`'s English output
between two versions of the code."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixtures_kb import KB_SMALL

A, B = "alpha-problem.md", "beta-problem.md"
SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"

UNIFIED = '''+++
id = "uni"
category = "cat-a"
severity = "LOW"
checks = ["api.health"]

[title]
es = "Uni"
en = "Uni"
+++

Text before any section.

# Top heading

## Symptoms

### Español

- Algo falla.

### Español

- Otra vez.

### Klingon

## Cause of it all

## Cause `one`

```toml
outcomes = ["api.health.down"]
colour = "red"
```

```toml
prior = 0.5
```

### Español

1. Arregla.

### English: One

1. Fix.

#### Deep heading

## Cause `one`

```toml
outcomes = ["api.health.down"]
```

## Cause `two`

```toml
outcomes = "api.health.down"
colour = "red"
```

## Cause `five`

```toml
outcomes = ["api.health.down"]
```

## Cause `three`

```toml
prior = = 1
```

## Cause `four`

A paragraph outside any language.
'''

# name -> [(file, old, new)]: replace `old` by `new` in the file ("" old: write `new` as the file;
# None new: delete the file)
CASES: dict[str, list[tuple[str, str, str | None]]] = {
    "no-front-matter": [("x.md", "", "hello\n")],
    "front-matter-open": [("x.md", "", '+++\nid = "x"\n')],
    "toml-unterminated-string": [(A, 'severity = "HIGH"', 'severity = "HIGH')],
    "toml-expected-equals": [(A, 'severity = "HIGH"', 'severity "HIGH"')],
    "toml-unclosed-table": [(A, "[title]", "[title")],
    "toml-duplicate-key": [(A, 'severity = "HIGH"', 'severity = "HIGH"\nseverity = "LOW"')],
    "toml-invalid-value": [(A, 'severity = "HIGH"', "severity = HIGH")],
    "toml-too-deep": [(A, 'severity = "HIGH"', 'severity = "HIGH"\ndeep = ' + "[" * 20 + "]" * 20)],
    "no-entries": [(A, "x", None), (B, "x", None)],
    "duplicate-id": [("copy.md", "", (KB_SMALL / A).read_text(encoding="utf-8"))],
    "checks-table": [("checks.toml", "", "checks = 1\n")],
    "checks-bad": [("checks.toml", "", '[checks."bad id"]\noutcomes = ["ok"]\n\n[checks."api.x"]\noutcomes = "ok"\n\n'
                    '[checks.other]\n"y" = 1\n\n[checks."api.verify"]\noutcomes = ["ok", "unauthorized", "unreachable"]\n'
                    '[checks."api.health"]\noutcomes = ["ok", "down"]\n[checks]\n"api.z" = 3\n')],
    "checks-needs": [("checks.toml", "", '[checks."api.verify"]\noutcomes = ["ok"]\nmaterial = ["logs"]\nneeds = 1\n')],
    "categories-array": [("categories.toml", "", "categories = 1\n")],
    "categories-bad": [("categories.toml", "", 'categories = [1, { id = "bad id" }]\n')],
    "localized": [(A, '[title]\nes = "Problema alfa"\nen = "Alpha problem"', 'title = "x"')],
    "unknown-languages": [(A, 'en = "Alpha problem"', 'en = "Alpha problem"\nfr = "Alfa"')],
    "title-lacks": [(A, 'en = "Alpha problem"\n', "")],
    "str-lists": [(A, '[aliases]\nes = ["fallo alfa"]', '[aliases]\nes = "fallo alfa"')],
    "cause-fields": [(A, 'id = "bad-key"', 'id = "bad-key"\nprior = 2\nevidence = 3\nalso_outcomes = "x"\neffects = 5\ncode = [0]')],
    "cause-code-missing": [(A, 'id = "bad-key"', 'id = "bad-key"\ncode = [1, 7]')],
    "narrowing-array": [(A, 'related = ["beta-problem"]', 'related = ["beta-problem"]\nnarrowing = 1')],
    "narrowing-bad": [(A, "[outcomes]", '[[narrowing]]\nquestion.es = "¿?"\n\n[[narrowing]]\nid = "n1"\n\n'
                       '[[narrowing]]\nid = "n2"\nyes = ["nope"]\n\n[[narrowing]]\nid = "n3"\nyes = ["bad-key", "other-side"]\n'
                       '\n[[narrowing]]\nid = "n4"\nyes = ["bad-key"]\nquestion.es = "¿Sí?"\n\n[outcomes]')],
    "effects-shape": [(A, 'related = ["beta-problem"]', 'related = ["beta-problem"]\neffects = 1')],
    "required-string": [(A, 'severity = "HIGH"\n', "")],
    "bad-id-field": [(A, 'category = "cat-a"', 'category = "cat a"')],
    "severity": [(A, 'severity = "HIGH"', 'severity = "HUGE"')],
    "id-mismatch": [(A, 'id = "alpha-problem"', 'id = "alpha-x"')],
    "checks-list": [(A, 'checks = ["api.verify"]', 'checks = "api.verify"')],
    "outcomes-map": [(A, '"api.verify.unauthorized" = "bad-key"', '"api.verify.unauthorized" = 3')],
    "related-list": [(A, 'related = ["beta-problem"]', 'related = "beta-problem"')],
    "languages": [(A, 'related = ["beta-problem"]', 'related = ["beta-problem"]\nlanguages = ["fr"]')],
    "one-language": [(B, 'checks = ["api.health"]', 'checks = ["api.health"]\nlanguages = ["es"]'),
                     (B, "## English", "## Extra")],
    "section-missing": [(A, "## English", "## Deutsch")],
    "heading-missing": [(A, "### Symptoms", "### Signs")],
    "language-twice": [(A, "## English", "## Español\n\n## English")],
    "cause-headings": [(A, "#### `bad-key` — La clave es mala", "#### sin id\n\n#### `bad-key` — Otra\n\n1. x\n\n"
                        "#### `bad-key` — La clave es mala")],
    "causes-array": [(B, 'checks = ["api.health"]', 'checks = ["api.health"]\ncauses = 1'),
                     (B, '[[causes]]\nid = "network"\n\n[[causes]]\nid = "config"\n', "[x]\n")],
    "cause-id-missing": [(B, '[[causes]]\nid = "config"', '[[causes]]\nname = "config"')],
    "cause-id": [(B, 'id = "config"', 'id = "con fig"')],
    "unknown-check": [(A, 'checks = ["api.verify"]', 'checks = ["api.verify", "api.nope"]')],
    "outcome-unknown-check": [(A, '"api.verify.unreachable"', '"api.nope.unreachable"')],
    "not-an-outcome": [(A, '"api.verify.unauthorized" = "bad-key"', '"api.verify.expird" = "bad-key"')],
    "unified": [("uni.md", "", UNIFIED)],
    "unified-with-causes-table": [("uni.md", "", UNIFIED.replace('en = "Uni"\n', 'en = "Uni"\n\n[[causes]]\nid = "x"\n'))],
    "lint-symptoms": [(B, "- No conecta.\n", "")],
    "lint-causes": [(B, "1. Revisa la red.\n", "Nada.\n"), (B, "#### `config` — La configuración está mal", "#### `zzz` — Otra"),
                    (B, '"api.health.down" = "network"', '"api.health.down" = "nowhere"\n"api.health.ok" = "network"'),
                    (B, 'question.en = "Did you change the configuration recently?"', "")],
    "lint-no-causes": [(B, '[[causes]]\nid = "network"\n\n[[causes]]\nid = "config"\n'
                        'question.es = "¿Cambiaste la configuración hace poco?"\n'
                        'question.en = "Did you change the configuration recently?"\n', ""),
                       (B, '"api.health.down" = "network"', "")],
    "lint-tree": [(A, 'checks = ["api.verify"]', 'checks = []'), (A, 'category = "cat-a"', 'category = "cat-z"'),
                  (A, 'related = ["beta-problem"]', 'related = ["alpha-problem", "gamma"]'),
                  (A, '"api.verify.unreachable" = "beta-problem#network"',
                   '"api.verify.unreachable" = "beta-problem#nope"\n"api.health.down" = "gamma#x"')],
    "lint-unmapped": [(B, '"api.health.down" = "network"\n', '')],
    "lint-home": [("checks.toml", '[checks."api.health"]', '[checks."api.health"]\nhome = "alpha-problem"')],
    "lint-effects": [(A, '[[causes]]\nid = "bad-key"', '[effects]\nes = ["fallo alfa", "se cae", "se cae"]\n\n'
                      '[[causes]]\nid = "bad-key"\neffects.es = ["otra cosa"]'),
                     (B, '[[causes]]\nid = "network"', '[effects]\nes = ["se cae"]\nen = ["it falls"]\n\n[[causes]]\nid = "network"')],
}

# support.toml and answers.toml: the shipped ones, broken (a case's file missing from kb_small is
# copied from knowledge/ before it is edited)
CASES |= {
    "support-bad": [("support.toml", "error_rate = 0.05", "error_rate = 3"),
                    ("support.toml", "slower_factor = 2.0", "slower_factor = 0.5"),
                    ("support.toml", 'metric = "error_rate"', 'metric = "mood"'),
                    ("support.toml", "[escalation.CRITICAL]", "[escalation.CRIT]"),
                    ("support.toml", 'health_ok = "200"', "health_ok = true"),
                    ("support.toml", "level = 2\nchannels = [\"email\", \"chat\"]", "level = 9\nchannels = [\"owl\"]"),
                    ("support.toml", "[escalation.MEDIUM]\nresponse_minutes = 240\nlevel = 1\nchannels = [\"email\"]",
                     "[escalation]\nMEDIUM = 3"),
                    ("support.toml", 'health_ok = true', 'health_ok = true\nnames = { es = "a", de = "b" }\nlist = [1]'),
                    ("support.toml", "response_minutes = { email = 240, chat = 120, phone = 60 }",
                     "response_minutes = { email = 240, pigeon = 3 }")],
    "support-missing": [("support.toml", "[[alerts]]\ntype = \"HIGH_ERROR_RATE\"", "[[alerts]]")],
    "answers-bad": [("answers.toml", "[slots.level]", "[slots.mood]\nhappy = [\"happy\"]\n\n[slots.level]"),
                    ("answers.toml", "[slots.severity]", "[slots.severity]\nZZZ = 3"),
                    ("answers.toml", "\n[[answers]]\n", "\n[[answers]]\nid = \"bad id\"\n\n[[answers]]\nid = \"x\"\n"
                     "ask = { es = [\"a\"] }\nanswer = { es = \"{thresholds.nope}\", en = \"b\" }\n"
                     "source = { es = \"s\", en = \"s\" }\nslot = \"severity\"\n\n"
                     "[[answers]]\nid = \"y\"\nask = 3\nanswer = { es = \"a\", en = \"b\" }\n"
                     "source = { es = \"s\", en = \"s\" }\nslot = \"mood\"\n\n"
                     "[[answers]]\nid = \"z\"\nask = { es = [\"a\"], en = [\"b\"] }\n"
                     "answer = { es = \"{thresholds.error_rate:percent}{thresholds.nope}\", en = \"{entry.owner}\" }\n"
                     "source = { es = \"s\", en = \"s\" }\nslot = \"entry\"\n\n"
                     "[[answers]]\nid = \"z\"\nask = { es = [\"a\"], en = [\"b\"] }\n"
                     "answer = { es = \"{guide.base_url}\", en = \"{guide.base_url|percent}\" }\n"
                     "source = { es = \"s\", en = \"s\" }\n\n[[answers]]\nid = \"w\"\nask = { es = [\"a\"], en = [\"b\"] }\n"
                     "answer = { es = \"{entry.title}\", en = \"{thresholds.nope}\" }\n"
                     "source = { es = \"s\", en = \"s\" }\n\n[[answers]]\n")],
    "answers-shape": [("answers.toml", "", "slots = 1\nanswers = 2\n")],
}


def build(root: Path) -> list[Path]:
    """Every case written under `root`; the directories, in order."""
    out = []
    for name, edits in CASES.items():
        folder = root / name
        shutil.copytree(KB_SMALL, folder)
        for file, old, new in edits:
            path = folder / file
            if not path.exists() and (SHIPPED / file).exists():
                shutil.copy(SHIPPED / file, path)
            if new is None:
                path.unlink()
            elif not old:
                path.write_text(new, encoding="utf-8")
            else:
                text = path.read_text(encoding="utf-8")
                assert old in text, (name, file, old)
                path.write_text(text.replace(old, new, 1), encoding="utf-8")
        out.append(folder)
    return out
