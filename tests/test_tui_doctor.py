"""The diagnostics screen shows `doctor`'s model (`checks.areas.overview`, `checks.roots`): one row
per area with its worst status, expanding to the area's checks; the checks that could not run
grouped under one row with one hint; a consequence says which area it follows from and points
where its root failure points. Pilot tests against the demo world, at 80×24."""

from __future__ import annotations

import pytest

from copycar_assist.checks.areas import BY_CHECK, group
from copycar_assist.checks.registry import checks_for_tags
from copycar_assist.config import Settings
from copycar_assist.simulator.demo import start_demo, use_demo
from copycar_assist.tui.widgets.area_tree import AreaTree, NodeRef

from fixtures_tui import make_app, screen_rows, screen_text, settle

SIZE = (80, 24)


def world_settings(world) -> Settings:
    settings = Settings()
    use_demo(settings, world)
    return settings


async def open_doctor(app, pilot) -> AreaTree:
    await settle(app, pilot)
    await pilot.press("f4")
    await settle(app, pilot)
    return app.screen.query_one(AreaTree)


def label(tree: AreaTree, ref: NodeRef) -> str:
    return next(str(n.label) for n in tree.root.children if n.data == ref)


async def press_on(app, pilot, tree: AreaTree, node, key: str = "enter") -> None:
    tree.move_cursor(node)
    await pilot.pause()
    await pilot.press(key)
    await settle(app, pilot)


async def test_run_doctor_from_the_palette_before_the_screen_was_ever_shown(kb):
    """The palette's "Run doctor" with the diagnostics screen never opened (it crashed: the run
    looked for the screen's widgets before they existed); again once it was shown: a new run."""
    with start_demo("invalid-key") as world:
        app = make_app(kb, world_settings(world), lang="en", demo="invalid-key")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.action_run_doctor()
            await settle(app, pilot)
            tree = app.screen.query_one(AreaTree)
            assert tree.statuses["api.verify"] == "fail"
            assert " 1 failed · 0 errors" in screen_text(app)  # the run finished: its counts, "1 failed"
            await pilot.press("f2")
            await settle(app, pilot)
            tree.statuses.clear()
            app.action_run_doctor()
            await settle(app, pilot)
            assert app.screen.query_one(AreaTree).statuses["api.verify"] == "fail"


async def test_one_row_per_area_and_an_area_opens_to_its_checks(kb):
    with start_demo("healthy") as world:
        app = make_app(kb, world_settings(world), lang="en", demo="healthy")
        async with app.run_test(size=SIZE) as pilot:
            tree = await open_doctor(app, pilot)
            ids = checks_for_tags(kb)
            rows = [n.data for n in tree.root.children]
            assert {r.kind for r in rows} <= {"area", "setup", "material"}
            shown = [r.id for r in rows if r.kind == "area"]
            assert len(shown) == len(set(shown)) and set(shown) <= {a.id for a in group(ids)}
            assert len(rows) < len(ids)  # fewer rows than checks: areas, not checks
            # every check sits once under its own area's row, or under a group's row
            under = [(c.data.id, n.data) for n in tree.root.children for c in n.children]
            assert sorted(cid for cid, _ in under) == sorted(ids)
            assert all(parent.kind != "area" or parent.id == BY_CHECK[cid].id for cid, parent in under)
            assert tree.statuses["api.verify"] == "pass"
            text = screen_text(app)
            assert "API key" in text and "CRM" in text and "Redis" in text
            assert "CRM permissions" not in text and "Key verification" not in text  # still closed
            crm = tree.area_node("crm")
            assert crm is not None and label(tree, NodeRef("area", "crm")).startswith("✓ CRM")
            await press_on(app, pilot, tree, crm)
            assert crm.is_expanded
            assert [c.data.id for c in crm.children if c.data] == ["crm.auth", "crm.permissions", "crm.fields"]
            text = screen_text(app)
            assert all(t in text for t in ("CRM authentication", "CRM permissions", "CRM field mapping"))
            await press_on(app, pilot, tree, crm)  # Enter again closes it
            assert not crm.is_expanded and "CRM permissions" not in screen_text(app)
            await pilot.click(AreaTree, offset=(6, crm.line))  # and a click opens it
            await settle(app, pilot)
            assert crm.is_expanded and "CRM permissions" in screen_text(app)
            await press_on(app, pilot, tree, crm, "left")  # ← closes, → opens, as in every tree
            assert not crm.is_expanded
            await pilot.press("right")
            assert crm.is_expanded
            assert all(len(row) <= SIZE[0] for row in screen_rows(app))


