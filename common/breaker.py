"""A circuit breaker for a service the request path can live without (the Redis cache, the Celery broker).

After a failure the breaker is open for `seconds`: callers skip the service instead of each waiting for its
timeout, so a dead or hung Redis costs one request one timeout, then nothing until the breaker closes and the
next call tries again. Per process, no locking: a race only means two requests try at once.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


_ALL: list[Breaker] = []


def breakers_reset() -> None:
    """Close every breaker of this process (tests that bring a service back call it, as time would)."""
    for breaker in _ALL:
        breaker.reset()


class Breaker:
    def __init__(self, name: str, *, seconds: float = 5.0):
        self.name = name
        self.seconds = seconds
        self._open_until = 0.0
        _ALL.append(self)

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, exc: BaseException | None = None) -> None:
        if not self.is_open():
            logger.warning("%s unavailable; skipping it for %.0f s", self.name, self.seconds, exc_info=exc)
        self._open_until = time.monotonic() + self.seconds

    def reset(self) -> None:
        self._open_until = 0.0
