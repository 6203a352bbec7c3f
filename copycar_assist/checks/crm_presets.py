"""What each CRM kind's API really looks like: endpoints, error bodies, field lists. Pure data and
parsing; the requests are made by `crm.py` through `checks/http.fetch`.

Endpoints used, and why (all GET, all read-only):

HubSpot (base `https://api.hubapi.com`, `Authorization: Bearer <private app token>`)
- auth/availability: `GET /account-info/v3/details` — account details (portalId, time zone).
  Any valid token can read it, so a 401 here means the token itself is bad, not a missing scope.
- permissions: `GET /crm/v3/properties/{object}` (needs the schema read scope, e.g.
  `crm.schemas.contacts.read`) and `GET /crm/v3/objects/{object}?limit=1` (needs
  `crm.objects.contacts.read`). A 403 with `"category": "MISSING_SCOPES"` names the scopes in
  `errors[].context.requiredGranularScopes` (or `requiredScopes`).
  NOT used: `GET /oauth/v1/access-tokens/{token}` lists scopes, but only for OAuth access tokens
  (not private app tokens) and it puts the token in the URL path, where proxies and httpx's own
  INFO log line would record it. Write scopes cannot be proven without writing; the evidence
  says so.
- fields: `GET /crm/v3/properties/{object}` → `results[]` with `name`, `type` (string, number,
  date, datetime, enumeration, bool, phone_number), `modificationMetadata.readOnlyValue` and
  `calculated`.

Salesforce (base: the instance URL, e.g. `https://acme.my.salesforce.com`, Bearer access token)
- availability: `GET /services/data/` — the API versions (no token needed); the newest is used.
- auth: `GET /services/data/vXX.X/` — the resource list; 401 `INVALID_SESSION_ID` = bad token.
  A 403 `API_DISABLED_FOR_ORG` means the token works but API access is off (edition or the
  user's profile lacks "API Enabled"): a permissions problem, reported by `crm.permissions`.
- permissions and fields: `GET /services/data/vXX.X/sobjects/{Object}/describe` — object flags
  (`createable`, `updateable`) and `fields[]` with `name`, `type`, `updateable`, `createable`,
  `calculated`. 403/404 (`INSUFFICIENT_ACCESS…`, `NOT_FOUND`) = the user cannot see the object.

Generic `rest` (a documented, simple contract for in-house CRMs and the simulator)
- `GET {base}/me` → 200 `{"account": "...", "scopes": ["contacts.read", "contacts.write"]}`;
  401 = bad token; 5xx = unavailable. Missing scopes from REST_REQUIRED_SCOPES → missing_scope.
- `GET {base}/fields` → 200 `{"fields": [{"name": "company", "type": "string",
  "read_only": false}]}` (types: string, number, date, datetime, boolean, enum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from copycar_assist.textsafe import one_line

HUBSPOT_BASE = "https://api.hubapi.com"
SALESFORCE_DEFAULT_VERSION = "v60.0"
REST_REQUIRED_SCOPES = ("contacts.read", "contacts.write")
DEFAULT_OBJECT = {"hubspot": "contacts", "salesforce": "Contact", "rest": ""}
KINDS = ("hubspot", "salesforce", "rest")
# How the findings name each kind ("HubSpot accepts the token"); the generic one is "CRM".
NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce", "rest": "CRM"}

# What CopyCar writes into each of its fields (the kinds the CRM field must accept).
COPYCAR_FIELDS: dict[str, str] = {
    "email": "text", "first_name": "text", "last_name": "text", "name": "text", "full_name": "text",
    "company": "text", "job_title": "text", "position": "text", "title": "text", "industry": "text",
    "phone": "text", "website": "text", "city": "text", "country": "text", "language": "text",
    "subject": "text", "generated_copy": "text", "content": "text", "campaign": "text",
    "personalization_score": "number", "lead_score": "number", "score": "number",
    "last_generated_at": "datetime", "generated_at": "datetime", "last_contacted_at": "datetime",
    "opt_in": "bool", "unsubscribed": "bool",
}

_KIND_OF_TYPE = {
    "string": "text", "text": "text", "textarea": "text", "email": "text", "phone": "text",
    "phone_number": "text", "url": "text", "combobox": "text", "encryptedstring": "text",
    "number": "number", "double": "number", "currency": "number", "percent": "number", "int": "number",
    "integer": "number", "long": "number", "float": "number",
    "date": "date", "datetime": "datetime", "bool": "bool", "boolean": "bool",
    "enumeration": "enum", "enum": "enum", "picklist": "enum", "multipicklist": "enum",
    "reference": "reference", "id": "reference",
}

# CopyCar kind -> CRM kinds that accept it ("enum" is judged separately: only listed values fit)
_ACCEPTS = {
    "text": {"text"},
    "number": {"number", "text"},
    "datetime": {"datetime", "date", "text"},
    "bool": {"bool", "text"},
}


@dataclass
class CrmField:
    name: str
    type: str  # the CRM's own type name, cleaned
    kind: str  # normalised: text number date datetime bool enum reference other
    read_only: bool


def field_kind(crm_type: str) -> str:
    return _KIND_OF_TYPE.get(crm_type.strip().lower(), "other")


def compatibility(copycar_field: str, f: CrmField) -> str:
    """ok | enum (only listed values fit) | mismatch | unknown (we do not know what we write)."""
    want = COPYCAR_FIELDS.get(copycar_field.strip().lower())
    if want is None:
        return "unknown"
    if f.kind == "enum":
        return "enum"
    return "ok" if f.kind in _ACCEPTS[want] else "mismatch"


def copycar_kind(copycar_field: str) -> str | None:
    return COPYCAR_FIELDS.get(copycar_field.strip().lower())


def split_target(kind: str, target: str) -> tuple[str, str]:
    """`object.field` or `field` → (object, field); `rest` has one field list (no object)."""
    if kind != "rest" and "." in target:
        obj, _, name = target.partition(".")
        return obj.strip(), name.strip()
    return DEFAULT_OBJECT.get(kind, ""), target.strip()


# --- paths ---------------------------------------------------------------------------------------


def auth_path(kind: str, version: str = SALESFORCE_DEFAULT_VERSION) -> str:
    return {"hubspot": "/account-info/v3/details", "salesforce": f"/services/data/{version}/",
            "rest": "/me"}[kind]


def fields_path(kind: str, obj: str, version: str = SALESFORCE_DEFAULT_VERSION) -> str:
    if kind == "hubspot":
        return f"/crm/v3/properties/{obj}"
    if kind == "salesforce":
        return f"/services/data/{version}/sobjects/{obj}/describe"
    return "/fields"


def object_read_path(kind: str, obj: str) -> str | None:
    return f"/crm/v3/objects/{obj}?limit=1" if kind == "hubspot" else None


_SAFE_OBJECT = re.compile(r"^[A-Za-z0-9_]{1,80}$")


def valid_object(obj: str) -> bool:
    return bool(_SAFE_OBJECT.match(obj))


def latest_version(body: Any) -> str | None:
    """The newest `vXX.X` in Salesforce's `GET /services/data/` answer."""
    if not isinstance(body, list):
        return None
    versions = []
    for item in body:
        v = item.get("version") if isinstance(item, dict) else None
        if isinstance(v, str) and re.fullmatch(r"\d{1,3}\.\d", v):
            versions.append(tuple(int(p) for p in v.split(".")))
    if not versions:
        return None
    major, minor = max(versions)
    return f"v{major}.{minor}"


