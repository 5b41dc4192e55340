"""Durability: the O(1) shortcut before any walk (rule 6) and lowering durability."""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class Source:
    name: str = salsify.field(key=True)
    text: str


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


@salsify.query
def size(db: salsify.Database, s: Source) -> int:
    log.append(f"size {s.name}")
    return len(s.text)


@salsify.query
def total(db: salsify.Database, sources: tuple[Source, ...]) -> int:
    log.append("total")
    return sum(size(db, s) for s in sources)


def test_rule6_a_high_memo_is_reused_after_a_low_write_without_a_walk(db, rec):
    stdlib = Source(db, name="os.py", text="import sys", durability=Durability.HIGH)
    vendored = Source(db, name="six.py", text="pass", durability=Durability.HIGH)
    user = Source(db, name="main.py", text="x = 1")
    assert total(db, (stdlib, vendored)) == 14
    log.clear()
    rec.clear()
    user.text = "x = 2"
    assert total(db, (stdlib, vendored)) == 14
    assert log == []
    # One shallow validation of the memo itself; its dependencies are not visited.
    assert rec.events == [salsify.Validated(total, ((stdlib, vendored),), False)]


def test_a_memo_takes_the_lowest_durability_it_read(db, rec):
    stdlib = Source(db, name="os.py", text="import sys", durability=Durability.HIGH)
    user = Source(db, name="main.py", text="x = 1")
    total(db, (stdlib, user))
    rec.clear()
    db.synthetic_write(Durability.LOW)  # an unknown LOW change: the mixed memo is walked
    assert total(db, (stdlib, user)) == 15
    assert rec.validated(deep=False) == [("size", (stdlib,))]
    assert sorted(rec.validated(deep=True)) == [("size", (user,)), ("total", ((stdlib, user),))]
    assert log == ["total", "size os.py", "size main.py"]


def test_medium_sits_between_low_and_high(db, rec):
    high = Source(db, name="h", text="h", durability=Durability.HIGH)
    medium = Source(db, name="m", text="mm", durability=Durability.MEDIUM)
    low = Source(db, name="l", text="lll")
    for s in (high, medium, low):
        size(db, s)
    rec.clear()
    low.text = "llll"
    for s in (high, medium, low):
        size(db, s)
    assert rec.validated(deep=False) == [("size", (high,)), ("size", (medium,))]
    rec.clear()
    medium.text = "mmm"
    for s in (high, medium, low):
        size(db, s)
    # high: durability shortcut; low: its input summary shows no write below it.
    assert rec.validated(deep=False) == [("size", (high,)), ("size", (low,))]
    assert rec.executed() == [("size", (medium,))]
    assert rec.validated(deep=True) == []


def test_an_unrelated_write_is_vouched_for_by_the_input_summary(db, rec):
    user = Source(db, name="main.py", text="x = 1")
    stdlib = Source(db, name="os.py", text="import sys", durability=Durability.HIGH)
    other = Source(db, name="other.py", text="")
    total(db, (stdlib, user))
    rec.clear()
    log.clear()
    other.text = "y"  # LOW, like main.py, but nothing below total reads it
    assert total(db, (stdlib, user)) == 15
    # One validation without a walk: total's dependencies are not visited.
    assert rec.events == [salsify.Validated(total, ((stdlib, user),), False)]
    assert log == []


def test_synthetic_writes_walk_only_memos_of_their_level_or_lower(db, rec):
    high = Source(db, name="h", text="h", durability=Durability.HIGH)
    low = Source(db, name="l", text="l")
    size(db, high)
    size(db, low)
    rec.clear()
    db.synthetic_write(Durability.HIGH)
    size(db, high)
    size(db, low)
    assert rec.validated(deep=True) == [("size", (high,)), ("size", (low,))]
    rec.clear()
    db.synthetic_write(Durability.LOW)
    size(db, high)
    size(db, low)
    assert rec.validated(deep=False) == [("size", (high,))]
    assert rec.validated(deep=True) == [("size", (low,))]
    assert rec.executed() == []


def test_durable_to_less_durable_results_follow(db, rec):
    # salsa's durability test: HIGH -> LOW with the same value, then change it.
    a = Source(db, name="a", text="one", durability=Durability.HIGH)
    assert size(db, a) == 3
    a.set(text="one", durability=Durability.LOW)
    assert size(db, a) == 3
    db.synthetic_write(Durability.LOW)
    assert size(db, a) == 3
    a.text = "three"  # a LOW write now: the memo must not take the HIGH shortcut
    assert size(db, a) == 5
    assert log == ["size a", "size a", "size a"]


def test_durable_to_less_durable_through_a_reader(db):
    a = Source(db, name="a", text="one", durability=Durability.HIGH)
    b = Source(db, name="b", text="two", durability=Durability.HIGH)
    assert total(db, (a, b)) == 6
    a.set(durability=Durability.LOW)
    assert total(db, (a, b)) == 6
    a.text = "eleven"
    assert total(db, (a, b)) == 9


def test_raising_durability_enables_the_shortcut(db, rec):
    a = Source(db, name="a", text="one")
    size(db, a)
    a.set(durability=Durability.HIGH)
    assert size(db, a) == 3
    rec.clear()
    db.synthetic_write(Durability.MEDIUM)
    assert size(db, a) == 3
    assert rec.events == [salsify.Validated(size, (a,), False)]


def test_creating_a_high_input_invalidates_only_through_a_walk(db, rec):
    a = Source(db, name="a", text="one", durability=Durability.HIGH)
    size(db, a)
    rec.clear()
    Source(db, name="b", text="two", durability=Durability.HIGH)
    assert size(db, a) == 3
    assert rec.executed() == []
