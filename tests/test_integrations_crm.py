"""crm.auth / crm.permissions / crm.fields against the project simulator's CRM scenarios, for
the rest contract and the HubSpot and Salesforce presets."""

from __future__ import annotations

import pytest

from copycar_assist.checks.crm import CrmAuthCheck, CrmFieldsCheck, CrmPermissionsCheck
from copycar_assist.config import Settings
from copycar_assist.redact import Secret
from copycar_assist.simulator import start_simulator
from copycar_assist.simulator.crm import DEMO_FIELD_MAP

from fixtures_integrations import CANARY_CRM, make_ctx

SF_MAP = {"email": "Email", "first_name": "FirstName", "company": "Company__c", "job_title": "Title"}


@pytest.fixture(scope="module")
def sim():
    with start_simulator("crm-ok") as handle:
        yield handle


def crm_settings(sim, kind="rest", field_map=None, token=CANARY_CRM) -> Settings:
    s = Settings()
    s.crm.kind = kind
    s.crm.base_url = sim.root_url + "/crm"
    s.crm.token = Secret(token)
    s.crm.field_map = dict(field_map if field_map is not None else (SF_MAP if kind == "salesforce" else DEMO_FIELD_MAP))
    return s


async def run_all(sim, scenario, http_client, kind="rest", lang="en", **kw):
    sim.set_scenario(scenario)
    ctx = make_ctx(crm_settings(sim, kind, **kw), http_client, lang=lang)
    out = {}
    for check in (CrmAuthCheck(), CrmPermissionsCheck(), CrmFieldsCheck()):
        f = await check.run(ctx)
        out[check.id] = f
        blob = f.summary + repr(f.evidence) + repr(f)
        assert CANARY_CRM not in blob and CANARY_CRM[:12] not in blob
    return out


def verdicts(out):
    return {cid: (f.status, f.outcome) for cid, f in out.items()}


KINDS = ("rest", "hubspot", "salesforce")


@pytest.mark.parametrize("kind", KINDS)
async def test_crm_ok(sim, http_client, kind):
    out = await run_all(sim, "crm-ok", http_client, kind)
    assert verdicts(out) == {"crm.auth": ("pass", "ok"), "crm.permissions": ("pass", "ok"),
                             "crm.fields": ("pass", "ok")}, {k: f.summary for k, f in out.items()}
    # the CRM is named as people write it ("HubSpot", not the setting's value "hubspot" or "rest";
    # the generic one with its article: "El CRM acepta el token", not "CRM acepta el token")
    name = {"rest": "The CRM", "hubspot": "HubSpot", "salesforce": "Salesforce"}[kind]
    assert out["crm.auth"].summary.startswith(f"{name} accepts the token"), out["crm.auth"].summary
    es = await run_all(sim, "crm-ok", http_client, kind, lang="es")
    nombre = {"rest": "El CRM", "hubspot": "HubSpot", "salesforce": "Salesforce"}[kind]
    assert es["crm.auth"].summary.startswith(f"{nombre} acepta el token"), es["crm.auth"].summary


@pytest.mark.parametrize("kind", KINDS)
async def test_bad_token(sim, http_client, kind):
    out = await run_all(sim, "crm-bad-token", http_client, kind)
    assert verdicts(out) == {"crm.auth": ("fail", "bad_credentials"), "crm.permissions": ("skipped", "skipped"),
                             "crm.fields": ("skipped", "skipped")}
    code = {"rest": "invalid_token", "hubspot": "INVALID_AUTHENTICATION", "salesforce": "INVALID_SESSION_ID"}[kind]
    assert out["crm.auth"].evidence["crm_error"] == code
    assert out["crm.auth"].summary.startswith({"rest": "The CRM", "hubspot": "HubSpot", "salesforce": "Salesforce"}[kind]
                                              + " rejects the token (401")
    # the check it points to, as people read it (its title, never its id)
    assert out["crm.fields"].summary == "Not checked: the CRM rejects the token (see CRM authentication)."


@pytest.mark.parametrize("kind", KINDS)
async def test_missing_scope(sim, http_client, kind):
    out = await run_all(sim, "crm-missing-scope", http_client, kind)
    assert out["crm.auth"].outcome == "ok"
    assert (out["crm.permissions"].status, out["crm.permissions"].outcome) == ("fail", "missing_scope")
    if kind == "hubspot":
        assert out["crm.permissions"].evidence["missing_scopes"] == "crm.objects.contacts.read"
        assert "write_scopes" in out["crm.permissions"].evidence
    if kind == "rest":
        assert out["crm.permissions"].evidence["missing_scopes"] == "contacts.write"


