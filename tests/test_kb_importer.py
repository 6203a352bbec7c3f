"""`kb import`: a guide written like ours becomes entry files in the unified shape, usable at
once with --kb. What the entries load into is held to what the per-language files of the
importer before it wrote the unified shape loaded into (tests/data/imported_facts_before.json:
the billing guide's facts in full, the CopyCar.ai guide's as one SHA-256 per entry, since that
guide stays out of the repository)."""

from __future__ import annotations

import hashlib
import json
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from copycar_assist.kb import load_knowledge
from copycar_assist.kb.convert import ConvertError, convert_entry
from copycar_assist.kb.guide import (
    classify_label,
    normalize_fences,
    read_guide,
    slugify,
)
from copycar_assist.kb.importer import GuideImportError, import_guide
from copycar_assist.kb.lint import errors, lint
from copycar_assist.kb.model import facts
from copycar_assist.kb.tree import DecisionTree
from copycar_assist.kb.unified import is_unified
from copycar_assist.kb.unified_write import fact_lines

from fixtures_kb import BILLING_GUIDE, DATA, OUR_GUIDE, need_our_guide

OUR_IDS = ["invalid-api-key", "rate-limit-exceeded", "low-personalization-score",
           "content-generation-failed", "crm-integration-failed", "email-delivery-failed"]


BEFORE = json.loads((DATA / "imported_facts_before.json").read_text(encoding="utf-8"))


def loaded_facts(out, paths) -> dict:
    """Each written entry's facts as loaded (plain JSON data), by id."""
    kb = load_knowledge(out)
    return {p.stem: json.loads(json.dumps(facts(kb.entries[p.stem]))) for p in paths}


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def assert_unified(path):
    """The file is in the unified shape: causes as '## Cause' sections, none in the front matter."""
    text = path.read_text(encoding="utf-8")
    front, body = text.split("+++", 2)[1:]
    assert is_unified(body), path
    assert "[[causes]]" not in front and "[outcomes]" not in front
    assert not {"## Español", "## English"} & set(body.splitlines())
    with pytest.raises(ConvertError, match="already in the unified shape"):
        convert_entry(path, text)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    need_our_guide()
    out = tmp_path_factory.mktemp("imported")
    paths = import_guide(OUR_GUIDE.read_text(encoding="utf-8"), out, source="copycar-guide.md")
    return out, paths


def test_our_guide_yields_the_six_entries(imported):
    out, paths = imported
    assert [p.name for p in paths] == [f"{i}.md" for i in OUR_IDS]
    kb = load_knowledge(out)
    assert sorted(kb.entries) == sorted(OUR_IDS)
    causes = []
    for entry_id in OUR_IDS:
        e = kb.entries[entry_id]
        assert e.languages() == ["es"] and e.declared_languages == ("es",)
        assert len(e.symptoms("es")) == 3
        causes.append(len(e.causes))
        for c in e.causes:
            assert len(c.steps["es"]) == 4  # the guide's solutions, whole and in order
            assert c.question and c.question["es"].startswith("¿")
        assert len(e.sections["es"].code) == 1
        assert e.sections["es"].code[0].lang == "python"
    assert causes == [4, 3, 4, 4, 4, 4]


def test_our_guide_is_written_in_the_unified_shape(imported):
    out, paths = imported
    for path in paths:
        assert_unified(path)
    text = (out / "rate-limit-exceeded.md").read_text(encoding="utf-8")
    body = text.split("+++", 2)[2]
    assert body.count("## Cause `") == 3
    # each cause's question sits with its text; its code keeps its one language
    question = body.index('question.es = "¿Se da esto en tu caso: plan de suscripción insuficiente?"')
    assert body.index("## Cause `plan-de-suscripcion-insuficiente`") < question < body.index(
        "### Español: Plan de suscripción insuficiente")
    assert "\n## Code\n\n```python es\n" in body


def test_our_guide_loads_into_the_facts_the_old_shape_gave(imported):
    out, paths = imported
    now = {entry_id: digest(value) for entry_id, value in loaded_facts(out, paths).items()}
    assert now == BEFORE["copycar-guide.md sha256"]


def test_imported_entries_keep_the_guide_text(imported):
    out, _ = imported
    kb = load_knowledge(out)
    key = kb.entries["invalid-api-key"]
    assert key.title == {"es": "Invalid API Key"}
    assert key.symptoms("es")[0] == "Error 401 Unauthorized"
    assert [c.id for c in key.causes] == ["api-key-incorrecta", "api-key-expirada",
                                          "api-key-no-configurada", "permisos-insuficientes"]
    assert key.cause("api-key-expirada").steps["es"][1] == "Regenerar API key si es necesario"
    assert "def verify_api_key" in key.sections["es"].code[0].code
    assert key.category == "problemas-de-conexion-y-autenticacion"
    assert key.keywords["codes"] == ["401"]
    email = kb.entries["email-delivery-failed"]
    assert email.category == "problemas-de-integracion"
    assert "'spam_score': spam_score" in email.sections["es"].code[0].code
    # the file says that every cause carries the error's whole solution list
    text = (out / "invalid-api-key.md").read_text(encoding="utf-8")
    assert "no por causa" in text
    meta = tomllib.loads(text.split("+++")[1])
    assert meta["imported"]["source"] == "copycar-guide.md" and meta["imported"]["line"] > 1


