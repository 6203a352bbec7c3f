"""Pilot tests of the desk in the app at 80×24: the guided set-up (offered on the first start,
masked input, live verification, saved 0600 only when the check passes), a case opened with the
customer's settings typed in masked fields, and a fix applied, re-checked and undone."""

from __future__ import annotations

import stat

from textual.widgets import Input

from copycar_assist.config import Settings, load_settings
from copycar_assist.simulator.crm import DEMO_CRM_TOKEN

from fixtures_tui import make_app, say, screen_text, settle

SIZE = (80, 24)
KEY = "sk-pasted-in-setup-0123456789ab"
BAD_KEY = "sk-expired-in-setup-ffffeeee99"


async def type_into(pilot, widget_id: str, text: str) -> None:
    """Focus a field (scrolled into view on a small screen) and type into it, key by key."""
    widget = pilot.app.screen.query_one(f"#{widget_id}", Input)
    widget.focus()
    widget.scroll_visible(animate=False)
    await pilot.pause()
    await pilot.press(*text)


async def test_first_start_offers_setup_and_saves_only_a_verified_key(kb, simulator, tmp_path):
    from copycar_assist.tui.app import CopyCarApp
    from copycar_assist.tui.screens.setup import SetupScreen

    sim = simulator("expired-key")
    config = tmp_path / "no-config.toml"  # the fixture's COPYCAR_ASSIST_CONFIG: not there yet
    settings = Settings()
    settings.path = config
    app = CopyCarApp(kb, settings, lang="en", offer_setup=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "There are no settings yet" in screen_text(app)
        await pilot.press("enter")  # "Set up"
        await settle(app, pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "Set-up: CopyCar API (1 of 5)" in screen_text(app)
        await type_into(pilot, "setup-api-base_url", sim.base_url)
        await pilot.press("enter")  # on to the key
        assert app.screen.focused.id == "setup-api-key" and app.screen.focused.password
        await pilot.press(*BAD_KEY, "enter")  # the last field: check and save
        await settle(app, pilot)
        text = screen_text(app)
        assert BAD_KEY[:12] not in text and "•" * 8 in text  # masked, never echoed
        assert "✗ Key verification" in text and "Not saved" in text
        assert not config.exists()

        sim.set_scenario("healthy")
        key_input = app.screen.query_one("#setup-api-key", Input)
        key_input.value = ""
        await type_into(pilot, "setup-api-key", KEY)
        await pilot.click("#setup-verify")
        await settle(app, pilot)
        assert config.exists() and stat.S_IMODE(config.stat().st_mode) == 0o600
        saved = load_settings(config)
        assert saved.api.key.reveal() == KEY and saved.api.base_url == sim.base_url
        assert app.settings.api.key.reveal() == KEY  # in use at once
        assert "Set-up: E-mail (SMTP) (2 of 5)" in screen_text(app)  # on to the next group
        assert KEY[:12] not in screen_text(app)
        assert sim.keys_received == [BAD_KEY, KEY]


async def test_a_case_with_typed_settings_and_a_fix_applied_rechecked_and_undone(kb, simulator, tmp_path):
    sim = simulator("crm-field-missing")
    agent = Settings()
    app = make_app(kb, agent, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.sub_title == "Checks use your settings"  # whose settings the checks use, not a screen's name
        await pilot.press("f6")
        await settle(app, pilot)
        for wid, text in (("case-name", "Acme"), ("case-ref", "ZD-4411"), ("case-api-base_url", sim.base_url),
                          ("case-crm-kind", "rest"), ("case-crm-base_url", sim.root_url + "/crm"),
                          ("case-crm-token", DEMO_CRM_TOKEN)):
            app.screen.query_one(f"#{wid}", Input).value = ""
            await type_into(pilot, wid, text)
        assert DEMO_CRM_TOKEN[:12] not in screen_text(app)
        await pilot.click("#case-open")
        await settle(app, pilot)
        assert app.case is not None and app.sub_title.startswith("Case: Acme · ZD-4411")
        case = app.case
        case.settings.crm.field_map = {"email": "email", "company": "company"}
        assert agent.crm.token is None  # the agent's own settings are untouched

        app.chat().start_at("crm-integration-failed")
        await settle(app, pilot)
        conv = app.chat().conversation
        await pilot.press("y", "enter")
        await settle(app, pilot)
        assert conv.facts.cause == ("crm-integration-failed", "field-mapping")
        assert conv.prompt.choices[0].id == "apply:1"
        await pilot.press("1", "enter")  # apply the mapping fix: shown, applied, re-checked
        await settle(app, pilot)
        assert case.settings.crm.field_map["company"] == "company_name"
        assert conv.state == "resolved" and "Resolved and verified" in screen_text(app)
        assert case.fixes.applied[0].recheck == "pass"
        undo = next(c for c in conv.prompt.choices if c.id == "undo:1")
        await pilot.press(undo.key, "enter")
        await settle(app, pilot)
        assert case.settings.crm.field_map["company"] == "company" and conv.state in ("step", "ask_fixed")
        assert case.fixes.records()[0]["undone"] is True
        assert DEMO_CRM_TOKEN[:12] not in screen_text(app)
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and DEMO_CRM_TOKEN.encode() in p.read_bytes()]
    assert leaked == []  # the typed token is on no file: the case was not saved


async def test_a_new_key_is_typed_in_a_masked_dialog_applied_to_the_case_and_rechecked(kb, simulator):
    from copycar_assist.desk.case import Case, Customer
    from copycar_assist.tui.screens.desk_modals import SecretPrompt

    old, new = "sk-acme-old-expired-0000aaaa", "sk-acme-new-from-dash-1111bbbb"
    sim = simulator("expired-key")
    agent = Settings()
    app = make_app(kb, agent, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_case(Case.typed(agent, Customer("Acme", None, "es"), {"api.base_url": sim.base_url, "api.key": old}))
        await settle(app, pilot)
        app.chat().start_at("invalid-api-key")
        await settle(app, pilot)
        conv = app.chat().conversation
        await pilot.press("y", "enter")
        await settle(app, pilot)
        assert conv.facts.cause == ("invalid-api-key", "expired-key")
        apply = conv.prompt.choices[0]
        assert apply.id == "apply:1" and apply.value == "api.key"
        app.chat().query_one("ChoicesBar").focus_first()
        await pilot.press(apply.key)  # the key opens the masked dialog, not the chat
        await settle(app, pilot)
        assert isinstance(app.screen, SecretPrompt)
        await pilot.press(*new)
        assert new[:12] not in screen_text(app) and "•" * 12 in screen_text(app)
        sim.set_scenario("healthy")  # the customer's new key is a good one
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.case.settings.api.key.reveal() == new and conv.state == "resolved"
        assert sim.keys_received == [old, new]  # the case's keys, never the agent's (none)
        text = screen_text(app)
        assert new[:12] not in text and old[:12] not in text
        app.action_copy_reply()
        assert app.clipboard.startswith("Hola, Acme:") and new[:12] not in app.clipboard
        transcript = conv.transcript_markdown()
    assert new[:12] not in transcript and "sk-…bbbb" in transcript


async def test_a_check_skipped_for_a_missing_key_offers_to_set_up_its_group(kb, tmp_path):
    """No settings, a 401 described, its symptoms confirmed: the key check is skipped, and the
    button under it names what it opens (the CopyCar API's set-up), not a setting's dotted name."""
    from textual.widgets import Button

    from copycar_assist.tui.screens.setup import SetupScreen

    settings = Settings()
    settings.path = tmp_path / "no-config.toml"
    for lang, label, title in (("en", "Set up now: CopyCar API", "Set-up: CopyCar API"),
                               ("es", "Configurar ahora: API de CopyCar", "Configuración: API de CopyCar")):
        app = make_app(kb, settings, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            conv = app.chat().conversation
            await say(app, pilot, "my api key gives 401 since yesterday" if lang == "en"
                           else "mi clave de api da 401 desde ayer")
            assert conv.state == "confirm_symptoms" and conv.facts.entry_id == "invalid-api-key"
            await say(app, pilot, "y" if lang == "en" else "s")
            buttons = [b for b in app.screen.query(Button) if "setup-now" in b.classes]
            assert [str(b.label) for b in buttons] == [label]
            assert "api.key now" not in screen_text(app)
            buttons[0].press()
            await settle(app, pilot)
            assert isinstance(app.screen, SetupScreen) and title in screen_text(app)
