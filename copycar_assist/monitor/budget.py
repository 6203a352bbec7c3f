"""How often the monitor may ask: the `/verify` budget and the back-off after a 429.

`GET /verify` spends the user's quota, so the monitor asks it at most once every
`every_s` seconds (default 10: the budget), and less when the API says so:

- after a 429 it waits for `Retry-After` (seconds or an HTTP date), and doubles its own wait on
  every 429 in a row (from the budget interval up to `MAX_BACKOFF_S`), whichever is longer;
- when `X-RateLimit-Remaining` is down to the reserve (a tenth of `X-RateLimit-Limit`, at least
  one request), it waits until `X-RateLimit-Reset`, leaving the rest of the quota to the user's
  own work.

`Backoff` alone (no budget) guards `GET /health` of one target after a 429. Times come from the
monitor's clock (wall seconds), so tests and benchmarks can run hours in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from copycar_assist.checks.api_support import parse_retry_after

MAX_BACKOFF_S = 900.0
RESERVE_FRACTION = 0.1


def retry_after_s(value: str | None, now: float) -> float | None:
    """`Retry-After` in seconds from `now` (delay-seconds or an HTTP date); None if absent/bad."""
    said = parse_retry_after(value, datetime.fromtimestamp(now, UTC))
    return None if said is None else min(float(said.seconds), MAX_BACKOFF_S * 4)


def reset_at(value: str | None, now: float) -> float | None:
    """`X-RateLimit-Reset` as an epoch time: epoch seconds (large) or seconds from now."""
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    if number > 1e9:
        return number
    return now + number if number >= 0 else None


class Backoff:
    """Wait after a 429: Retry-After, or a doubling wait from `base_s`, whichever is longer."""

    def __init__(self, base_s: float):
        self.base_s = base_s
        self.until = 0.0
        self.in_a_row = 0
        self.reason = ""

    def blocked(self, now: float) -> bool:
        return now < self.until

    def hit_429(self, now: float, retry_after: str | None) -> float:
        self.in_a_row += 1
        own = min(self.base_s * 2.0 ** (self.in_a_row - 1), MAX_BACKOFF_S)
        said = retry_after_s(retry_after, now)
        wait = max(own, said or 0.0)
        self.until = max(self.until, now + wait)
        self.reason = "429"
        return wait

    def answered(self) -> None:
        self.in_a_row = 0


@dataclass
class BudgetState:
    spent: int = 0
    skipped_budget: int = 0
    skipped_backoff: int = 0
    skipped_quota: int = 0
    last_remaining: int | None = None
    last_limit: int | None = None


class VerifyBudget:
    def __init__(self, every_s: float = 10.0, reserve_fraction: float = RESERVE_FRACTION):
        self.every_s = every_s
        self.reserve_fraction = reserve_fraction
        self.next_at = 0.0
        self.backoff = Backoff(every_s)
        self.quota_until = 0.0
        self.state = BudgetState()

    def why_not(self, now: float) -> str | None:
        """None when a request may go now; else budget | backoff | quota."""
        if self.backoff.blocked(now):
            return "backoff"
        if now < self.quota_until:
            return "quota"
        if now < self.next_at:
            return "budget"
        return None

    def take(self, now: float) -> bool:
        """Spend one request if allowed (and count why not)."""
        why = self.why_not(now)
        if why is None:
            self.state.spent += 1
            self.next_at = now + self.every_s
            return True
        setattr(self.state, f"skipped_{why}", getattr(self.state, f"skipped_{why}") + 1)
        return False

    def observe(self, now: float, status: int | None, headers: dict[str, str]) -> None:
        """Read the answer's rate-limit headers (lower-case names)."""
        if status == 429:
            self.backoff.hit_429(now, headers.get("retry-after"))
            return
        if status is not None:
            self.backoff.answered()
        remaining, limit = _int(headers.get("x-ratelimit-remaining")), _int(headers.get("x-ratelimit-limit"))
        if remaining is None:
            return
        self.state.last_remaining, self.state.last_limit = remaining, limit
        reserve = max(1, int((limit or 0) * self.reserve_fraction))
        if remaining <= reserve:
            reset = reset_at(headers.get("x-ratelimit-reset"), now)
            # no (or a past) reset time: wait ten budget intervals before spending again
            self.quota_until = max(self.quota_until, reset if reset and reset > now else now + 10 * self.every_s)

    def to_json(self, now: float) -> dict[str, Any]:
        s = self.state
        return {"every_s": self.every_s, "spent": s.spent, "paused": self.why_not(now),
                "paused_until": max(self.backoff.until, self.quota_until) if self.why_not(now) in ("backoff", "quota")
                else None,
                "skipped": {"budget": s.skipped_budget, "backoff": s.skipped_backoff, "quota": s.skipped_quota},
                "rate_limit_remaining": s.last_remaining, "rate_limit_limit": s.last_limit}


def _int(value: str | None) -> int | None:
    try:
        return int(float((value or "").strip()))
    except ValueError:
        return None


def epoch_text(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S UTC")
