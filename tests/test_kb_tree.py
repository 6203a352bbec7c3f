"""The decision tree API that the conversation engine and the TUI's browser walk."""

from __future__ import annotations

import pytest

from copycar_assist.kb import DecisionTree, load_knowledge

from fixtures_kb import KB_SMALL


@pytest.fixture(scope="module")
def tree() -> DecisionTree:
    return DecisionTree(load_knowledge(KB_SMALL))


def test_categories_in_file_order_without_empty_ones(tree):
    assert [c.id for c in tree.categories()] == ["cat-a", "cat-b"]


def test_unknown_category_still_browsable(tmp_path):
    import shutil

    kb_dir = tmp_path / "kb"
    shutil.copytree(KB_SMALL, kb_dir)
    text = (kb_dir / "beta-problem.md").read_text().replace('category = "cat-b"', 'category = "zz-new"')
    (kb_dir / "beta-problem.md").write_text(text)
    t = DecisionTree(load_knowledge(kb_dir))
    cats = t.categories()
    assert [c.id for c in cats] == ["cat-a", "zz-new"]
    assert cats[-1].title["en"] == "zz-new"
    assert [e.id for e in t.entries("zz-new")] == ["beta-problem"]


def test_entries_and_symptoms(tree):
    assert [e.id for e in tree.entries("cat-a")] == ["alpha-problem"]
    assert tree.entries("cat-empty") == []
    assert tree.symptoms("alpha-problem", "es") == ["Sale un 401.", "Nada funciona."]
    assert tree.symptoms("alpha-problem", "en") == ["A 401 comes back.", "Nothing works."]


def test_cause_for_follows_the_outcome_table(tree):
    entry, cause = tree.cause_for("alpha-problem", "api.verify", "unauthorized")
    assert (entry.id, cause.id) == ("alpha-problem", "bad-key")
    entry, cause = tree.cause_for("alpha-problem", "api.verify", "unreachable")
    assert (entry.id, cause.id) == ("beta-problem", "network")  # another entry's cause
    assert tree.cause_for("alpha-problem", "api.verify", "ok") is None
    assert tree.cause_for("alpha-problem", "api.health", "down") is None  # not this entry's check


def test_question_and_candidate_causes(tree):
    assert [c.id for c in tree.question_causes("alpha-problem")] == ["other-side"]
    assert [c.id for c in tree.question_causes("beta-problem")] == ["config"]
    assert [c.id for c in tree.candidate_causes("alpha-problem")] == ["bad-key", "other-side"]
    assert [c.id for c in tree.candidate_causes("alpha-problem", exclude=["bad-key"])] == ["other-side"]
    assert tree.candidate_causes("alpha-problem", exclude={"bad-key", "other-side"}) == []
    assert tree.reached_by("alpha-problem", "bad-key") == ["api.verify.unauthorized"]
    assert tree.next_cause("alpha-problem").id == "bad-key"
    assert tree.next_cause("alpha-problem", ["bad-key"]).id == "other-side"
    assert tree.next_cause("alpha-problem", ["bad-key", "other-side"]) is None  # escalate


def test_steps_per_language(tree):
    assert tree.steps("beta-problem", "config", "es") == ["Revisa la configuración.", "Reinicia."]
    assert tree.steps("beta-problem", "config", "en") == ["Check the configuration.", "Restart."]
    with pytest.raises(KeyError):
        tree.steps("beta-problem", "nope", "en")
    with pytest.raises(KeyError):
        tree.symptoms("no-such-entry", "en")


def test_outline_and_walk(tree):
    outline = tree.outline("en")
    assert [n.label for n in outline] == ["Category A", "Category B"]
    alpha = outline[0].children[0]
    assert (alpha.kind, alpha.id, alpha.label) == ("entry", "alpha-problem", "Alpha problem")
    bad_key = alpha.children[0]
    assert (bad_key.kind, bad_key.label, bad_key.entry_id) == ("cause", "The key is bad", "alpha-problem")
    assert [s.label for s in bad_key.children] == ["Copy the key again.", "Try again."]
    assert bad_key.children[1].cause_id == "bad-key" and bad_key.children[1].id == "2"
    walked = [(d, n.kind, n.id) for d, n in tree.walk("es")]
    assert walked[:5] == [(0, "category", "cat-a"), (1, "entry", "alpha-problem"), (2, "cause", "bad-key"),
                          (3, "step", "1"), (3, "step", "2")]
    assert sum(1 for _, k, _ in walked if k == "step") == 6


def test_shipped_exemplar_tree():
    t = DecisionTree(load_knowledge())
    assert "connection-auth" in [c.id for c in t.categories()]
    _, cause = t.cause_for("invalid-api-key", "api.verify", "expired")
    assert cause.id == "expired-key"
    _, cause = t.cause_for("invalid-api-key", "api.key_configured", "missing")
    assert cause.id == "missing-key"
    assert t.steps("invalid-api-key", "wrong-key", "es")
