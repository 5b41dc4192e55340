"""Live queries: ``db.subscribe`` notifies iff a value changed, glitch-free, and keeps
reverse edges only below subscribed calls."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import salsify
from recording import Recorder


@salsify.input
class Num:
    value: int


@salsify.input
class Flag:
    on: bool


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


@salsify.query
def parity(db: salsify.Database, n: Num) -> int:
    log.append("parity")
    return n.value % 2


@salsify.query
def describe(db: salsify.Database, n: Num) -> str:
    log.append("describe")
    return "odd" if parity(db, n) else "even"


@salsify.query
def total(db: salsify.Database, a: Num, b: Num) -> int:
    log.append("total")
    return a.value + b.value


@salsify.query
def doubled(db: salsify.Database, a: Num, b: Num) -> int:
    log.append("doubled")
    return 2 * total(db, a, b)


@salsify.query
def negated(db: salsify.Database, a: Num, b: Num) -> int:
    log.append("negated")
    return -total(db, a, b)


@salsify.query
def pick(db: salsify.Database, flag: Flag, a: Num, b: Num) -> int:
    log.append("pick")
    return parity_plus(db, a) if flag.on else parity_plus(db, b)


@salsify.query
def parity_plus(db: salsify.Database, n: Num) -> int:
    log.append(f"parity_plus {n.value}")
    return n.value + 100


@salsify.query
def plain(db: salsify.Database, n: Num) -> int:
    log.append("plain")
    return n.value


def test_subscribe_computes_and_exposes_value(db: salsify.Database) -> None:
    n = Num(db, 3)
    seen: list[str] = []
    sub = db.subscribe(describe, n, callback=seen.append)
    assert sub.value == "odd"
    assert seen == []
    assert log == ["describe", "parity"]


def test_change_notifies_with_new_value(db: salsify.Database) -> None:
    n = Num(db, 3)
    seen: list[str] = []
    sub = db.subscribe(describe, n, callback=seen.append)
    n.value = 4
    assert seen == ["even"]
    assert sub.value == "even"


def test_cutoff_below_means_no_callback(db: salsify.Database, rec: Recorder) -> None:
    n = Num(db, 3)
    seen: list[str] = []
    db.subscribe(describe, n, callback=seen.append)
    rec.clear()
    n.value = 5  # parity unchanged: backdated, describe not re-executed
    assert seen == []
    assert rec.executed() == [("parity", (n,))]
    assert rec.backdated() == [("parity", (n,))]


def test_two_writes_in_a_batch_mean_one_callback_with_final_value(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    seen: list[int] = []
    db.subscribe(total, a, b, callback=seen.append)
    log.clear()
    with db.batch():
        a.value = 10
        b.value = 20
        assert seen == []
    assert seen == [30]
    assert log == ["total"]


def test_nested_batches_flush_once_at_the_outermost_end(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    seen: list[int] = []
    db.subscribe(total, a, b, callback=seen.append)
    with db.batch():
        a.value = 5
        with db.batch():
            b.value = 6
        assert seen == []
    assert seen == [11]


def test_batch_that_reverts_notifies_nothing(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    seen: list[int] = []
    db.subscribe(total, a, b, callback=seen.append)
    with db.batch():
        a.value = 7
        a.value = 1
    assert seen == []


def test_raising_batch_body_still_flushes(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    seen: list[int] = []
    db.subscribe(total, a, b, callback=seen.append)
    with pytest.raises(KeyError), db.batch():
        a.value = 3
        raise KeyError("boom")
    assert seen == [5]


def test_close_stops_callbacks_and_drops_reverse_edges(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    seen: list[int] = []
    sub = db.subscribe(doubled, a, b, callback=seen.append)
    # doubled -> total, total -> a.value, b.value
    assert db.live_edges() == 3
    assert db.live_stats().live_memos == 2
    sub.close()
    assert sub.closed
    assert db.live_edges() == 0
    assert db.live_stats().live_memos == 0
    a.value = 5
    assert seen == []
    assert doubled(db, a, b) == 14  # pull still answers
    sub.close()  # closing twice is harmless


def test_close_keeps_edges_another_subscription_needs(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    d: list[int] = []
    n: list[int] = []
    sub_d = db.subscribe(doubled, a, b, callback=d.append)
    sub_n = db.subscribe(negated, a, b, callback=n.append)
    assert db.live_edges() == 4  # doubled->total, negated->total, total->a, total->b
    sub_d.close()
    assert db.live_edges() == 3
    a.value = 2
    assert (d, n) == ([], [-4])
    sub_n.close()
    assert db.live_edges() == 0


def test_shared_subquery_executes_once(db: salsify.Database, rec: Recorder) -> None:
    a, b = Num(db, 1), Num(db, 2)
    d: list[int] = []
    n: list[int] = []
    db.subscribe(doubled, a, b, callback=d.append)
    db.subscribe(negated, a, b, callback=n.append)
    rec.clear()
    a.value = 4
    assert d == [12]
    assert n == [-6]
    assert sorted(rec.executed()) == [
        ("doubled", (a, b)),
        ("negated", (a, b)),
        ("total", (a, b)),
    ]


def test_write_reaching_no_subscription_does_nothing(db: salsify.Database, rec: Recorder) -> None:
    a, b, c = Num(db, 1), Num(db, 2), Num(db, 3)
    seen: list[int] = []
    db.subscribe(total, a, b, callback=seen.append)
    assert plain(db, c) == 3  # a memo outside the subscribed subgraph
    rec.clear()
    log.clear()
    revision = db.revision
    c.value = 30
    assert db.revision == revision + 1
    assert rec.events == []
    assert log == []
    assert seen == []
    assert db.live_stats().rounds == 0


def test_unaffected_subscription_reverifies_in_o1(db: salsify.Database, rec: Recorder) -> None:
    a, b, c = Num(db, 1), Num(db, 2), Num(db, 3)
    db.subscribe(doubled, a, b, callback=lambda v: None)
    c.value = 4
    rec.clear()
    assert doubled(db, a, b) == 6
    # One shortcut validation of the root: nothing below it is walked.
    assert rec.validated(deep=False) == [("doubled", (a, b))]
    assert rec.validated(deep=True) == []


@salsify.query
def plus_flag(db: salsify.Database, a: Num, flag: Flag) -> int:
    log.append("plus_flag")
    return parity_plus(db, a) + flag.on


def test_clean_live_subquery_is_not_walked(db: salsify.Database, rec: Recorder) -> None:
    a = Num(db, 1)
    flag = Flag(db, True)
    db.subscribe(plus_flag, a, flag, callback=lambda v: None)
    rec.clear()
    flag.on = False
    # plus_flag is walked (its first dependency is live and clean: validated without a
    # walk) and re-executes; parity_plus(a) is not walked and does not re-execute.
    assert rec.executed() == [("plus_flag", (a, flag))]
    assert rec.validated(deep=False) == [("parity_plus", (a,))]
    assert rec.validated(deep=True) == []


def test_dynamic_dependencies_follow_the_branch(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    flag = Flag(db, True)
    seen: list[int] = []
    db.subscribe(pick, flag, a, b, callback=seen.append)
    log.clear()
    b.value = 20  # not read: no execution at all
    assert log == []
    assert seen == []
    flag.on = False
    assert seen == [120]
    log.clear()
    a.value = 5  # the old branch: no longer listened to
    assert log == []
    assert seen == [120]
    b.value = 21
    assert seen == [120, 121]
    # pick -> flag.on, parity_plus(b); parity_plus(b) -> b.value
    assert db.live_edges() == 3


def test_callback_writing_inputs_runs_in_next_round(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    src = Num(db, 0)
    seen: list[tuple[str, int]] = []

    def copy(v: int) -> None:
        seen.append(("plain", v))
        a.value = v  # a write from a callback: processed in the next round

    db.subscribe(plain, src, callback=copy)
    db.subscribe(total, a, b, callback=lambda v: seen.append(("total", v)))
    rounds = db.live_stats().rounds
    src.value = 7
    assert seen == [("plain", 7), ("total", 9)]
    assert db.live_stats().rounds == rounds + 2


def test_rounds_are_bounded(db: salsify.Database) -> None:
    n = Num(db, 0)

    def bump(v: int) -> None:
        n.value = v + 1

    sub = db.subscribe(plain, n, callback=bump)
    with pytest.raises(salsify.SubscriptionLoopError, match="100 rounds"):
        n.value = 1
    sub.close()
    n.value = 0  # no longer live
    assert n.value == 0


def test_raising_callback_does_not_stop_others(db: salsify.Database) -> None:
    n = Num(db, 1)
    seen: list[int] = []

    def bad(v: int) -> None:
        raise ValueError(v)

    db.subscribe(plain, n, callback=bad)
    db.subscribe(plain, n, callback=seen.append)
    with pytest.raises(ValueError):
        n.value = 2
    assert seen == [2]


def test_raising_query_reports_and_recovers(db: salsify.Database) -> None:
    n = Num(db, 1)
    seen: list[float] = []

    @salsify.query
    def inverse(db: salsify.Database, n: Num) -> float:
        return 1 / n.value

    sub = db.subscribe(inverse, n, callback=seen.append)
    with pytest.raises(ZeroDivisionError):
        n.value = 0
    assert sub.value == 1.0
    n.value = 4
    assert seen == [0.25]


def test_subscribe_inside_a_query_is_refused(db: salsify.Database) -> None:
    n = Num(db, 1)

    @salsify.query
    def sneaky(db: salsify.Database, n: Num) -> int:
        db.subscribe(plain, n, callback=print)
        return 0

    with pytest.raises(salsify.MisuseError):
        sneaky(db, n)


def test_keyword_and_default_arguments(db: salsify.Database) -> None:
    n = Num(db, 2)

    @salsify.query
    def scaled(db: salsify.Database, n: Num, factor: int = 3) -> int:
        return n.value * factor

    seen: list[int] = []
    db.subscribe(scaled, n, callback=seen.append)
    db.subscribe(scaled, n=n, factor=3, callback=seen.append)
    assert db.live_stats().live_memos == 1
    n.value = 3
    assert seen == [9, 9]


def test_callback_handed_to_an_event_loop(db: salsify.Database) -> None:
    n = Num(db, 1)
    seen: list[tuple[int, bool]] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        on_loop = threading.get_ident()
        db.subscribe(
            plain,
            n,
            callback=lambda v: seen.append((v, on_loop == threading.get_ident())),
            loop=loop,
        )

        def writer() -> None:
            n.value = 2

        await loop.run_in_executor(None, writer)
        await asyncio.sleep(0)
        assert seen == [(2, True)]

    asyncio.run(main())


def test_callbacks_run_on_the_writing_thread(db: salsify.Database) -> None:
    n = Num(db, 1)
    threads: list[int] = []
    db.subscribe(plain, n, callback=lambda v: threads.append(threading.get_ident()))
    done: list[Any] = []

    def writer() -> None:
        n.value = 2
        done.append(threading.get_ident())

    t = threading.Thread(target=writer)
    t.start()
    t.join()
    assert threads == done


def test_a_batch_is_one_threads_transaction(db: salsify.Database) -> None:
    a, b = Num(db, 1), Num(db, 2)
    seen: list[int] = []
    db.subscribe(total, a, b, callback=seen.append)
    started = threading.Event()

    def other_writer() -> None:
        started.set()
        b.value = 100  # waits for the batch: must not flush it half-done

    with db.batch():
        a.value = 10
        t = threading.Thread(target=other_writer)
        t.start()
        started.wait()
        t.join(0.05)
        assert t.is_alive()  # blocked until the batch ends
        assert seen == []
        a.value = 20
    t.join()
    assert seen[0] == 22  # the batch's final state, before the other write
    assert seen[-1] == 120
