"""A ticket to Jira Cloud: REST API v3, create issue.

    POST {jira_url}/rest/api/3/issue
    Authorization: Basic base64("{jira_email}:{jira_token}")   (API token auth)
    {"fields": {"project": {"key"}, "summary", "issuetype": {"name"}, "labels": [...],
                "description": <Atlassian Document Format document>}}

→ 201 `{"id", "key", "self"}`. Jira has no idempotency header, so the delivery's key travels as
a label (`copycar-<key>`): when an earlier attempt's outcome is unknown (it timed out after the
request went out), the issue is looked for first (`GET /rest/api/3/search/jql` with
`labels = "copycar-<key>"`) and, if it exists, that is the acknowledgement — never a second issue.
The description is the Markdown ticket in a code block (ADF has no Markdown), cut to Jira's
32,767-character limit; the summary to 255. A later revision of the same case is a comment on that
issue (`POST /rest/api/3/issue/{key}/comment`, `{"body": <ADF>}` → 201) whose first line carries
the delivery's key, so a comment whose answer was lost is found (`GET …/comment`) before another.
"""

from __future__ import annotations

import json
from typing import Any

from copycar_assist.checks.http import BasicAuth, fetch
from copycar_assist.files.msg import Msg

from ..ticket_json import subject
from . import Outcome, SendContext, from_http, required

MAX_DESCRIPTION = 30_000


def label(key: str) -> str:
    return "copycar-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)[:200]


def adf(text: str, intro: str) -> dict[str, Any]:
    """An Atlassian Document Format document: a paragraph, then the text in a code block."""
    if len(text) > MAX_DESCRIPTION:
        text = text[:MAX_DESCRIPTION] + "\n…"
    return {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": intro}]},
        {"type": "codeBlock", "attrs": {"language": "markdown"}, "content": [{"type": "text", "text": text}]},
    ]}


def request_body(doc: dict[str, Any], key: str, project: str, issue_type: str) -> dict[str, Any]:
    severity = str(doc.get("severity", "")).lower()
    return {"fields": {
        "project": {"key": project},
        "summary": subject(doc)[:255],
        "issuetype": {"name": issue_type},
        "labels": ["copycar-assist", f"severity-{severity}", label(key)],
        "description": adf(doc.get("markdown") or "", f"Escalated by copycar-assist · case {doc.get('case_id')}"),
    }}


async def _existing(ctx: SendContext, base: str, auth: BasicAuth, key: str) -> Outcome | None:
    from urllib.parse import urlencode

    query = urlencode({"jql": f'labels = "{label(key)}"', "fields": "key", "maxResults": 1})
    r = await fetch(ctx.client, f"{base}/rest/api/3/search/jql?{query}", auth=auth, deadline_s=ctx.deadline_s)
    issues = r.json.get("issues") if r.status == 200 and isinstance(r.json, dict) else None
    if isinstance(issues, list) and issues and isinstance(issues[0], dict) and issues[0].get("key"):
        ident = str(issues[0]["key"])[:40]
        return Outcome(True, Msg.of("cli.tickets.delivery.found_issue"), remote={
            "id": ident, "url": f"{base}/browse/{ident}"})
    return None


async def _comment(ctx: SendContext, base: str, auth: BasicAuth, issue: str, doc: dict[str, Any], key: str,
                   unknown: bool) -> Outcome:
    url = f"{base}/rest/api/3/issue/{issue}/comment"
    marker = f"Updated by copycar-assist · {label(key)}"
    remote = {"id": issue, "url": f"{base}/browse/{issue}"}
    if unknown:  # the comment may be there already: look for its marker
        r = await fetch(ctx.client, url, auth=auth, deadline_s=ctx.deadline_s)
        comments = r.json.get("comments") if r.status == 200 and isinstance(r.json, dict) else None
        if isinstance(comments, list) and marker in json.dumps(comments, ensure_ascii=False):
            return Outcome(True, Msg.of("cli.tickets.delivery.found_comment"), remote=remote)
    r = await fetch(ctx.client, url, method="POST", content=ctx.body({"body": adf(doc.get("markdown") or "", marker)}),
                    headers={"Content-Type": "application/json"}, auth=auth, deadline_s=ctx.deadline_s)
    out = from_http(r, "comment")
    if out.ok:
        out.remote = remote
    return out


async def deliver(ctx: SendContext, doc: dict[str, Any], key: str, previous: dict[str, Any]) -> Outcome:
    h = ctx.settings.helpdesk
    base = required(h.jira_url, "helpdesk.jira_url").rstrip("/")
    auth = BasicAuth(required(h.jira_email, "helpdesk.jira_email"), required(h.jira_token, "helpdesk.jira_token"))
    issue = (previous.get("remote") or {}).get("id")
    if issue:
        return await _comment(ctx, base, auth, str(issue), doc, key, bool(previous.get("unknown")))
    if previous.get("unknown"):
        found = await _existing(ctx, base, auth, key)
        if found is not None:
            return found
    body = request_body(doc, key, required(h.jira_project, "helpdesk.jira_project"), h.jira_issue_type or "Task")
    r = await fetch(ctx.client, f"{base}/rest/api/3/issue", method="POST", content=ctx.body(body),
                    headers={"Content-Type": "application/json"}, auth=auth, deadline_s=ctx.deadline_s)
    out = from_http(r)
    if out.ok and isinstance(r.json, dict) and r.json.get("key"):
        ident = str(r.json["key"])[:40]
        out.remote = {"id": ident, "url": f"{base}/browse/{ident}"}
    return out
