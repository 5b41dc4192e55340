"""Events the engine reports to ``Database.on_event`` listeners.

Events are only built when somebody listens: every emitting site checks
``db._listeners`` first, so an unobserved database pays one truth test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every engine event."""


@dataclass(frozen=True, slots=True)
class QueryEvent(Event):
    """An event about one call: ``query`` is the decorated function, ``args`` its arguments."""

    query: Callable[..., Any]
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Executed(QueryEvent):
    """The query body is about to run for these arguments."""


@dataclass(frozen=True, slots=True)
class Validated(QueryEvent):
    """A memo from an earlier revision was confirmed for the current one without executing.

    ``deep`` is False when the durability shortcut sufficed (no dependency was walked).
    """

    deep: bool


@dataclass(frozen=True, slots=True)
class Backdated(QueryEvent):
    """A re-executed query produced a value equal to its old one: readers are spared."""


@dataclass(frozen=True, slots=True)
class Evicted(QueryEvent):
    """A memo's value was dropped (its dependency record stays)."""


@dataclass(frozen=True, slots=True)
class Blocked(QueryEvent):
    """This thread waits for another thread that is executing the same call."""

    owner_thread: int


@dataclass(frozen=True, slots=True)
class CancellationRequested(Event):
    """A write waits for queries running in other threads to unwind."""

    revision: int


@dataclass(frozen=True, slots=True)
class CycleDetected(QueryEvent):
    """A call re-entered a call still on the stack; ``participants`` in entry order."""

    participants: tuple[tuple[str, tuple[Any, ...]], ...]


EventCallback = Callable[[Event], None]


class Subscription:
    """Handle returned by ``Database.on_event``; ``close()`` unsubscribes."""

    __slots__ = ("_callback", "_lists")

    def __init__(self, lists: list[list[EventCallback]], callback: EventCallback) -> None:
        self._lists = lists
        self._callback = callback

    def close(self) -> None:
        for listeners in self._lists:
            with contextlib.suppress(ValueError):  # closing twice is harmless
                listeners.remove(self._callback)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
