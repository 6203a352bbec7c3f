"""Hostile input to the desk: outbox files of any bytes or shape, values typed for a case, profile
tables of any shape. Each gets its own clear error (naming the file or the field), never a
traceback, and an error never repeats the value."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copycar_assist.config import ConfigError, Settings, settings_from_dict
from copycar_assist.desk.case import Case, Customer
from copycar_assist.support.outbox import Outbox

FIELDS = ["api.base_url", "api.key", "api.timeout_s", "smtp.port", "smtp.security", "crm.kind", "crm.base_url",
          "redis.url", "email.domain"]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4), max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_an_outbox_file_of_any_content_is_a_read_error(tmp_path, data):
    box = Outbox(tmp_path / "outbox")
    box.folder.mkdir(exist_ok=True)
    path = box.folder / "case.json"
    path.write_bytes(data)
    os.chmod(path, 0o600)
    items, problems = box.items()
    assert items == [] and len(problems) == 1 and str(problems[0]).startswith(str(path))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FIELDS), st.text(min_size=12, max_size=60).filter(lambda t: t.strip() == t))
def test_a_value_typed_for_a_case_is_taken_or_named_never_echoed(field, value):
    case = Case.typed(Settings(), Customer("X"))
    try:
        case.set(field, value)
    except ConfigError as exc:
        assert value not in str(exc) and field.split(".")[-1] in str(exc)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=4))
def test_a_profiles_table_of_any_shape_is_validated(profiles):
    try:
        s = settings_from_dict({"profiles": profiles})
    except ConfigError as exc:
        assert all(p.reason for p in exc.problems)
    else:
        assert set(s.profiles) <= set(profiles)
