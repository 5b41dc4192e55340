"""Eviction: values go, dependency records stay; recomputed equal values backdate."""

from __future__ import annotations

import gc
import weakref

import pytest

import salsify


@salsify.input
class Num:
    name: str = salsify.field(key=True)
    value: int


class Box:
    """A value that supports weak references, to see when the engine lets it go."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and other.value == self.value

    def __hash__(self) -> int:
        return self.value


log: list[str] = []


@salsify.query(lru=3)
def boxed(db: salsify.Database, n: Num) -> Box:
    log.append(f"boxed {n.name}")
    return Box(n.value * 2)


@salsify.query
def unboxed(db: salsify.Database, n: Num) -> int:
    log.append(f"unboxed {n.name}")
    return boxed(db, n).value


@salsify.query
def squared(db: salsify.Database, n: Num) -> int:
    log.append(f"squared {n.name}")
    return n.value * n.value


@salsify.query
def plus_one(db: salsify.Database, n: Num) -> int:
    log.append(f"plus_one {n.name}")
    return squared(db, n) + 1


@pytest.fixture(autouse=True)
def _clear() -> None:
    log.clear()


def test_lru_bounds_live_values() -> None:
    db = salsify.Database()
    nums = [Num(db, name=f"n{i}", value=i) for i in range(10)]
    refs = [weakref.ref(boxed(db, n)) for n in nums]
    gc.collect()
    alive = [i for i, ref in enumerate(refs) if ref() is not None]
    assert alive == [7, 8, 9]
    assert db.stats()[boxed.__qualname__].live_values == 3
    assert db.stats()[boxed.__qualname__].evictions == 7


def test_lru_recency_follows_hits() -> None:
    db = salsify.Database()
    nums = [Num(db, name=f"n{i}", value=i) for i in range(4)]
    first = weakref.ref(boxed(db, nums[0]))
    boxed(db, nums[1])
    boxed(db, nums[2])
    boxed(db, nums[0])  # a hit: n0 becomes the most recent
    boxed(db, nums[3])  # evicts n1, not n0
    gc.collect()
    assert first() is not None


def test_reader_of_an_evicted_value_is_not_reexecuted() -> None:
    db = salsify.Database()
    nums = [Num(db, name=f"n{i}", value=i) for i in range(5)]
    assert [unboxed(db, n) for n in nums] == [0, 2, 4, 6, 8]
    log.clear()
    db.synthetic_write(salsify.Durability.LOW)
    assert [unboxed(db, n) for n in nums] == [0, 2, 4, 6, 8]
    assert log == []  # readers verified through the kept dependency records


def test_evict_on_demand_and_recompute_backdates() -> None:
    db = salsify.Database()
    n = Num(db, name="n", value=3)
    assert plus_one(db, n) == 10
    events: list[salsify.Event] = []
    db.on_event(events.append)
    assert db.evict(squared) == 1
    assert [type(e) for e in events] == [salsify.Evicted]
    log.clear()
    assert squared(db, n) == 9
    assert log == ["squared n"]  # no value: recomputed
    assert any(isinstance(e, salsify.Backdated) and e.query is squared for e in events)
    log.clear()
    n.value = -3  # squared re-executes with an equal value: plus_one is spared
    db.evict()
    assert plus_one(db, n) == 10
    assert log == ["squared n", "plus_one n"]  # plus_one's value was evicted too


def test_reader_spared_when_evicted_dependency_recomputes_equal() -> None:
    db = salsify.Database()
    n = Num(db, name="n", value=3)
    assert plus_one(db, n) == 10
    db.evict(squared)
    n.value = -3
    log.clear()
    assert plus_one(db, n) == 10
    assert log == ["squared n"]  # fingerprint of 9 matched: plus_one verified


def test_unfingerprintable_value_counts_as_changed_after_eviction() -> None:
    @salsify.query
    def opaque(db: salsify.Database, n: Num) -> object:
        log.append("opaque")
        return Box(n.value)  # Box has no canonical encoding

    @salsify.query
    def reader(db: salsify.Database, n: Num) -> int:
        log.append("reader")
        return opaque(db, n).value  # type: ignore[attr-defined, no-any-return]

    db = salsify.Database()
    n = Num(db, name="n", value=3)
    assert reader(db, n) == 3
    db.evict(opaque)
    n.value = 3
    log.clear()
    assert reader(db, n) == 3
    assert log == ["opaque", "reader"]


def test_lru_option_is_validated() -> None:
    with pytest.raises(TypeError, match="lru"):
        salsify.query(lru=-1)(lambda db, x: x)
