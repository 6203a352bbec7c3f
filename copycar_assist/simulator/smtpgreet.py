"""An aiosmtpd `SMTP` session class whose first reply is a chosen greeting: the demo world's
mail server and the tests' servers use it for servers that greet with 421 (busy: they hang up,
as Postfix does) or 554 (the client is refused). aiosmtpd is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, AnyStr

if TYPE_CHECKING:
    from aiosmtpd.smtp import SMTP


def greeting_smtp(greeting: str | None) -> type[SMTP]:
    """A subclass of aiosmtpd's `SMTP` that answers `greeting` instead of its 220 (None: as usual)."""
    from aiosmtpd.smtp import SMTP

    class GreetingSMTP(SMTP):
        greeted = False

        async def push(self, status: AnyStr) -> None:  # str or bytes, as aiosmtpd takes it
            first, self.greeted = not self.greeted, True
            if first and greeting:
                await super().push(greeting)
                if greeting.startswith("421") and self.transport is not None:
                    self.transport.close()  # busy: say so and hang up
                return
            await super().push(status)

    return GreetingSMTP
