"""Accumulators: pushes collected in execution order, once per memo, and backdating."""

from __future__ import annotations

import pytest

import salsify

diagnostics: salsify.Accumulator[str] = salsify.Accumulator("diagnostics")


@salsify.input
class Src:
    name: str = salsify.field(key=True)
    text: str


log: list[str] = []


@salsify.query
def check_line(db: salsify.Database, src: Src, line: int) -> int:
    log.append(f"line {src.name}:{line}")
    text = src.text.splitlines()[line]
    if "bad" in text:
        diagnostics.push(db, f"{src.name}:{line}: bad")
    return len(text)


@salsify.query
def check(db: salsify.Database, src: Src) -> int:
    log.append(f"check {src.name}")
    diagnostics.push(db, f"{src.name}: start")
    total = sum(check_line(db, src, i) for i in range(len(src.text.splitlines())))
    diagnostics.push(db, f"{src.name}: end")
    return total


@salsify.query
def check_all(db: salsify.Database, srcs: tuple[Src, ...]) -> int:
    return sum(check(db, s) for s in srcs) + sum(check(db, s) for s in srcs)


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


def test_accumulated_in_execution_order() -> None:
    db = salsify.Database()
    a = Src(db, name="a", text="ok\nbad\nbad too")
    assert check.accumulated(diagnostics, db, a) == [  # type: ignore[attr-defined]
        "a: start",
        "a:1: bad",
        "a:2: bad",
        "a: end",
    ]
    assert salsify.accumulated(check, diagnostics, db, a) == check.accumulated(  # type: ignore[attr-defined]
        diagnostics, db, a
    )


def test_each_memo_contributes_once_through_a_dag() -> None:
    db = salsify.Database()
    a = Src(db, name="a", text="bad")
    b = Src(db, name="b", text="fine")
    got = check_all.accumulated(diagnostics, db, (a, b))  # type: ignore[attr-defined]
    assert got == ["a: start", "a:0: bad", "a: end", "b: start", "b: end"]


def test_accumulated_after_a_change_reexecutes_only_what_changed() -> None:
    db = salsify.Database()
    a = Src(db, name="a", text="ok\nbad")
    check.accumulated(diagnostics, db, a)  # type: ignore[attr-defined]
    log.clear()
    a.text = "ok\nfine"
    assert check.accumulated(diagnostics, db, a) == ["a: start", "a: end"]  # type: ignore[attr-defined]
    assert "line a:1" in log and "check a" in log


def test_pushed_values_block_backdating() -> None:
    db = salsify.Database()
    a = Src(db, name="a", text="bad1")
    events: list[salsify.Event] = []
    db.on_event(events.append)
    assert check(db, a) == 4
    a.text = "good"  # same length, different pushes
    assert check(db, a) == 4
    backdated = [e for e in events if isinstance(e, salsify.Backdated)]
    assert not any(e.query is check_line for e in backdated)
    assert check.accumulated(diagnostics, db, a) == ["a: start", "a: end"]  # type: ignore[attr-defined]


def test_equal_value_and_pushes_is_backdated() -> None:
    db = salsify.Database()
    a = Src(db, name="a", text="bad1")
    check(db, a)
    events: list[salsify.Event] = []
    db.on_event(events.append)
    a.text = "bad2"
    check(db, a)
    assert any(isinstance(e, salsify.Backdated) and e.query is check_line for e in events)


def test_push_outside_a_query_is_an_error() -> None:
    db = salsify.Database()
    with pytest.raises(salsify.MisuseError, match="only allowed inside a query"):
        diagnostics.push(db, "nope")


def test_reading_accumulated_inside_a_query_tracks_nested_pushes() -> None:
    @salsify.query
    def count_diagnostics(db: salsify.Database, src: Src) -> int:
        return len(check.accumulated(diagnostics, db, src))  # type: ignore[attr-defined]

    db = salsify.Database()
    a = Src(db, name="a", text="bad\nx")
    assert count_diagnostics(db, a) == 3
    a.text = "bad\ny"  # check_line(1) backdates; check backdates; pushes unchanged
    assert count_diagnostics(db, a) == 3
    a.text = "bed\nbad"  # same lengths everywhere, pushes move to line 1
    assert count_diagnostics(db, a) == 3
    a.text = "bed\nbee"
    assert count_diagnostics(db, a) == 2
