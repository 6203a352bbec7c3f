"""CRM checks (entry `crm-integration-failed`): authentication and availability, permissions or
scopes, field mapping. HubSpot, Salesforce and a generic `rest` kind; the endpoints each one uses
and why are documented in `crm_presets.py`.

Every request goes through `checks/http.fetch` on the shared client: one deadline, a size cap, no
redirects followed, the token (a `Secret`) never sent over plain http except to loopback. The
three checks run concurrently and share their answers through the run's memo, so the same URL
is fetched once per run; a check whose precondition failed (the token was rejected, the CRM is
down) is `skipped` and points at `crm.auth` instead of repeating its verdict. Only GET requests.
"""

from __future__ import annotations

import asyncio
import difflib
import time
from dataclasses import dataclass, field

from copycar_assist.redact import Secret

from . import crm_presets as P
from .base import Check, CheckContext, Evidence, Finding, Status, shared
from .http import HttpResult, fetch

REQUEST_TIMEOUT_S = 4.0  # per request; a check makes at most a few, inside its own budget


@dataclass
class Target:
    kind: str
    base: str
    token: Secret | None
    version: str = P.SALESFORCE_DEFAULT_VERSION

    @property
    def name(self) -> str:
        """The CRM as a finding names it."""
        return P.NAMES.get(self.kind, self.kind)


@dataclass
class Access:
    """How the CRM answered the authenticated probe."""

    state: str  # ok | bad | forbidden | unavailable | insecure
    result: HttpResult
    version: str = P.SALESFORCE_DEFAULT_VERSION
    notes: Evidence = field(default_factory=dict)


async def get(ctx: CheckContext, t: Target, path: str, *, auth: bool = True, deadline_s: float = REQUEST_TIMEOUT_S) -> HttpResult:
    """GET base+path once per run (the checks share the answer through ctx.memo)."""
    url = t.base + path
    return await shared(ctx, ("crm", url, auth),
                        lambda: fetch(ctx.client, url, key=t.token if auth else None, deadline_s=deadline_s))


def classify(r: HttpResult) -> str:
    if r.error == "insecure":
        return "insecure"
    if r.error or r.status is None or r.is_redirect:
        return "unavailable"
    if r.status == 401:
        return "bad"
    if r.status == 403:
        return "forbidden"
    if 200 <= r.status < 300:
        return "ok"
    return "unavailable"


async def access(ctx: CheckContext, t: Target) -> Access:
    """Authenticated probe (Salesforce: the version list first). Memoised per run."""
    return await shared(ctx, ("crm-access", t.kind, t.base), lambda: _access(ctx, t))


async def _access(ctx: CheckContext, t: Target) -> Access:
    notes: Evidence = {}
    version = P.SALESFORCE_DEFAULT_VERSION
    if t.kind == "salesforce":
        versions = await get(ctx, t, "/services/data/", auth=False)
        if classify(versions) in ("unavailable", "insecure") and versions.status not in (401, 403):
            return Access(classify(versions), versions, version, notes)
        version = P.latest_version(versions.json) or version
        notes["api_version"] = version
    r = await get(ctx, t, P.auth_path(t.kind, version))
    return Access(classify(r), r, version, notes)


def http_evidence(r: HttpResult) -> Evidence:
    ev: Evidence = {"request": f"GET {r.url}"}
    if r.status is not None:
        ev["status"] = f"{r.status} {r.reason}".strip()
    if r.error:
        ev["error"] = f"{r.error}: {r.detail}"
    if r.location:
        ev["redirect_to"] = r.location
    if r.proxy:
        ev["proxy"] = r.proxy
    ev["ms"] = round(r.timings.total_ms)
    return ev


def unavailable_text(ctx: CheckContext, t: Target, r: HttpResult) -> str:
    kind = t.name
    if r.error:
        return ctx.t("check.crm.cannot_reach_api", kind=kind, error=r.error, detail=r.detail)
    if r.is_redirect:
        return ctx.t("check.crm.api_redirects_not_followed", kind=kind, value=r.location or '?')
    if r.status == 404:
        return ctx.t("check.crm.api_answers_404_wrong", kind=kind, url=r.url)
    if r.status == 429:
        return ctx.t("check.crm.api_rate_limiting_429", kind=kind)
    return ctx.t("check.crm.api_not_available", kind=kind, status=r.status, reason=r.reason)