def test_imported_dir_is_whole_and_walkable(imported):
    out, _ = imported
    problems = lint(out)
    assert errors(problems) == [], [str(p) for p in problems]
    assert {p.severity for p in problems} == {"warning"}  # Spanish only
    cats = tomllib.loads((out / "categories.toml").read_text(encoding="utf-8"))["categories"]
    assert [c["id"] for c in cats] == ["problemas-de-conexion-y-autenticacion",
                                       "problemas-de-personalizacion", "problemas-de-integracion"]
    tree = DecisionTree(load_knowledge(out))
    assert [c.title["es"] for c in tree.categories()][0] == "Problemas de Conexión y Autenticación"
    assert len(tree.question_causes("rate-limit-exceeded")) == 3
    assert sum(1 for _, n in tree.walk("es") if n.kind == "entry") == 6


def test_plain_commonmark_swallows_the_guide_but_we_do_not():
    text = need_our_guide().read_text(encoding="utf-8")
    plain = MarkdownIt("commonmark").parse(text)
    plain_errors = [t for t in plain if t.type == "inline" and t.content.startswith("**Error:")]
    assert len(plain_errors) < 6  # the nested fences hide the later errors
    fixed = MarkdownIt("commonmark").parse(normalize_fences(text))
    assert len([t for t in fixed if t.type == "inline" and t.content.startswith("**Error:")]) == 6


def test_normalize_fences_nests_and_leaves_code_alone():
    text = "```markdown\nSYMPTOMS:\n- a\nCODE:\n```python\nx = 1\n```\n```\n\n```python\nSYMPTOMS:\n```\n"
    out = normalize_fences(text).splitlines()
    assert out[0] == "````markdown" and "````" in out
    assert out[out.index("````") - 1] == "```"  # the inner block kept its own fence
    # a label inside a python block is code: no blank lines are added around it
    i = out.index("SYMPTOMS:", out.index("````"))
    assert out[i - 1] == "```python" and out[i + 1] == "```"


def test_english_guide_loads_into_the_facts_the_old_shape_gave(tmp_path):
    paths = import_guide(BILLING_GUIDE.read_text(encoding="utf-8"), tmp_path, source="billing-guide.md")
    for path in paths:
        assert_unified(path)
    before = BEFORE["billing-guide.md"]
    now = loaded_facts(tmp_path, paths)
    assert list(now) == list(before)
    for entry_id in before:
        assert now[entry_id] == before[entry_id], entry_id
    problems = lint(tmp_path)  # clean but for saying that each entry is in English only
    assert [(p.path.name, p.severity) for p in problems] == [(f"{i}.md", "warning") for i in sorted(before)]
    assert all("written in English only" in p.message for p in problems)


def test_english_guide_with_and_without_code(tmp_path):
    paths = import_guide(BILLING_GUIDE.read_text(encoding="utf-8"), tmp_path)
    assert [p.stem for p in paths] == ["invoice-sync-failed", "webhook-signature-mismatch",
                                       "cafe-account-locked", "slow-exports"]
    kb = load_knowledge(tmp_path)
    inv = kb.entries["invoice-sync-failed"]
    assert inv.languages() == ["en"] and inv.title == {"en": "Invoice Sync Failed"}
    assert inv.category == "billing-and-invoices"
    assert len(inv.symptoms("en")) == 3 and len(inv.causes) == 2
    assert inv.cause("expired-ledger-token").steps["en"] == [
        "Reconnect the ledger", "Retry the sync later", "Contact support if it persists"]
    assert inv.cause("ledger-api-down").question["en"] == "Does this apply in your case: ledger API down?"
    assert [b.lang for b in inv.sections["en"].code] == ["python"]
    hook = kb.entries["webhook-signature-mismatch"]
    assert len(hook.causes) == 3 and hook.sections["en"].code == []
    assert len(hook.cause("clock-skew-over-five-minutes").steps["en"]) == 2
    # written straight in Markdown, bold labels glued to the list above, code without a label
    cafe = kb.entries["cafe-account-locked"]
    assert cafe.title["en"] == "Café Account Locked" and cafe.category == "accounts"
    assert cafe.symptoms("en") == ["Login refused", '"Account locked" e-mail received']
    assert [c.id for c in cafe.causes] == ["too-many-failed-logins"]
    assert [b.lang for b in cafe.sections["en"].code] == ["bash"]
    # labels as headings (##### Symptoms / Possible causes / Fixes)
    slow = kb.entries["slow-exports"]
    assert slow.title["en"] == "Slow Exports" and len(slow.causes) == 2
    assert slow.cause("huge-date-range").steps["en"] == ["Narrow the date range", "Schedule the export at night"]
    assert "level-1" not in kb.entries  # a section without symptoms is not an error entry
    assert errors(lint(tmp_path)) == []