@pytest.mark.parametrize("kind", KINDS)
async def test_field_missing(sim, http_client, kind):
    out = await run_all(sim, "crm-field-missing", http_client, kind)
    f = out["crm.fields"]
    assert (f.status, f.outcome) == ("fail", "mapping_error")
    assert "does not exist" in f.summary
    if kind != "salesforce":
        assert "company_name" in f.summary  # the near-miss suggestion


async def test_read_only_and_type_mismatch(sim, http_client):
    fmap = {"company": "createdate", "job_title": "copycar_score", "industry": "lifecyclestage",
            "personalization_score": "jobtitle",
            "custom_thing": "phone"}
    out = await run_all(sim, "crm-ok", http_client, "hubspot", field_map=fmap)
    f = out["crm.fields"]
    assert (f.status, f.outcome) == ("fail", "mapping_error")
    rows = " | ".join(f.evidence["mapping"])
    assert "createdate (datetime): read-only" in rows
    assert "copycar_score (number): type mismatch" in rows
    assert "jobtitle (string): ok" in rows  # a number fits in a text field
    assert "lifecyclestage (enumeration): options only" in rows
    assert "(type not checked)" in rows


async def test_object_prefix_in_field_map(sim, http_client):
    out = await run_all(sim, "crm-ok", http_client, "hubspot", field_map={"company": "companies.company"})
    assert out["crm.fields"].outcome == "ok"
    out = await run_all(sim, "crm-ok", http_client, "hubspot", field_map={"company": "deals.company"})
    assert out["crm.fields"].outcome == "error"  # 404 on an unknown object: said, not crashed


async def test_unavailable_when_refused(http_client):
    from fixtures_integrations import free_port

    s = Settings()
    s.crm.kind, s.crm.base_url, s.crm.token = "rest", f"http://127.0.0.1:{free_port()}/crm", Secret(CANARY_CRM)
    f = await CrmAuthCheck().run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "unavailable")
    assert "connect" in f.evidence["error"]


async def test_unavailable_on_5xx(sim, http_client):
    # the API scenario "down" does not touch /crm; use a wrong path to get a non-2xx instead
    sim.set_scenario("crm-ok")
    s = crm_settings(sim)
    s.crm.base_url = sim.root_url + "/nothing-here"
    f = await CrmAuthCheck().run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "unavailable")
    assert "404" in f.summary


async def test_token_never_sent_over_plain_http_to_remote(http_client):
    s = Settings()
    s.crm.kind, s.crm.base_url, s.crm.token = "rest", "http://crm.example.com/api", Secret(CANARY_CRM)
    f = await CrmAuthCheck().run(make_ctx(s, http_client, lang="es"))
    assert (f.status, f.outcome) == ("error", "error")
    assert "No se envió el token" in f.summary


async def test_requests_are_shared_between_checks(sim, http_client):
    sim.set_scenario("crm-ok")
    before = len(sim.requests)
    await run_all(sim, "crm-ok", http_client, "hubspot")
    paths = [p for _m, p, _k in sim.requests[before:]]
    assert paths.count("/crm/account-info/v3/details") == 1
    assert paths.count("/crm/crm/v3/properties/contacts") == 1
    assert all(m == "GET" for m, _p, _k in sim.requests[before:])


async def test_salesforce_uses_latest_version(sim, http_client):
    out = await run_all(sim, "crm-ok", http_client, "salesforce")
    assert out["crm.auth"].evidence["api_version"] == "v61.0"


async def test_silent_crm_is_unavailable_within_the_budget(silent_tcp, http_client):
    import time

    port = silent_tcp.sockets[0].getsockname()[1]
    s = Settings()
    s.crm.kind, s.crm.base_url, s.crm.token = "salesforce", f"http://127.0.0.1:{port}", Secret(CANARY_CRM)
    s.crm.field_map = {"email": "Email"}
    auth, fields = CrmAuthCheck(), CrmFieldsCheck()
    auth.timeout_s = fields.timeout_s = 2.0
    ctx = make_ctx(s, http_client)
    started = time.monotonic()
    f = await auth.run(ctx)
    g = await fields.run(ctx)
    assert time.monotonic() - started < 4.0
    assert (f.status, f.outcome) == ("fail", "unavailable")
    assert g.status in ("error", "skipped")