class _CrmCheck(Check):
    tags = ("crm",)
    timeout_s = 15.0

    async def run(self, ctx: CheckContext) -> Finding:
        try:
            async with asyncio.timeout(self.budget()):
                return await self._run(ctx)
        except TimeoutError:
            status: Status
            outcome, status = ("unavailable", "fail") if self.id == "crm.auth" else ("error", "error")
            return self.finding(status, outcome, ctx.t("check.crm.crm_did_not_answer", budget=self.budget()))

    def target(self, ctx: CheckContext) -> Target | Finding:
        c = ctx.settings.crm
        kind = (c.kind or "").strip().lower()
        if kind not in P.KINDS:
            return self.finding("error", "error", ctx.t("check.crm.crm_kind_must_hubspot"))
        base = (c.base_url or "").strip().rstrip("/")
        if not base and kind == "hubspot":
            base = P.HUBSPOT_BASE
        if not base:
            return self.skipped(ctx, "check.crm.crm_base_url_not")
        if not c.token:
            return self.skipped(ctx, "check.crm.crm_token_not_set")
        return Target(kind, base, c.token)

    def precondition(self, ctx: CheckContext, a: Access) -> Finding | None:
        """A skip for the checks that need an accepted token and a reachable CRM."""
        if a.state == "bad":
            return self.skipped(ctx, "check.crm.not_checked_crm_rejects", evidence=http_evidence(a.result),
                                check=ctx.check_title("crm.auth"))
        if a.state in ("unavailable", "insecure"):
            return self.skipped(ctx, "check.crm.not_checked_crm_api", evidence=http_evidence(a.result),
                                check=ctx.check_title("crm.auth"))
        return None

    async def _run(self, ctx: CheckContext) -> Finding:
        raise NotImplementedError


def _named(ctx: CheckContext, name: str, *, subject: bool = False) -> str:
    """A CRM as a sentence names it: "HubSpot", and the generic one "the CRM" ("The CRM" to
    open a sentence): "El CRM acepta el token", not "CRM acepta el token"."""
    if name != P.NAMES["rest"]:
        return name
    named = ctx.t("check.crm.the_crm")
    return named[:1].upper() + named[1:] if subject else named


class CrmAuthCheck(_CrmCheck):
    id = "crm.auth"
    outcomes = ("ok", "bad_credentials", "unavailable")

    async def _run(self, ctx: CheckContext) -> Finding:
        t = self.target(ctx)
        if isinstance(t, Finding):
            return t
        ctx.step(ctx.t("check.crm.authenticating", kind=_named(ctx, t.name)))
        a = await access(ctx, t)
        r = a.result
        ev = {"kind": t.kind, "base_url": t.base, **a.notes, **http_evidence(r)}
        code, msg = P.error_code(t.kind, r.json), P.error_message(t.kind, r.json)
        if code:
            ev["crm_error"] = code
        if msg:
            ev["crm_message"] = msg
        if a.state == "insecure":
            return self.finding("error", "error", ctx.t("check.crm.token_not_sent_http", base=t.base), ev)
        if a.state == "bad":
            return self.finding("fail", "bad_credentials", ctx.t("check.crm.rejects_token_401_expired", kind=_named(ctx, t.name, subject=True),
                                                                 value=' ' + code if code else ''), ev)
        if a.state == "unavailable":
            status: Status = "warn" if r.status == 429 else "fail"
            return self.finding(status, "unavailable", unavailable_text(ctx, t, r), ev)
        if a.state == "forbidden":
            return self.finding("pass", "ok", ctx.t("check.crm.accepts_token_but_answers", kind=_named(ctx, t.name, subject=True),
                                                    value=' ' + code if code else '',
                                                    check=ctx.check_title("crm.permissions")), ev)
        if isinstance(r.json, dict) and "portalId" in r.json:
            ev["portal_id"] = str(r.json["portalId"])
        if isinstance(r.json, dict) and isinstance(r.json.get("account"), str):
            ev["account"] = r.json["account"]
        return self.finding("pass", "ok", ctx.t("check.crm.accepts_token_api_answers", kind=_named(ctx, t.name, subject=True),
                                                total_ms=round(r.timings.total_ms)), ev)


