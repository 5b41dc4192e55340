"""The event stream: what is emitted, when, and that silence is free."""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class Cell:
    value: int


@salsify.query
def double(db: salsify.Database, c: Cell) -> int:
    return c.value * 2


@salsify.query
def parity(db: salsify.Database, c: Cell) -> int:
    return double(db, c) % 4


def test_event_fields(db, rec):
    c = Cell(db, 1)
    parity(db, c)
    assert rec.events == [salsify.Executed(parity, (c,)), salsify.Executed(double, (c,))]
    event = rec.events[0]
    assert event.query is parity and event.args == (c,)
    c.value = 3
    rec.clear()
    parity(db, c)
    assert rec.events == [
        salsify.Executed(double, (c,)),  # 2 -> 6: changed
        salsify.Executed(parity, (c,)),
        salsify.Backdated(parity, (c,)),  # 2 -> 2: equal
    ]
    c.value = 3
    rec.clear()
    parity(db, c)
    assert rec.events == [
        salsify.Executed(double, (c,)),
        salsify.Backdated(double, (c,)),
        salsify.Validated(parity, (c,), True),
    ]


def test_a_cached_call_in_the_current_revision_emits_nothing(db, rec):
    c = Cell(db, 1)
    parity(db, c)
    rec.clear()
    for _ in range(3):
        parity(db, c)
        double(db, c)
    assert rec.events == []
    db.synthetic_write(Durability.LOW)
    parity(db, c)
    rec.clear()
    parity(db, c)
    assert rec.events == []


def test_no_listener_builds_no_events(db, monkeypatch):
    built: list[str] = []
    for kind in (salsify.Executed, salsify.Validated, salsify.Backdated):
        original = kind.__init__

        def spy(self, *args, _original=original, _kind=kind, **kwargs):  # type: ignore[no-untyped-def]
            built.append(_kind.__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(kind, "__init__", spy)
    c = Cell(db, 1)
    parity(db, c)
    c.value = 3
    parity(db, c)
    db.synthetic_write(Durability.LOW)
    parity(db, c)
    assert built == []
    handle = db.on_event(lambda event: None)
    c.value = 5
    parity(db, c)
    handle.close()
    assert built  # the spy works: with a listener, events are built


def test_close_unsubscribes_and_is_idempotent(db):
    seen: list[salsify.Event] = []
    handle = db.on_event(seen.append)
    c = Cell(db, 1)
    double(db, c)
    assert len(seen) == 1
    handle.close()
    handle.close()
    c.value = 2
    double(db, c)
    assert len(seen) == 1


def test_subscription_as_context_manager_and_several_listeners(db):
    first: list[salsify.Event] = []
    second: list[salsify.Event] = []
    c = Cell(db, 1)
    with db.on_event(first.append), db.on_event(second.append):
        double(db, c)
    c.value = 2
    double(db, c)
    assert first == second == [salsify.Executed(double, (c,))]


def test_events_are_per_database(db, rec):
    other = salsify.Database()
    double(other, Cell(other, 1))
    assert rec.events == []


def test_events_are_frozen_values(db, rec):
    c = Cell(db, 1)
    double(db, c)
    event = rec.events[0]
    assert isinstance(event, salsify.Event)
    with pytest.raises(AttributeError):
        event.args = ()  # type: ignore[misc]
    assert event == salsify.Executed(double, (c,))


def test_on_event_filters_by_kind_and_rejects_non_events(db):
    import pytest

    @salsify.input
    class Thing:
        value: int

    @salsify.query
    def twice(db, thing):
        return thing.value * 2

    thing = Thing(db, value=1)
    executed: list[salsify.Event] = []
    everything: list[salsify.Event] = []
    only = db.on_event(executed.append, salsify.Executed)
    db.on_event(everything.append)
    twice(db, thing)
    db.synthetic_write()
    twice(db, thing)
    assert [type(e) for e in executed] == [salsify.Executed]
    assert [type(e) for e in everything] == [salsify.Executed, salsify.Validated]
    assert db._validated_listeners  # the unfiltered listener still wants them
    only.close()
    only.close()  # harmless
    with pytest.raises(TypeError, match="not a salsify event class"):
        db.on_event(print, int)