# --- error bodies --------------------------------------------------------------------------------


def error_code(kind: str, body: Any) -> str:
    """The CRM's own error code from a JSON error body ("" when there is none)."""
    if kind == "salesforce" and isinstance(body, list) and body and isinstance(body[0], dict):
        return one_line(str(body[0].get("errorCode", "")), 60)
    if isinstance(body, dict):
        for key in ("category", "errorCode", "error", "code"):
            if isinstance(body.get(key), str):
                return one_line(body[key], 60)
    return ""


def error_message(kind: str, body: Any) -> str:
    if kind == "salesforce" and isinstance(body, list) and body and isinstance(body[0], dict):
        return one_line(str(body[0].get("message", "")), 160)
    if isinstance(body, dict):
        for key in ("message", "error_description", "detail"):
            if isinstance(body.get(key), str):
                return one_line(body[key], 160)
    return ""


def required_scopes(body: Any) -> list[str]:
    """Scopes a HubSpot MISSING_SCOPES (or a rest 403) body says are needed."""
    found: list[str] = []
    if not isinstance(body, dict):
        return found
    for err in body.get("errors") or []:
        ctx = err.get("context") if isinstance(err, dict) else None
        if isinstance(ctx, dict):
            for key in ("requiredGranularScopes", "requiredScopes"):
                for scope in ctx.get(key) or []:
                    if isinstance(scope, str):
                        found.append(one_line(scope, 80))
    for scope in body.get("required_scopes") or []:
        if isinstance(scope, str):
            found.append(one_line(scope, 80))
    return list(dict.fromkeys(found))[:10]


# --- field lists ---------------------------------------------------------------------------------


def parse_fields(kind: str, body: Any) -> dict[str, CrmField] | None:
    """name → CrmField from a field-list answer; None when the body is not one."""
    out: dict[str, CrmField] = {}
    if kind == "hubspot":
        items = body.get("results") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return None
        for p in items:
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                continue
            meta = m if isinstance(m := p.get("modificationMetadata"), dict) else {}
            ro = bool(meta.get("readOnlyValue")) or bool(p.get("calculated"))
            t = one_line(str(p.get("type", "")), 40)
            out[p["name"]] = CrmField(one_line(p["name"], 100), t, field_kind(t), ro)
        return out
    if kind == "salesforce":
        items = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return None
        for f in items:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                continue
            ro = not f.get("updateable", False) or bool(f.get("calculated"))
            t = one_line(str(f.get("type", "")), 40)
            out[f["name"]] = CrmField(one_line(f["name"], 100), t, field_kind(t), ro)
        return out
    items = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return None
    for f in items:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            continue
        t = one_line(str(f.get("type", "")), 40)
        out[f["name"]] = CrmField(one_line(f["name"], 100), t, field_kind(t), bool(f.get("read_only")))
    return out