def objects_in_use(kind: str, field_map: dict[str, str]) -> list[str]:
    objs = [P.split_target(kind, target)[0] for target in field_map.values()] or [P.DEFAULT_OBJECT[kind]]
    return list(dict.fromkeys(objs))[:5]


class CrmPermissionsCheck(_CrmCheck):
    id = "crm.permissions"
    outcomes = ("ok", "missing_scope")

    async def _run(self, ctx: CheckContext) -> Finding:
        t = self.target(ctx)
        if isinstance(t, Finding):
            return t
        ctx.step(ctx.t("check.crm.checking_crm_permissions"))
        a = await access(ctx, t)
        pre = self.precondition(ctx, a)
        if pre:
            return pre
        ev: Evidence = {"kind": t.kind}
        if a.state == "forbidden":
            code = P.error_code(t.kind, a.result.json)
            ev.update(http_evidence(a.result), crm_error=code)
            return self.finding("fail", "missing_scope", ctx.t("check.crm.token_valid_but_no", value=code or '403'), ev)
        if t.kind == "rest":
            return self._rest(ctx, a, ev)
        missing: list[str] = []
        problems: list[str] = []
        for obj in objects_in_use(t.kind, ctx.settings.crm.field_map):
            if obj and not P.valid_object(obj):
                problems.append(ctx.t("check.crm.invalid_object_field_map", obj=obj))
                continue
            paths = [P.fields_path(t.kind, obj, a.version)]
            if read_path := P.object_read_path(t.kind, obj):
                paths.append(read_path)
            for path in paths:
                r = await get(ctx, t, path)
                state = classify(r)
                ev[f"GET {path.split('?')[0]}"] = f"{r.status} {r.reason}".strip() if r.status else f"{r.error}: {r.detail}"
                if state == "forbidden" or (t.kind == "salesforce" and r.status == 404):
                    scopes = P.required_scopes(r.json)
                    missing += scopes
                    code = P.error_code(t.kind, r.json)
                    problems.append(f"{obj}: {code or r.status}" + (f" ({', '.join(scopes)})" if scopes else ""))
                elif state == "ok" and t.kind == "salesforce" and isinstance(r.json, dict):
                    flags = [f for f in ("createable", "updateable") if r.json.get(f) is False]
                    if flags:
                        problems.append(ctx.t("check.crm.user_not", obj=obj, flags='/'.join(flags)))
                elif state != "ok":
                    ev["note"] = unavailable_text(ctx, t, r)
        if t.kind == "hubspot":
            ev["write_scopes"] = ctx.t("check.crm.cannot_proven_without_writing")
        if missing:
            ev["missing_scopes"] = ", ".join(dict.fromkeys(missing))
        if problems:
            ev["problems"] = problems
            return self.finding("fail", "missing_scope", ctx.t("check.crm.lacks_permissions",
                                                               problems="; ".join(problems)), ev)
        return self.finding("pass", "ok", ctx.t("check.crm.token_can_read_objects"), ev)

    def _rest(self, ctx: CheckContext, a: Access, ev: Evidence) -> Finding:
        body = a.result.json if isinstance(a.result.json, dict) else {}
        scopes = body.get("scopes")
        if not isinstance(scopes, list):
            ev["scopes"] = ctx.t("check.crm.crm_reports_no_scopes")
            return self.finding("pass", "ok", ctx.t("check.crm.crm_reports_no_scopes_2"), ev)
        have = {str(s) for s in scopes}
        ev["scopes"] = ", ".join(sorted(have))[:300]
        ev["required_scopes"] = ", ".join(P.REST_REQUIRED_SCOPES)
        missing = [s for s in P.REST_REQUIRED_SCOPES if s not in have]
        if missing:
            ev["missing_scopes"] = ", ".join(missing)
            return self.finding("fail", "missing_scope", ctx.t("check.crm.token_lacks_scopes",
                                                               missing=', '.join(missing)), ev)
        return self.finding("pass", "ok", ctx.t("check.crm.token_scopes_needs"), ev)