@pytest.mark.parametrize("lang,follows", [("en", "follows from API health"), ("es", "consecuencia de Salud de la API")])
async def test_a_fault_shows_the_failing_area_first_and_what_follows_from_it(kb, lang, follows):
    with start_demo("connection-refused") as world:
        app = make_app(kb, world_settings(world), lang=lang, demo="connection-refused")
        async with app.run_test(size=SIZE) as pilot:
            tree = await open_doctor(app, pilot)
            rows = [n.data for n in tree.root.children]
            assert rows[0] == NodeRef("area", "api-health") and tree.statuses["api.health"] == "fail"
            assert tree.cursor_node is tree.root.children[0]  # the cursor on the root failure
            # the checks that fail because the API cannot be reached name it, and come after it
            for area in ("latency", "api-key", "rate-limits"):
                assert rows.index(NodeRef("area", area)) > 0
                assert follows in label(tree, NodeRef("area", area)), area
            assert follows not in label(tree, NodeRef("area", "api-health"))
            assert follows in screen_text(app)
            # a consequence's evidence points where its root failure points, and `c` opens that
            await press_on(app, pilot, tree, tree.area_node("api-key"))
            tree.show_check("api.verify")
            await pilot.pause()
            await pilot.press("enter")
            await settle(app, pilot)
            root = tree.results["api.health"]
            cause = kb.entries[root.entry].cause(root.cause)
            detail = " ".join(screen_text(app).split())
            assert follows in detail and cause.title[lang] in detail
            await pilot.press("c")
            await settle(app, pilot)
            assert app.chat().conversation.facts.entry_id == root.entry == "api-unreachable"


@pytest.mark.parametrize("lang,setup,press,how", [("en", "To set up", "press F7", "set it up with"),
                                                  ("es", "Por configurar", "pulsa F7", "configúralo con")])
async def test_what_is_not_set_up_is_one_row_with_one_hint(kb, lang, setup, press, how):
    settings = Settings()
    settings.api.base_url = "http://127.0.0.1:9/v2"  # nothing listens there: no network needed
    app = make_app(kb, settings, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_doctor(app, pilot)
        rows = [n.data for n in tree.root.children]
        assert rows.count(NodeRef("setup", "")) == 1
        line = label(tree, NodeRef("setup", ""))
        assert line.startswith(f"– {setup}") and press in line
        assert all(area in line for area in ("SMTP", "CRM", "Redis"))
        group_node = next(n for n in tree.root.children if n.data == NodeRef("setup", ""))
        checks = [c.data.id for c in group_node.children if c.data]
        assert {"email.smtp", "crm.auth", "cache.redis"} <= set(checks)
        # none of those areas has a row of its own, and no row repeats a "how to set it" sentence
        assert not {NodeRef("area", a) for a in ("smtp", "crm", "redis")} & set(rows)
        assert screen_text(app).count(setup) == 1
        assert how in tree.results["email.smtp"].summary and how not in screen_text(app)
        await press_on(app, pilot, tree, group_node)  # Enter: the checks and the hint, in full
        assert group_node.is_expanded
        detail = " ".join(screen_text(app).split())
        assert detail.count("F7") == 2 and how not in detail  # the row's key and the one hint
        for setting in ("smtp.host", "crm.kind", "redis.url"):
            assert setting in detail
        assert all(len(row) <= SIZE[0] for row in screen_rows(app))


async def test_a_language_change_after_a_run_says_the_results_are_in_the_run_language(kb):
    with start_demo("healthy") as world:
        app = make_app(kb, world_settings(world), lang="es", demo="healthy")
        async with app.run_test(size=SIZE) as pilot:
            await open_doctor(app, pilot)
            assert "La API está sana" in screen_text(app)  # the run's words, in Spanish
            await pilot.press("ctrl+l")
            await settle(app, pilot)
            text = screen_text(app)
            assert "R: run them again in English" in text and "API health" in text
            await pilot.press("R")
            await settle(app, pilot)
            text = screen_text(app)
            assert "The API is healthy" in text and "run them again" not in text
