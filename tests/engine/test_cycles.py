"""Cycles: CycleError naming participants; fixpoint iteration with cycle_initial."""

from __future__ import annotations

import pytest

import salsify


@salsify.input
class Limit:
    value: int


@salsify.input
class Switch:
    on: bool


log: list[str] = []


def _zero(db: salsify.Database, limit: Limit) -> int:
    return 0


@salsify.query(cycle_initial=_zero)
def head(db: salsify.Database, limit: Limit) -> int:
    log.append("head")
    return min(follower(db, limit), limit.value)


@salsify.query
def follower(db: salsify.Database, limit: Limit) -> int:
    log.append("follower")
    return head(db, limit) + 1


@salsify.query
def self_loop(db: salsify.Database, n: int) -> int:
    return self_loop(db, n) + 1


@salsify.query
def ping(db: salsify.Database, n: int) -> int:
    return pong(db, n)


@salsify.query
def pong(db: salsify.Database, n: int) -> int:
    return ping(db, n)


@pytest.fixture(autouse=True)
def _clear() -> None:
    log.clear()


def test_self_cycle_raises_naming_the_query() -> None:
    db = salsify.Database()
    with pytest.raises(salsify.CycleError, match=r"self_loop\(1\) -> .*self_loop\(1\)") as info:
        self_loop(db, 1)
    assert [name for name, _ in info.value.participants] == ["self_loop"]


def test_two_query_cycle_names_participants_in_order() -> None:
    db = salsify.Database()
    events: list[salsify.Event] = []
    db.on_event(events.append)
    with pytest.raises(salsify.CycleError) as info:
        ping(db, 7)
    names = [name.rsplit(".", 1)[-1] for name, _ in info.value.participants]
    assert names == ["ping", "pong"]
    assert "ping(7) -> " in str(info.value) and "pong(7)" in str(info.value)
    assert any(isinstance(e, salsify.CycleDetected) for e in events)
    # The database stays usable.
    with pytest.raises(salsify.CycleError):
        ping(db, 7)


def test_fixpoint_converges_and_memoizes_final_values() -> None:
    db = salsify.Database()
    limit = Limit(db, value=10)
    assert head(db, limit) == 10
    assert follower(db, limit) == 11
    runs = len(log)
    assert head(db, limit) == 10 and follower(db, limit) == 11
    assert len(log) == runs  # memoized


def test_fixpoint_restarts_from_initial_after_a_change() -> None:
    db = salsify.Database()
    limit = Limit(db, value=10)
    assert head(db, limit) == 10
    limit.value = 3
    assert head(db, limit) == 3
    assert follower(db, limit) == 4
    limit.value = 20
    assert follower(db, limit) == 21
    assert head(db, limit) == 20


def test_unrelated_write_verifies_the_cycle_without_rerunning() -> None:
    db = salsify.Database()
    limit = Limit(db, value=5)
    other = Limit(db, value=0)
    head(db, limit)
    log.clear()
    other.value = 1
    assert head(db, limit) == 5 and follower(db, limit) == 6
    assert log == []


def _start(db: salsify.Database, sw: Switch, gate: Limit) -> int:
    return 0


@salsify.query(cycle_initial=_start)
def early(db: salsify.Database, sw: Switch, gate: Limit) -> int:
    log.append("early")
    previous = early_follower(db, sw, gate)
    if previous == 0:
        # Read only in the first iteration.
        return gate.value
    return min(previous, 5)


@salsify.query
def early_follower(db: salsify.Database, sw: Switch, gate: Limit) -> int:
    return early(db, sw, gate)


def test_input_read_only_in_early_iterations_still_reruns_the_cycle() -> None:
    db = salsify.Database()
    sw = Switch(db, on=True)
    gate = Limit(db, value=9)
    assert early(db, sw, gate) == 5
    gate.value = 2
    assert early(db, sw, gate) == 2


@salsify.query(cycle_initial=_zero)
def diverges(db: salsify.Database, limit: Limit) -> int:
    return diverges(db, limit) + limit.value


def test_non_convergence_raises_after_200_iterations() -> None:
    db = salsify.Database()
    limit = Limit(db, value=1)
    with pytest.raises(salsify.CycleError, match="did not converge after 200"):
        diverges(db, limit)
    limit.value = 0
    assert diverges(db, limit) == 0  # usable afterwards; converges at once


def _initial_a(db: salsify.Database, sw: Switch) -> int:
    return 0


@salsify.query(cycle_initial=_initial_a)
def maybe_cyclic(db: salsify.Database, sw: Switch) -> int:
    log.append("maybe_cyclic")
    if sw.on:
        return min(partner(db, sw) + 1, 3)
    return 42


@salsify.query
def partner(db: salsify.Database, sw: Switch) -> int:
    log.append("partner")
    return maybe_cyclic(db, sw)


def test_cycle_appears_and_disappears_between_revisions() -> None:
    db = salsify.Database()
    sw = Switch(db, on=False)
    assert partner(db, sw) == 42
    sw.on = True
    # The head is the call re-entered: entering through the query with cycle_initial
    # iterates; entering through ``partner`` would make it the head, and it has none.
    assert maybe_cyclic(db, sw) == 3
    assert partner(db, sw) == 3
    sw.on = False
    assert partner(db, sw) == 42
    assert maybe_cyclic(db, sw) == 42
    sw.on = True
    assert maybe_cyclic(db, sw) == 3
    assert partner(db, sw) == 3


def test_entering_a_cycle_at_a_query_without_cycle_initial_raises() -> None:
    db = salsify.Database()
    sw = Switch(db, on=True)
    with pytest.raises(salsify.CycleError, match=r"partner\(.*\) -> .*maybe_cyclic"):
        partner(db, sw)
    assert maybe_cyclic(db, sw) == 3  # the database stays usable