class CrmFieldsCheck(_CrmCheck):
    id = "crm.fields"
    outcomes = ("ok", "mapping_error")

    async def _run(self, ctx: CheckContext) -> Finding:
        t = self.target(ctx)
        if isinstance(t, Finding):
            return t
        fmap = dict(ctx.settings.crm.field_map)
        if not fmap:
            return self.skipped(ctx, "check.crm.no_crm_field_map")
        ctx.step(ctx.t("check.crm.reading_crm_s_field"))
        started = time.perf_counter()
        a = await access(ctx, t)
        pre = self.precondition(ctx, a)
        if pre:
            return pre
        lists: dict[str, dict[str, P.CrmField]] = {}
        ev: Evidence = {"kind": t.kind}
        for obj in objects_in_use(t.kind, fmap):
            if obj and not P.valid_object(obj):
                continue
            r = await get(ctx, t, P.fields_path(t.kind, obj, a.version))
            state = classify(r)
            if state == "forbidden":
                return self.skipped(ctx, "check.crm.fields_forbidden", http_evidence(r),
                                    obj=obj or ctx.t("check.crm.the_crm"), check=ctx.check_title("crm.permissions"))
            if state != "ok":
                return self.finding("error", "error", unavailable_text(ctx, t, r), http_evidence(r))
            parsed = P.parse_fields(t.kind, r.json)
            if parsed is None:
                return self.finding("error", "error", ctx.t("check.crm.fields_shape",
                                                            obj=obj or ctx.t("check.crm.the_crm")), http_evidence(r))
            lists[obj] = parsed
            ev[f"fields {obj}" if obj else "fields"] = len(parsed)
        suggest: dict[str, str] = {}  # our field -> the CRM field its missing target most likely is
        fails, warns, rows = self._judge(ctx, t, fmap, lists, suggest)
        ev["mapping"] = rows
        if suggest:
            ev["suggest"] = suggest
        ev["ms"] = int((time.perf_counter() - started) * 1000)
        if fails:
            return self.finding("fail", "mapping_error",
                                ctx.t("check.crm.field_mapping_errors") + "; ".join(fails + warns) + ".", ev)
        if warns:
            return self.finding("warn", "mapping_error",
                                ctx.t("check.crm.field_mapping_warnings") + "; ".join(warns) + ".", ev)
        return self.finding("pass", "ok", ctx.t("check.crm.all_mapped_fields_exist", n_fmap=len(fmap)), ev)

    def _judge(self, ctx: CheckContext, t: Target, fmap: dict[str, str], lists: dict[str, dict[str, P.CrmField]],
               suggest: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
        fails: list[str] = []
        warns: list[str] = []
        rows: list[str] = []
        for ours, target in list(fmap.items())[:40]:
            obj, name = P.split_target(t.kind, target)
            fields = lists.get(obj)
            if fields is None:
                fails.append(ctx.t("check.crm.invalid_object", ours=ours, target=target))
                rows.append(ctx.t("check.crm.invalid_object", ours=ours, target=target))
                continue
            f = fields.get(name) or next((v for k, v in fields.items() if k.lower() == name.lower()), None)
            if f is None:
                near = difflib.get_close_matches(name, list(fields), n=2, cutoff=0.6)
                if len(near) == 1 or (near and difflib.SequenceMatcher(None, name, near[0]).ratio() >= 0.8):
                    suggest[ours] = target[: len(target) - len(name)] + near[0]
                hint = ctx.t("check.crm.did_you_mean", near=ctx.t("check.or").join(near)) if near else ""
                fails.append(ctx.t("check.crm.does_not_exist_crm", ours=ours, target=target, hint=hint))
                rows.append(ctx.t("check.crm.missing", ours=ours, target=target))
                continue
            if f.read_only:
                fails.append(ctx.t("check.crm.read_only", ours=ours, target=target))
                rows.append(ctx.t("check.crm.read_only_2", ours=ours, target=target, type=f.type))
                continue
            fit = P.compatibility(ours, f)
            want = P.copycar_kind(ours)
            if fit == "mismatch":
                fails.append(ctx.t("check.crm.incompatible_types", ours=ours, want=want, target=target, type=f.type))
                rows.append(ctx.t("check.crm.type_mismatch", ours=ours, target=target, type=f.type))
            elif fit == "enum":
                warns.append(ctx.t("check.crm.list_options_only_values", ours=ours, target=target))
                rows.append(ctx.t("check.crm.options_only", ours=ours, target=target, type=f.type))
            else:
                rows.append(f"{ours} → {target} ({f.type}): ok" + (
                    ctx.t("check.crm.type_not_checked") if fit == "unknown" else ""))
        return fails, warns, rows


CHECKS = [CrmAuthCheck(), CrmPermissionsCheck(), CrmFieldsCheck()]
