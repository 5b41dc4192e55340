"""`Recorder`: the engine events of a test, by kind (shared by the engine tests).

A module of its own rather than a conftest member: test files import it by name, and
several conftest modules exist in this tree.
"""

from __future__ import annotations

from typing import Any

import salsify


def call_name(event: salsify.Event) -> tuple[str, tuple[Any, ...]]:
    """``(query name, arguments)`` of a query event, the form the tests compare."""
    return (event.query.__name__, event.args)  # type: ignore[attr-defined]


class Recorder:
    """Collects every event a database emits; helpers pick out one kind."""

    def __init__(self, db: salsify.Database) -> None:
        self.events: list[salsify.Event] = []
        self.subscription = db.on_event(self.events.append)

    def clear(self) -> None:
        self.events.clear()

    def of(self, kind: type[salsify.Event]) -> list[tuple[str, tuple[Any, ...]]]:
        return [call_name(e) for e in self.events if isinstance(e, kind)]

    def executed(self) -> list[tuple[str, tuple[Any, ...]]]:
        return self.of(salsify.Executed)

    def backdated(self) -> list[tuple[str, tuple[Any, ...]]]:
        return self.of(salsify.Backdated)

    def validated(self, *, deep: bool | None = None) -> list[tuple[str, tuple[Any, ...]]]:
        return [
            call_name(e)
            for e in self.events
            if isinstance(e, salsify.Validated) and (deep is None or e.deep is deep)
        ]

    def names(self) -> list[tuple[str, str]]:
        """``(event kind, query name)`` in emission order."""
        return [(type(e).__name__, e.query.__name__) for e in self.events]  # type: ignore[attr-defined]
