"""Account data files and how ready they are for personalisation. Pure functions, no UI, no network.

A file is JSON (an object, a list of objects, or an object holding such a list under `accounts`,
`records`, `data`, `items`, `results`, `contacts` or `companies`), JSON Lines (`.jsonl`,
`.ndjson`) or CSV (`,` `;` tab or `|`, header row first). Nested objects are flattened
(`{"company": {"industry": …}}` → `company_industry`).

The context personalisation needs, with weights that add up to 100:

| field           | weight | counts as present when a key like …                                   |
|-----------------|-------:|-----------------------------------------------------------------------|
| company name *  | 15     | company, company_name, account_name, organization, name, empresa      |
| contact name *  | 10     | contact_name, full_name, first_name, last_name, contact, nombre       |
| role / title    | 10     | title, job_title, role, position, cargo, puesto                       |
| industry        | 15     | industry, sector, vertical, industria                                 |
| company size    | 10     | company_size, employees, employee_count, headcount, revenue, empleados |
| pain points     | 15     | pain_points, challenges, needs, goals, retos, necesidades             |
| recent activity | 10     | recent_activity, recent_news, news, trigger_events, last_interaction  |
| website         |  5     | website, domain, url, sitio_web                                       |
| location        |  5     | location, city, country, region, ubicacion, pais                      |
| tech stack      |  5     | tech_stack, technologies, tools, tecnologias                          |

(* = identity fields.) A bare `name` counts as the company name (CRMs name the account `Name`).
Keys are compared lower-case without accents, spaces and punctuation as `_`; a known prefix
(`company_`, `account_`, `contact_`, `properties_`, …) is tried off as well. A value is empty when
it is missing, blank, an empty list/object, a placeholder (`n/a`, `null`, `unknown`, `-`,
`desconocido` …) or an unfilled template variable (`{{first_name}}`).

Score of a record = the weights of the fields it has, in %; the file's score is the mean.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copycar_assist.files.msg import Msg
from copycar_assist.files.read import ACCOUNTS, Kind, ReadError, parse_json, read_bytes
from copycar_assist.i18n import localized
from copycar_assist.kb.fold import unaccent

# One account record as read: a JSON object, or a CSV row (header -> cell).
Record = dict[str, Any]

MAX_BYTES = ACCOUNTS.max_bytes
MAX_RECORDS = 10_000


@dataclass(frozen=True)
class ContextField:
    id: str
    weight: int
    label: dict[str, str]
    aliases: tuple[str, ...]
    identity: bool = False


def _label(field_id: str) -> dict[str, str]:
    """A field's name in each language (the catalogue's check.account.field.<id>)."""
    return localized(f"check.account.field.{field_id}")


FIELDS: tuple[ContextField, ...] = (
    ContextField("company_name", 15, _label("company_name"),
                 ("company", "company_name", "companyname", "account", "account_name", "organization",
                  "organisation", "organization_name", "org", "org_name", "business_name", "name",
                  "empresa", "nombre_empresa", "nombre_de_la_empresa", "compania", "cuenta", "razon_social"),
                 identity=True),
    ContextField("contact_name", 10, _label("contact_name"),
                 ("contact", "contact_name", "full_name", "fullname", "first_name", "firstname",
                  "last_name", "lastname", "person", "person_name", "lead_name", "prospect", "prospect_name",
                  "nombre", "nombre_contacto", "nombre_del_contacto", "contacto", "apellido", "apellidos"),
                 identity=True),
    ContextField("role", 10, _label("role"),
                 ("title", "job_title", "jobtitle", "role", "job_role", "position", "job_position",
                  "seniority", "cargo", "puesto", "rol")),
    ContextField("industry", 15, _label("industry"),
                 ("industry", "sector", "vertical", "industria", "segment", "segmento")),
    ContextField("company_size", 10, _label("company_size"),
                 ("company_size", "size", "employees", "employee_count", "number_of_employees",
                  "numberofemployees", "num_employees", "headcount", "annual_revenue", "revenue",
                  "tamano", "tamano_empresa", "tamano_de_la_empresa", "empleados", "numero_de_empleados",
                  "numero_empleados", "facturacion")),
    ContextField("pain_points", 15, _label("pain_points"),
                 ("pain_points", "pain_point", "pains", "challenges", "problems", "needs", "goals",
                  "objectives", "priorities", "puntos_de_dolor", "dolores", "retos", "desafios",
                  "problemas", "necesidades", "objetivos", "prioridades")),
    ContextField("recent_activity", 10, _label("recent_activity"),
                 ("recent_activity", "recent_news", "news", "last_activity", "last_interaction",
                  "trigger_events", "triggers", "recent_events", "events", "funding", "intent",
                  "actividad_reciente", "noticias", "ultima_actividad", "ultima_interaccion", "eventos")),
    ContextField("website", 5, _label("website"),
                 ("website", "web", "url", "domain", "site", "homepage", "company_website",
                  "sitio_web", "pagina_web", "dominio", "web_site")),
    ContextField("location", 5, _label("location"),
                 ("location", "city", "country", "region", "state", "address", "hq", "headquarters",
                  "ubicacion", "ciudad", "pais", "provincia", "direccion", "sede")),
    ContextField("tech_stack", 5, _label("tech_stack"),
                 ("tech_stack", "techstack", "technologies", "technology", "tools", "stack", "software",
                  "tecnologias", "herramientas")),
)
BY_ID = {f.id: f for f in FIELDS}
_ALIAS = {alias: f.id for f in FIELDS for alias in f.aliases}
_PREFIXES = ("company", "account", "contact", "lead", "person", "prospect", "organization", "org",
             "properties", "fields", "data", "notes", "info", "details", "profile", "enrichment",
             "firmographics", "custom", "empresa", "cuenta", "contacto", "datos", "notas")
_LIST_KEYS = ("accounts", "records", "data", "items", "results", "contacts", "companies", "cuentas")
_EMPTY = {"", "n/a", "na", "n.a.", "null", "none", "nil", "undefined", "unknown", "-", "--", "?",
          "tbd", "todo", "desconocido", "desconocida", "sin datos", "ninguno", "no aplica", "nan"}
_TEMPLATE = re.compile(r"^\s*(\{\{.*\}\}|\{[A-Za-z_]+\}|\[[A-Z_ ]+\]|<[A-Za-z_]+>)\s*$")


class AccountFileError(Exception):
    """A file that cannot be read as account data. `where` is `line:col` or a line."""

    def __init__(self, path: str, where: str | None, reason: Msg):
        self.path, self.where, self.reason = path, where, reason
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        text = self.reason.text(lang)
        return f"{self.path}:{self.where}: {text}" if self.where else f"{self.path}: {text}"


@dataclass
class AccountData:
    records: list[Record]
    format: str  # json | jsonl | csv
    total: int  # records in the file (records may be capped at MAX_RECORDS)
    encoding: str = "utf-8"


# --- reading --------------------------------------------------------------------------------------


def load_accounts(path: str | Path) -> AccountData:
    """Read an account data file; `AccountFileError` names the file and the line, column or row."""
    p = Path(path)
    name = str(p)
    try:
        data = read_bytes(p, Kind(ACCOUNTS.key, MAX_BYTES, ACCOUNTS.max_depth)) or b""
    except ReadError as exc:
        raise _from_read_error(exc) from None
    kind = _kind(p, data)
    text, encoding = _decode(name, data, allow_legacy=kind == "csv")
    if kind == "json":
        records, total = _from_json(name, text)
    elif kind == "jsonl":
        records, total = _from_jsonl(name, text)
    else:
        records, total = _from_csv(name, text)
    return AccountData(records, kind, total, encoding)


def accounts_from_text(text: str, name: str = "(pasted)") -> AccountData:
    """Account data pasted as text: a JSON object or list, JSON lines, or CSV with a header."""
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        mb = MAX_BYTES // (1024 * 1024)
        raise AccountFileError(name, None, Msg.of("check.account.larger_than_mb_paste", mb=mb))
    stripped = text.lstrip("\ufeff \t\r\n")
    lines = [line for line in stripped.splitlines() if line.strip()]
    if stripped[:1] == "{" and len(lines) > 1 and all(line.lstrip()[:1] == "{" for line in lines):
        records, total = _from_jsonl(name, stripped)
        kind = "jsonl"
    elif stripped[:1] in ("{", "["):
        records, total = _from_json(name, stripped)
        kind = "json"
    else:
        records, total = _from_csv(name, stripped)
        kind = "csv"
    return AccountData(records, kind, total)


def _kind(p: Path, data: bytes) -> str:
    ext = p.suffix.lower()
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json":
        return "json"
    if ext in (".csv", ".tsv", ".txt"):
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"{", b"[") else "csv"


def _decode(name: str, data: bytes, allow_legacy: bool) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if allow_legacy:  # spreadsheets exported on Windows
            return data.decode("cp1252", errors="replace"), "cp1252"
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise AccountFileError(name, f"{line}:{col}", Msg.of("check.account.not_valid_utf_8")) from None


def _from_read_error(exc: ReadError) -> AccountFileError:
    where = f"{exc.line}:{exc.col}" if exc.line and exc.col else (str(exc.line) if exc.line else None)
    return AccountFileError(exc.path, where, exc.reason_msg())


def _from_json(name: str, text: str) -> tuple[list[Record], int]:
    try:
        doc = parse_json(text, name, ACCOUNTS)
    except ReadError as exc:
        raise _from_read_error(exc) from None
    if isinstance(doc, dict):
        inner = next((doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        doc = inner if inner is not None else [doc]
    if not isinstance(doc, list):
        raise AccountFileError(name, "1:1", Msg.of("check.account.expected_object_list_objects"))
    for i, item in enumerate(doc[:MAX_RECORDS], 1):
        if not isinstance(item, dict):
            raise AccountFileError(name, None, Msg.of("check.account.item_list_not_object", i=i))
    return doc[:MAX_RECORDS], len(doc)


def _from_jsonl(name: str, text: str) -> tuple[list[Record], int]:
    records: list[Record] = []
    total = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        total += 1
        if len(records) >= MAX_RECORDS:
            continue
        try:
            item = parse_json(line, name, ACCOUNTS, line=n)
        except ReadError as exc:
            raise _from_read_error(exc) from None
        if not isinstance(item, dict):
            raise AccountFileError(name, str(n), Msg.of("check.account.line_not_json_object"))
        records.append(item)
    return records, total


def _from_csv(name: str, text: str) -> tuple[list[Record], int]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
        if header is None:
            raise AccountFileError(name, None, Msg.of("check.account.empty_no_header_row"))
        header = [h.strip() for h in header]
        records: list[Record] = []
        total = 0
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            total += 1
            if len(row) > len(header):
                raise AccountFileError(name, str(reader.line_num),
                                       Msg.of("check.account.row_columns_but_header", total=total, n_row=len(row),
                                              n_header=len(header)))
            if len(records) < MAX_RECORDS:
                records.append({h: v for h, v in zip(header, row, strict=False) if h})
    except csv.Error as exc:
        raise AccountFileError(name, str(reader.line_num), Msg.of("check.account.invalid_csv", exc=exc)) from None
    return records, total


# --- scoring --------------------------------------------------------------------------------------


def normalize_key(key: str) -> str:
    """`"Número de Empleados"` → `numero_de_empleados`, `jobTitle` → `job_title`."""
    k = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(key))
    k = unaccent(k).lower()
    return re.sub(r"[^a-z0-9]+", "_", k).strip("_")


def flatten(record: Record, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        k = normalize_key(key)
        full = f"{prefix}_{k}" if prefix and k else (k or prefix)
        if isinstance(value, dict) and value and depth < 3:
            out.update(flatten(value, full, depth + 1))
        else:
            out.setdefault(full, value)
    return out


def is_empty(value: Any) -> bool:
    if value is None or isinstance(value, bool) and not value:
        return True
    if isinstance(value, (list, tuple, dict, set)):
        items = value.values() if isinstance(value, dict) else value
        return all(is_empty(v) for v in items)
    if isinstance(value, str):
        v = value.strip()
        return v.lower() in _EMPTY or bool(_TEMPLATE.match(v))
    return False  # numbers, true


def field_for(key: str) -> str | None:
    """The context field a (normalised, flattened) key fills, or None.

    Leading segments are tried off: any number of known prefixes (`company_`, `properties_`,
    `notes_` …), or any segments when what remains is a multi-word alias (`crm_pain_points`).
    A single word after an unknown prefix does not count (`owner_name` is not the company name).
    """
    if key in _ALIAS:
        return _ALIAS[key]
    parts = key.split("_")
    for i in range(1, len(parts)):
        rest = "_".join(parts[i:])
        if rest in _ALIAS and ("_" in rest or all(p in _PREFIXES for p in parts[:i])):
            return _ALIAS[rest]
    return None


@dataclass
class RecordScore:
    index: int  # 1-based position in the file
    score: float  # 0..1
    present: set[str]
    missing: list[str]
    label: str  # the company or contact name, for pointing at the record


@dataclass
class Assessment:
    records: int
    score: float  # mean, 0..1
    missing_count: dict[str, int]  # field id -> records missing it
    identity_missing: int  # records lacking company or contact name
    scores: list[RecordScore] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)  # keys that fill no field

    def below(self, threshold: float) -> list[RecordScore]:
        return [r for r in self.scores if r.score < threshold]

    def worst(self) -> RecordScore | None:
        return min(self.scores, key=lambda r: (r.score, r.index)) if self.scores else None


def score_record(record: Record, index: int = 1) -> RecordScore:
    flat = flatten(record)
    present: set[str] = set()
    for key, value in flat.items():
        fid = field_for(key)
        if fid and not is_empty(value):
            present.add(fid)
    score = sum(BY_ID[f].weight for f in present) / 100
    missing = [f.id for f in FIELDS if f.id not in present]
    label = ""
    for key, value in flat.items():
        if field_for(key) in ("company_name", "contact_name") and isinstance(value, (str, int)) and not is_empty(value):
            label = str(value)
            break
    return RecordScore(index, score, present, missing, label)


def assess(records: list[Record]) -> Assessment:
    scores = [score_record(r, i) for i, r in enumerate(records, 1)]
    n = len(scores)
    missing_count = {f.id: sum(1 for s in scores if f.id not in s.present) for f in FIELDS}
    identity = sum(1 for s in scores if not {"company_name", "contact_name"} <= s.present)
    keys: dict[str, None] = {}
    for r in records:
        for key in flatten(r):
            if field_for(key) is None:
                keys.setdefault(key, None)
    mean = sum(s.score for s in scores) / n if n else 0.0
    return Assessment(n, mean, missing_count, identity, scores, list(keys)[:20])
