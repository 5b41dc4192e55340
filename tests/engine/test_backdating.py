"""Backdating, the early cutoff (rule 4), and its durability-drop exception."""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class Text:
    body: str


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


@salsify.query
def length(db: salsify.Database, t: Text) -> int:
    log.append("length")
    return len(t.body)


@salsify.query
def report(db: salsify.Database, t: Text) -> str:
    log.append("report")
    return f"{length(db, t)} chars"


@salsify.query(eq=False)
def length_no_eq(db: salsify.Database, t: Text) -> int:
    log.append("length_no_eq")
    return len(t.body)


@salsify.query
def report_no_eq(db: salsify.Database, t: Text) -> str:
    log.append("report_no_eq")
    return f"{length_no_eq(db, t)} chars"


def same_fold(old: str, new: str) -> bool:
    log.append(f"eq {old} {new}")
    return old.casefold() == new.casefold()


@salsify.query(eq=same_fold)
def word(db: salsify.Database, t: Text) -> str:
    log.append("word")
    return t.body.strip()


@salsify.query
def shout(db: salsify.Database, t: Text) -> str:
    log.append("shout")
    return word(db, t).upper()


def test_rule4_equal_value_spares_readers(db, rec):
    t = Text(db, "abc")
    assert report(db, t) == "3 chars"
    log.clear()
    rec.clear()
    t.body = "xyz"  # same length
    assert report(db, t) == "3 chars"
    assert log == ["length"]
    assert rec.backdated() == [("length", (t,))]
    assert rec.validated(deep=True) == [("report", (t,))]
    t.body = "four"
    assert report(db, t) == "4 chars"
    assert log == ["length", "length", "report"]


def test_eq_false_never_backdates(db, rec):
    t = Text(db, "abc")
    report_no_eq(db, t)
    log.clear()
    t.body = "xyz"
    assert report_no_eq(db, t) == "3 chars"
    assert log == ["length_no_eq", "report_no_eq"]
    assert rec.backdated() == [("report_no_eq", (t,))]  # its reader still can


def test_eq_callable_decides_backdating(db, rec):
    t = Text(db, " Hello ")
    assert shout(db, t) == "HELLO"
    log.clear()
    t.body = "hello"
    assert shout(db, t) == "HELLO"  # reader spared, its value kept
    assert log == ["word", "eq Hello hello"]
    assert rec.backdated() == [("word", (t,))]
    # The memo stores the newest value; readers computed from the old one are kept.
    assert word(db, t) == "hello"
    log.clear()
    t.body = "bye"
    assert shout(db, t) == "BYE"
    assert log == ["word", "eq hello bye", "shout"]


def test_backdating_uses_identity_first(db):
    calls: list[str] = []

    class Weird:
        def __eq__(self, other: object) -> bool:
            calls.append("eq")
            return False

        __hash__ = object.__hash__

    w = Weird()

    @salsify.query
    def same(db: salsify.Database, t: Text) -> Weird:
        t.body  # noqa: B018 - a tracked read
        return w

    @salsify.query
    def reader(db: salsify.Database, t: Text) -> int:
        log.append("reader")
        same(db, t)
        return 1

    t = Text(db, "x")
    reader(db, t)
    t.body = "y"
    reader(db, t)
    assert log == ["reader"]


def test_values_that_fail_to_compare_count_as_changed(db):
    class Incomparable:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no comparison")

        __hash__ = object.__hash__

    @salsify.query
    def make(db: salsify.Database, t: Text) -> Incomparable:
        t.body  # noqa: B018
        return Incomparable()

    @salsify.query
    def reader(db: salsify.Database, t: Text) -> int:
        log.append("reader")
        make(db, t)
        return 1

    t = Text(db, "x")
    reader(db, t)
    t.body = "y"
    reader(db, t)
    assert log == ["reader", "reader"]


def test_backdating_cuts_off_a_long_chain(db, rec):
    @salsify.query
    def parity(db: salsify.Database, t: Text) -> int:
        log.append("parity")
        return len(t.body) % 2

    @salsify.query
    def level(db: salsify.Database, t: Text, n: int) -> int:
        log.append(f"level{n}")
        return (parity(db, t) if n == 0 else level(db, t, n - 1)) + 1

    t = Text(db, "ab")
    assert level(db, t, 5) == 6
    log.clear()
    t.body = "abcd"
    assert level(db, t, 5) == 6
    assert log == ["parity"]
    assert len(rec.validated(deep=True)) == 6


def test_durability_drop_prevents_backdating(db, rec):
    t = Text(db, "abc", durability=Durability.HIGH)
    assert report(db, t) == "3 chars"
    log.clear()
    rec.clear()
    # Same value, lower durability: length's value is equal, but its durability dropped,
    # so its readers must not keep a HIGH durability that no longer holds.
    t.set(body="abc", durability=Durability.LOW)
    assert report(db, t) == "3 chars"
    assert log == ["length", "report"]
    assert rec.backdated() == []  # report's durability dropped too
    log.clear()
    t.body = "abcd"  # a LOW write now reaches report
    assert report(db, t) == "4 chars"
    assert log == ["length", "report"]


def test_durability_rise_still_backdates(db, rec):
    t = Text(db, "abc")
    report(db, t)
    log.clear()
    t.set(durability=Durability.HIGH)
    assert report(db, t) == "3 chars"
    assert log == ["length"]
    assert rec.backdated() == [("length", (t,))]