def test_slugs_and_labels():
    assert slugify('Invoice Sync Failed') == "invoice-sync-failed"
    assert slugify("Configuración SMTP incorrecta") == "configuracion-smtp-incorrecta"
    assert slugify("¡¡¡") == "entry"
    assert len(slugify("word " * 40)) <= 60
    [entry] = read_guide('### Cat\n#### Error: "Invoice Sync Failed"\n\nSYMPTOMS:\n- a\n\nCAUSES:\n- b\n')
    assert entry.id == "invoice-sync-failed" and entry.category == "cat"
    assert classify_label("CAUSAS COMUNES:") == ("causes", "es")
    assert classify_label("**Common causes:**") == ("causes", "en")
    assert classify_label("CÓDIGO DE VERIFICACIÓN:") == ("code", "es")
    assert classify_label("VERIFICATION CODE:") == ("code", "en")
    assert classify_label("SOLUCIONES") == ("solutions", "es")
    assert classify_label("Because the server is slow") is None


def test_refuses_to_overwrite_then_force(tmp_path):
    guide = BILLING_GUIDE.read_text(encoding="utf-8")
    import_guide(guide, tmp_path)
    before = (tmp_path / "slow-exports.md").read_text()
    with pytest.raises(GuideImportError, match="slow-exports.md"):
        import_guide(guide, tmp_path)
    assert import_guide(guide, tmp_path, overwrite=True)
    assert (tmp_path / "slow-exports.md").read_text() == before
    cats = tomllib.loads((tmp_path / "categories.toml").read_text())["categories"]
    assert [c["id"] for c in cats] == ["billing-and-invoices", "accounts"]  # not added twice


def test_categories_are_added_to_an_existing_file(tmp_path):
    original = '# keep me\n[[categories]]\nid = "mine"\ntitle = { es = "Mía", en = "Mine" }\n'
    (tmp_path / "categories.toml").write_text(original)
    import_guide(BILLING_GUIDE.read_text(encoding="utf-8"), tmp_path)
    text = (tmp_path / "categories.toml").read_text()
    assert text.startswith(original.rstrip())
    ids = [c["id"] for c in tomllib.loads(text)["categories"]]
    assert ids == ["mine", "billing-and-invoices", "accounts"]


def test_a_guide_without_errors_imports_nothing(tmp_path):
    assert import_guide("# Nothing\n\nJust prose.\n", tmp_path / "out") == []


_words = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" ,()'"),
                 min_size=1, max_size=40).map(str.strip).filter(lambda s: s[:1].isalpha())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(causes=st.lists(_words, min_size=1, max_size=5), steps=st.lists(_words, min_size=1, max_size=4))
def test_any_cause_and_step_text_survives(tmp_path_factory, causes, steps):
    guide = "### Things\n#### Error: \"Odd One\"\n```markdown\nSYMPTOMS:\n- it breaks\n\nCAUSES:\n"
    guide += "".join(f"- {c}\n" for c in causes) + "\nSOLUTIONS:\n"
    guide += "".join(f"{n}. {s}\n" for n, s in enumerate(steps, 1)) + "```\n"
    out = tmp_path_factory.mktemp("prop")
    [path] = import_guide(guide, out)
    assert_unified(path)
    entry = load_knowledge(out).entries["odd-one"]
    assert [c.title["en"] for c in entry.causes] == [" ".join(c.split()) for c in causes]
    assert all(c.steps["en"] == [" ".join(s.split()) for s in steps] for c in entry.causes)
    assert errors(lint(out)) == []


def test_code_with_backtick_runs_keeps_its_fence(tmp_path):
    """Code holding a ``` line is fenced longer, so it stays one block with its text whole."""
    code = 'DOC = """\n```python\nx = 1\n```\n"""\n'
    guide = ("### Things\n#### Error: \"Fenced\"\n\nSYMPTOMS:\n- it breaks\n\nCAUSES:\n- a cause\n\n"
             "SOLUTIONS:\n1. a step\n\nCODE:\n\n`````python\n" + code + "`````\n")
    [path] = import_guide(guide, tmp_path)
    assert_unified(path)
    assert "````python en\n" in path.read_text(encoding="utf-8")
    entry = load_knowledge(tmp_path).entries["fenced"]
    assert [(b.lang, b.code) for b in entry.sections["en"].code] == [("python", code)]
    assert "es" not in entry.sections and errors(lint(tmp_path)) == []


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=60))
def test_fact_lines_hold_any_text(text):
    """A cause's facts written as dotted keys read back as they were, whatever the text holds
    (quotes, backslashes, newlines, backticks, control characters)."""
    lines = fact_lines({"question": {"es": text, "en": "x"}, "prior": 0.5})
    assert lines[0].startswith("question.es = ") and len(lines) == 3
    assert tomllib.loads("\n".join(lines)) == {"question": {"es": text, "en": "x"}, "prior": 0.5}
