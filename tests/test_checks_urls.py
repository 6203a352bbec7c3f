"""`checks.urls`: a URL shown without what may carry a secret, read as httpx reads it (the history
names a set-up by this text, so it must not change with the reader)."""

from __future__ import annotations

import httpx
import pytest

from copycar_assist.checks.urls import display_url, origin, target_key
from copycar_assist.config import Settings

URLS = [
    "https://api.copycarai.com/v2",
    "https://API.CopyCarAI.com:443/v2/",
    "http://127.0.0.1:8080",
    "http://[::1]:9/a%20b?key=sk-live-123#frag",
    "https://user:pa55@h.example/x/y?token=abc",
    "https://h.example:8443",
    "http://h.example:80/v2",
]


@pytest.mark.parametrize("url", URLS)
def test_a_url_is_shown_as_httpx_reads_it_without_user_query_or_fragment(url):
    u = httpx.URL(url)
    assert origin(url) == f"{u.scheme}://{u.host}{f':{u.port}' if u.port else ''}"
    assert display_url(url) == origin(url) + u.path
    assert display_url(u) == display_url(url)  # an httpx.URL is shown from its text
    for secret in ("sk-live-123", "pa55", "user", "token", "abc", "frag"):
        assert secret not in display_url(url)


def test_a_bad_port_is_a_value_error():
    with pytest.raises(ValueError):
        display_url("http://h.example:99999/x")


def test_the_history_names_a_set_up_by_its_url_and_every_demo_world_alike():
    settings = Settings()
    settings.api.base_url = "https://API.copycarai.com/v2?x=1"
    assert target_key(settings, settings.api.base_url) == "https://api.copycarai.com/v2"
    settings.sources["api.base_url"] = "demo"
    assert target_key(settings, "http://127.0.0.1:41234/v2/") == target_key(settings, "http://127.0.0.1:5123/v2") == "demo:/v2"
