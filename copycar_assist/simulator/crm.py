"""The demo CRM served by the project simulator under `/crm`, for demos and tests.

Point a config at `<sim.root_url>/crm`: it speaks the generic `rest` contract (`/crm/me`,
`/crm/fields`), the HubSpot preset's paths (`/crm/account-info/v3/details`,
`/crm/crm/v3/properties/{object}`, `/crm/crm/v3/objects/{object}`) and the Salesforce ones
(`/crm/services/data/`, `/crm/services/data/vXX.X/`, `…/sobjects/{Object}/describe`), so any
`crm.kind` works against it. Scenarios (the simulator's other scenarios behave like crm-ok):

- crm-ok             any Bearer token is accepted; every mapped demo field exists and is writable
- crm-bad-token      every request answers 401 (HubSpot INVALID_AUTHENTICATION, Salesforce
                     INVALID_SESSION_ID, rest invalid_token)
- crm-missing-scope  the token works but cannot read contacts (HubSpot 403 MISSING_SCOPES on the
                     objects endpoint; rest `/me` lacks `contacts.write`; Salesforce 403 on describe)
- crm-field-missing  the `company` field was renamed `company_name`: the demo map breaks
- crm-down           the CRM's API is having an incident: every request answers 503

Only GET is served: the checks never write.
"""

from __future__ import annotations

import re

from .scenarios import SimRequest, SimResponse

PREFIX = "/crm"
DEMO_CRM_TOKEN = "pat-demo-crm-7c0pyc4r-0000"
# The field map a demo config uses (CopyCar field -> CRM field): it fits crm-ok.
DEMO_FIELD_MAP = {"email": "email", "first_name": "firstname", "company": "company", "job_title": "jobtitle"}

CRM_SCENARIOS: tuple[str, ...] = (  # the names this service acts on (what each means: catalogue.py)
    "crm-ok",
    "crm-bad-token",
    "crm-missing-scope",
    "crm-field-missing",
    "crm-down",
)

# name, type, read-only
_FIELDS = [
    ("email", "string", False), ("firstname", "string", False), ("lastname", "string", False),
    ("company", "string", False), ("jobtitle", "string", False), ("phone", "phone_number", False),
    ("lifecyclestage", "enumeration", False), ("copycar_score", "number", False),
    ("createdate", "datetime", True), ("hs_object_id", "number", True),
]
_SF_TYPES = {"string": "string", "phone_number": "phone", "enumeration": "picklist", "number": "double",
             "datetime": "datetime"}
_SF_NAMES = {"email": "Email", "firstname": "FirstName", "lastname": "LastName", "company": "Company__c",
             "jobtitle": "Title", "phone": "Phone", "lifecyclestage": "LeadSource", "copycar_score": "CopyCar_Score__c",
             "createdate": "CreatedDate", "hs_object_id": "Id"}


def _fields(scenario: str) -> list[tuple[str, str, bool]]:
    if scenario == "crm-field-missing":
        return [("company_name", t, ro) if n == "company" else (n, t, ro) for n, t, ro in _FIELDS]
    return list(_FIELDS)


def _unauthorized(style: str) -> SimResponse:
    if style == "hubspot":
        return SimResponse(401, {"status": "error", "category": "INVALID_AUTHENTICATION",
                                 "message": "Authentication credentials not found or invalid.",
                                 "correlationId": "00000000-demo"})
    if style == "salesforce":
        return SimResponse(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    return SimResponse(401, {"error": "invalid_token", "message": "The access token is invalid or expired"},
                       {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _missing_scope(style: str, scope: str) -> SimResponse:
    if style == "hubspot":
        return SimResponse(403, {
            "status": "error", "category": "MISSING_SCOPES", "correlationId": "00000000-demo",
            "message": "This app hasn't been granted all required scopes to make this call.",
            "errors": [{"message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": [scope]}}]})
    if style == "salesforce":
        return SimResponse(403, [{"message": "insufficient access rights on object", "errorCode": "INSUFFICIENT_ACCESS"}])
    return SimResponse(403, {"error": "insufficient_scope", "required_scopes": [scope]})


def _style(sub: str) -> str:
    if sub.startswith(("/account-info/", "/crm/v3/")):
        return "hubspot"
    if sub.startswith("/services/data"):
        return "salesforce"
    return "rest"


def handle_crm(req: SimRequest) -> SimResponse | None:
    sub = req.path[len(PREFIX):] or "/"
    s = req.scenario if req.scenario in CRM_SCENARIOS else "crm-ok"
    style = _style(sub)
    if req.method not in ("GET", "HEAD"):
        return SimResponse(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
    if s == "crm-down":
        return SimResponse(503, {"status": "error", "message": "Service temporarily unavailable"},
                           {"Retry-After": "60"})
    if sub in ("/services/data", "/services/data/"):  # Salesforce's version list needs no token
        return SimResponse(200, [{"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"},
                                 {"label": "Summer '24", "url": "/services/data/v61.0", "version": "61.0"}])
    if req.bearer is None or s == "crm-bad-token":
        return _unauthorized(style)
    if sub == "/me":
        scopes = ["contacts.read"] if s == "crm-missing-scope" else ["contacts.read", "contacts.write"]
        return SimResponse(200, {"account": "demo-crm", "scopes": scopes})
    if sub == "/fields":
        return SimResponse(200, {"fields": [{"name": n, "type": t, "read_only": ro} for n, t, ro in _fields(s)]})
    if sub == "/account-info/v3/details":
        return SimResponse(200, {"portalId": 424242, "accountType": "STANDARD", "timeZone": "Europe/Madrid",
                                 "companyCurrency": "EUR", "uiDomain": "app.hubspot.com"})
    m = re.fullmatch(r"/crm/v3/(properties|objects)/([A-Za-z0-9_]+)", sub)
    if m:
        what, obj = m.groups()
        if obj not in ("contacts", "companies"):
            return SimResponse(404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "Unknown object type"})
        if what == "objects":
            if s == "crm-missing-scope":
                return _missing_scope("hubspot", f"crm.objects.{obj}.read")
            return SimResponse(200, {"results": [], "paging": None})
        return SimResponse(200, {"results": [
            {"name": n, "label": n.title(), "type": t, "fieldType": "text", "calculated": False,
             "modificationMetadata": {"archivable": not ro, "readOnlyDefinition": True, "readOnlyValue": ro}}
            for n, t, ro in _fields(s)]})
    m = re.fullmatch(r"/services/data/(v\d+\.\d)/?(?:sobjects/([A-Za-z0-9_]+)/describe/?)?", sub)
    if m:
        version, obj = m.groups()
        if obj is None:
            return SimResponse(200, {"sobjects": f"/services/data/{version}/sobjects",
                                     "limits": f"/services/data/{version}/limits"})
        if obj != "Contact":
            return SimResponse(404, [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])
        if s == "crm-missing-scope":
            return _missing_scope("salesforce", "Contact")
        fields = [{"name": _SF_NAMES.get(n, n) if s != "crm-field-missing" or n != "company_name" else "Company_Name__c",
                   "type": _SF_TYPES.get(t, t), "updateable": not ro, "createable": not ro, "calculated": False}
                  for n, t, ro in _fields(s)]
        return SimResponse(200, {"name": "Contact", "createable": True, "updateable": True, "fields": fields})
    return None


# mounted by the simulator (`server.ROUTE_MODULES`) when it starts
ROUTES = (PREFIX, handle_crm, CRM_SCENARIOS)
