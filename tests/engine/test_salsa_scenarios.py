"""Scenarios from salsa's own test suite, in their Python form.

Errors, misuse, deep chains, methods, interning, events and option validation have their
own modules (test_errors, test_depth, test_queries, test_interned, test_events).
"""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class MyInput:
    field: int
    other: str = ""


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


@salsify.query
def is_positive(db: salsify.Database, i: MyInput) -> bool:
    log.append("is_positive")
    return i.field > 0


@salsify.query
def describe(db: salsify.Database, i: MyInput) -> str:
    log.append("describe")
    return "positive" if is_positive(db, i) else "not positive"


@salsify.query(eq=False)
def is_positive_no_eq(db: salsify.Database, i: MyInput) -> bool:
    log.append("is_positive_no_eq")
    return i.field > 0


@salsify.query
def describe_no_eq(db: salsify.Database, i: MyInput) -> str:
    log.append("describe_no_eq")
    return "positive" if is_positive_no_eq(db, i) else "not positive"


def test_backdating_through_an_intermediate(db, rec):
    # salsa tests/backtrack / "backdate": the intermediate re-runs, the reader does not.
    i = MyInput(db, 1)
    assert describe(db, i) == "positive"
    log.clear()
    i.field = 22
    assert describe(db, i) == "positive"
    assert log == ["is_positive"]
    assert rec.backdated() == [("is_positive", (i,))]
    i.field = -1
    assert describe(db, i) == "not positive"
    assert log == ["is_positive", "is_positive", "describe"]


@salsify.query
def read_field(db: salsify.Database, i: MyInput) -> int:
    log.append("read_field")
    return i.field


@salsify.query
def read_other(db: salsify.Database, i: MyInput) -> str:
    log.append("read_other")
    return i.other


def test_per_field_dependencies(db):
    # salsa: a tracked function depends on the fields it read, not on the whole input.
    i = MyInput(db, 1, "x")
    read_field(db, i)
    read_other(db, i)
    log.clear()
    i.other = "y"
    assert (read_field(db, i), read_other(db, i)) == (1, "y")
    assert log == ["read_other"]
    i.field = 2
    assert (read_field(db, i), read_other(db, i)) == (2, "y")
    assert log == ["read_other", "read_field"]


def test_eq_false_disables_backdating(db, rec):
    # salsa: #[salsa::tracked(no_eq)]
    i = MyInput(db, 1)
    describe_no_eq(db, i)
    log.clear()
    i.field = 22
    assert describe_no_eq(db, i) == "positive"
    assert log == ["is_positive_no_eq", "describe_no_eq"]
    assert ("is_positive_no_eq", (i,)) not in rec.backdated()


# Bottom-up re-execution with a cutoff: base -> clamp (cutoff) -> above -> top
@salsify.query
def base(db: salsify.Database, i: MyInput) -> int:
    log.append("base")
    return i.field * 2


@salsify.query
def clamp(db: salsify.Database, i: MyInput) -> int:
    log.append("clamp")
    return min(base(db, i), 10)


@salsify.query
def above(db: salsify.Database, i: MyInput) -> int:
    log.append("above")
    return clamp(db, i) + 1


@salsify.query
def top(db: salsify.Database, i: MyInput) -> int:
    log.append("top")
    return above(db, i) * 2


def test_bottom_up_reexecution_with_cutoff(db, rec):
    i = MyInput(db, 2)
    assert top(db, i) == 10
    log.clear()
    rec.clear()
    i.field = 3
    assert top(db, i) == 14
    assert log == ["base", "clamp", "above", "top"]  # bottom-up, every level changed
    log.clear()
    i.field = 30
    assert top(db, i) == 22
    i.field = 40  # base changes, clamp stays 10: the walk stops there
    log.clear()
    rec.clear()
    assert top(db, i) == 22
    assert log == ["base", "clamp"]
    assert rec.backdated() == [("clamp", (i,))]
    assert rec.validated(deep=True) == [("above", (i,)), ("top", (i,))]


@salsify.query
def pick(db: salsify.Database, switch: MyInput, left: MyInput, right: MyInput) -> int:
    log.append("pick")
    return costly(db, left) if switch.field else costly(db, right)


@salsify.query
def costly(db: salsify.Database, i: MyInput) -> int:
    log.append(f"costly {i.other}")
    return i.field


def test_conditional_dependencies_are_checked_in_order(db, rec):
    switch = MyInput(db, 1)
    left, right = MyInput(db, 10, "left"), MyInput(db, 20, "right")
    assert pick(db, switch, left, right) == 10
    log.clear()
    rec.clear()
    switch.field = 0
    left.field = 11  # the old branch's input changes too
    assert pick(db, switch, left, right) == 20
    assert log == ["pick", "costly right"]
    # The dependency that no longer exists was never forced, not even verified.
    assert ("costly", (left,)) not in rec.executed() + rec.validated()
    log.clear()
    left.field = 12
    assert pick(db, switch, left, right) == 20
    assert log == []


def test_durable_to_less_durable(db):
    # salsa tests/durability.rs: HIGH -> LOW keeping the value, then a LOW change.
    i = MyInput(db, 1, durability=Durability.HIGH)
    assert describe(db, i) == "positive"
    i.set(field=1, durability=Durability.LOW)
    assert describe(db, i) == "positive"
    i.field = -5
    assert describe(db, i) == "not positive"
    i.set(durability=Durability.HIGH)
    db.synthetic_write(Durability.LOW)
    i.field = 7  # keeps HIGH
    assert describe(db, i) == "positive"
    assert i.durability_of("field") == Durability.HIGH


def test_durability_shortcut_without_a_walk(db, rec):
    stable = MyInput(db, 1, durability=Durability.HIGH)
    volatile = MyInput(db, 1)
    describe(db, stable)
    describe(db, volatile)
    rec.clear()
    log.clear()
    volatile.field = 2
    assert describe(db, stable) == "positive"
    assert rec.events == [salsify.Validated(describe, (stable,), False)]
    assert describe(db, volatile) == "positive"
    assert ("is_positive", (stable,)) not in rec.validated()
    assert log == ["is_positive"]
