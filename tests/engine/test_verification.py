"""Deep verification: minimal, bottom-up re-execution (rule 3) and dependencies that
change between revisions (rule 5)."""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class Var:
    name: str = salsify.field(key=True)
    value: int


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


def var(db: salsify.Database, name: str) -> Var:
    found = Var.get(db, name=name)
    assert found is not None
    return found


# A small graph:   top -> left -> a        top -> right -> b        lone -> c
@salsify.query
def left(db: salsify.Database) -> int:
    log.append("left")
    return var(db, "a").value * 10


@salsify.query
def right(db: salsify.Database) -> int:
    log.append("right")
    return var(db, "b").value * 100


@salsify.query
def top(db: salsify.Database) -> int:
    log.append("top")
    return left(db) + right(db)


@salsify.query
def lone(db: salsify.Database) -> int:
    log.append("lone")
    return var(db, "c").value


def make(db: salsify.Database) -> None:
    for name in "abc":
        Var(db, name=name, value=1)


def test_rule3_only_queries_on_a_path_from_the_changed_input_rerun(db, rec):
    make(db)
    assert top(db) == 110 and lone(db) == 1
    rec.clear()
    log.clear()
    var(db, "a").value = 2
    assert top(db) == 120 and lone(db) == 1
    assert log == ["left", "top"]
    # Bottom-up: the changed dependency runs (during verification) before its reader.
    assert rec.executed() == [("left", ()), ("top", ())]
    # Queries that do not read the changed input are verified, never executed (their
    # input summaries show that no cell below them was written: no walk).
    assert sorted(rec.validated(deep=False)) == [("lone", ()), ("right", ())]
    assert rec.validated(deep=True) == []


def test_rule3_verification_reexecutes_dependencies_before_the_reader(db, rec):
    make(db)
    top(db)
    rec.clear()
    var(db, "b").value = 5
    top(db)
    assert rec.names() == [
        ("Validated", "left"),
        ("Executed", "right"),
        ("Executed", "top"),
    ]


def test_rule3_an_equal_value_write_counts_as_a_change(db, rec):
    make(db)
    top(db)
    log.clear()
    var(db, "a").value = 1  # the same value: setters do not compare
    assert top(db) == 110
    assert log == ["left"]  # left re-ran; its equal value spared top (backdating)
    assert rec.backdated() == [("left", ())]


def test_rule3_unread_inputs_do_not_rerun_anything(db, rec):
    make(db)
    top(db)
    log.clear()
    rec.clear()
    var(db, "c").value = 9
    assert top(db) == 110
    assert log == []
    assert rec.executed() == []


def test_rule3_a_write_counts_at_the_higher_of_old_and_new_durability(db, rec):
    make(db)
    a = var(db, "a")
    a.set(durability=Durability.HIGH)
    assert left(db) == 10  # left now reads only a HIGH input
    rec.clear()
    log.clear()
    a.set(value=1, durability=Durability.LOW)  # counts as a HIGH change
    assert left(db) == 10
    assert log == ["left"]


def test_validating_twice_in_one_revision_is_a_cache_hit(db, rec):
    make(db)
    top(db)
    db.synthetic_write(Durability.LOW)
    rec.clear()
    top(db)
    first = list(rec.events)
    assert sorted(rec.validated(deep=True)) == [("left", ()), ("right", ()), ("top", ())]
    rec.clear()
    top(db)
    left(db)
    assert rec.events == [] and len(first) == 3


# Rule 5: a query that branches on an input reads a different set next time.
@salsify.query
def branch(db: salsify.Database) -> int:
    log.append("branch")
    if var(db, "flag").value:
        return expensive_a(db)
    return expensive_b(db)


@salsify.query
def expensive_a(db: salsify.Database) -> int:
    log.append("a")
    return var(db, "a").value


@salsify.query
def expensive_b(db: salsify.Database) -> int:
    log.append("b")
    return var(db, "b").value


def test_rule5_dependencies_change_and_a_vanished_one_is_never_forced(db, rec):
    Var(db, name="flag", value=1)
    make(db)
    assert branch(db) == 1
    assert log == ["branch", "a"]
    log.clear()
    rec.clear()
    # Switch the branch and, in the same step, change what the old branch read.
    var(db, "flag").value = 0
    var(db, "a").value = 7
    assert branch(db) == 1
    assert log == ["branch", "b"]
    # expensive_a was neither executed nor even verified: verification stopped at flag.
    assert all(name != "expensive_a" for _, name in rec.names())
    log.clear()
    var(db, "a").value = 8  # no longer a dependency of branch
    assert branch(db) == 1
    assert log == []


def test_rule5_verification_checks_dependencies_in_read_order(db, rec):
    Var(db, name="flag", value=1)
    make(db)
    branch(db)
    rec.clear()
    var(db, "flag").value = 1  # equal value, but a write: branch must re-execute
    var(db, "a").value = 3
    assert branch(db) == 3
    # flag is read first, so branch executes before expensive_a is looked at.
    assert rec.names() == [("Executed", "branch"), ("Executed", "expensive_a")]


def test_input_summary_follows_a_dependency_that_switched_branches(db, rec):
    """A reader spared by backdating must still notice writes to inputs its dependency
    started reading after the switch (its input summary is refreshed when verified)."""

    @salsify.input
    class Flag:
        on: bool

    @salsify.input
    class Num:
        value: int

    flag = Flag(db, on=False)
    first = Num(db, value=1)
    second = Num(db, value=1)

    @salsify.query
    def pick(db: salsify.Database) -> int:
        return second.value if flag.on else first.value

    @salsify.query
    def reader(db: salsify.Database) -> int:
        return pick(db) * 10

    assert reader(db) == 10
    rec.clear()
    flag.on = True  # pick now reads `second`; equal value: reader is spared
    assert reader(db) == 10
    assert rec.executed() == [("pick", ())]
    assert rec.backdated() == [("pick", ())]
    second.value = 7  # reader's first summary never saw `second`
    assert reader(db) == 70
