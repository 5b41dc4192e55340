"""Errors are not memoized (rule 9); misuse is an error, not corruption (rule 10)."""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class Box:
    name: str = salsify.field(key=True)
    value: int


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


class Boom(Exception):
    pass


@salsify.query
def checked(db: salsify.Database, box: Box) -> int:
    log.append(f"checked {box.name}")
    if box.value < 0:
        raise Boom(box.value)
    return box.value % 10


@salsify.query
def reader(db: salsify.Database, box: Box) -> str:
    log.append(f"reader {box.name}")
    return f"<{checked(db, box)}>"


@salsify.query
def tolerant(db: salsify.Database, box: Box) -> str:
    log.append(f"tolerant {box.name}")
    try:
        return reader(db, box)
    except Boom:
        return "error"


@salsify.query
def gated(db: salsify.Database, gate: Box, box: Box) -> int:
    log.append("gated")
    return checked(db, box) if gate.value else 0


@salsify.query
def tolerant_gated(db: salsify.Database, gate: Box, box: Box) -> int | str:
    log.append("tolerant_gated")
    try:
        return gated(db, gate, box)
    except Boom:
        return "error"


def test_rule9_an_error_propagates_and_is_not_memoized(db, rec):
    box = Box(db, name="b", value=-1)
    for _ in range(2):
        with pytest.raises(Boom):
            reader(db, box)
    assert log == ["reader b", "checked b"] * 2
    box.value = 3
    assert reader(db, box) == "<3>"


def test_rule9_the_earlier_memo_is_kept_so_an_equal_value_is_backdated(db, rec):
    box = Box(db, name="b", value=3)
    assert reader(db, box) == "<3>"
    box.value = -1
    with pytest.raises(Boom):
        reader(db, box)
    log.clear()
    rec.clear()
    box.value = 13  # checked returns 3 again: equal to the memo before the error
    assert reader(db, box) == "<3>"
    assert log == ["checked b"]
    assert rec.backdated() == [("checked", (box,))]


def test_a_query_that_catches_an_error_depends_on_its_cause(db):
    box = Box(db, name="b", value=-1)
    assert tolerant(db, box) == "error"
    assert tolerant(db, box) == "error"
    assert log == ["tolerant b", "reader b", "checked b"]
    box.value = 4
    assert tolerant(db, box) == "<4>"


def test_an_error_met_during_verification_reaches_the_body_that_catches_it(db):
    gate = Box(db, name="gate", value=1)
    box = Box(db, name="b", value=1)
    assert tolerant_gated(db, gate, box) == 1
    box.value = -1
    # From scratch, tolerant_gated catches Boom and returns "error".
    assert tolerant_gated(db, gate, box) == "error"


def test_rule9_keyboard_interrupt_leaves_the_database_consistent(db, rec):
    interrupt = {"on": True}

    @salsify.query
    def fragile(db: salsify.Database, box: Box) -> int:
        log.append("fragile")
        value = box.value
        if interrupt["on"]:
            raise KeyboardInterrupt
        return value

    @salsify.query
    def outer(db: salsify.Database, box: Box) -> int:
        log.append("outer")
        return fragile(db, box) + checked(db, box)

    box = Box(db, name="b", value=2)
    with pytest.raises(KeyboardInterrupt):
        outer(db, box)
    box.value = 5  # no query is left "running": writes are allowed
    assert checked(db, box) == 5
    interrupt["on"] = False
    assert outer(db, box) == 10
    log.clear()
    assert outer(db, box) == 10
    assert log == []
    box.value = 6
    assert outer(db, box) == 12


def test_an_exception_from_an_executed_listener_leaves_the_database_consistent(db):
    box = Box(db, name="b", value=2)

    def interrupt(event: salsify.Event) -> None:
        if isinstance(event, salsify.Executed):
            raise KeyboardInterrupt

    handle = db.on_event(interrupt)
    with pytest.raises(KeyboardInterrupt):
        checked(db, box)
    handle.close()
    box.value = 3
    assert checked(db, box) == 3


# Rule 10: misuse.
@salsify.query
def writer(db: salsify.Database, box: Box) -> int:
    box.value = box.value + 1
    return 0


@salsify.query
def creator(db: salsify.Database) -> int:
    Box(db, name="new", value=0)
    return 0


@salsify.query
def synthetic(db: salsify.Database) -> int:
    db.synthetic_write(Durability.LOW)
    return 0


@salsify.query
def guarded_writer(db: salsify.Database, box: Box) -> int:
    try:
        box.value = 1
    except salsify.MisuseError:
        return -1
    return 0


def test_rule10_writing_inside_a_query_is_a_misuse_error(db):
    box = Box(db, name="b", value=1)
    revision = db.revision
    with pytest.raises(salsify.MisuseError, match="writer"):
        writer(db, box)
    with pytest.raises(salsify.MisuseError):
        creator(db)
    with pytest.raises(salsify.MisuseError):
        synthetic(db)
    assert db.revision == revision
    assert box.value == 1
    assert Box.get(db, name="new") is None
    assert guarded_writer(db, box) == -1
    box.value = 2  # the database is still usable
    assert checked(db, box) == 2


def test_rule10_an_input_of_another_database_is_rejected(db):
    other = salsify.Database()
    foreign = Box(other, name="b", value=1)
    with pytest.raises(salsify.MisuseError, match="another database"):
        checked(db, foreign)
    with pytest.raises(salsify.MisuseError, match="another database"):
        gated(db, Box(db, name="g", value=1), foreign)


@salsify.query
def sum_of(db: salsify.Database, boxes: frozenset[Box]) -> int:
    return sum(b.value for b in boxes)


def test_rule10_an_input_of_another_database_inside_a_frozenset_is_rejected(db):
    other = salsify.Database()
    foreign = Box(other, name="b", value=1)
    try:
        assert sum_of(db, frozenset({foreign})) == 1
    except salsify.MisuseError:
        return
    foreign.value = 2
    assert sum_of(db, frozenset({foreign})) == 2


def test_rule10_an_unhashable_argument_names_query_and_argument(db):
    with pytest.raises(TypeError, match=r"sum_of.*'boxes'.*unhashable"):
        sum_of(db, [1, 2])  # type: ignore[arg-type]

    @salsify.query
    def pair(db: salsify.Database, left: int, right: object) -> int:
        return left

    with pytest.raises(TypeError, match=r"pair.*'right'"):
        pair(db, 1, {"a": 1})
    with pytest.raises(TypeError, match=r"pair.*'right'"):
        pair(db, 1, (1, [2]))
    assert pair(db, 1, (1, 2)) == 1


def test_duplicate_input_key_is_a_value_error(db):
    Box(db, name="b", value=1)
    with pytest.raises(ValueError, match="already exists"):
        Box(db, name="b", value=2)
    assert Box.get(db, name="b").value == 1  # type: ignore[union-attr]


def test_exceptions_keep_their_type_and_traceback(db):
    box = Box(db, name="b", value=-7)
    with pytest.raises(Boom) as info:
        reader(db, box)
    assert info.value.args == (-7,)
    assert any(entry.name == "checked" for entry in info.traceback)


def test_a_query_error_carries_no_engine_exception_context(db):
    box = Box(db, name="b", value=-1)
    with pytest.raises(Boom) as info:
        reader(db, box)
    assert info.value.__context__ is None
