"""Threads: one execution per call, waiting, owner failure, cancellation, asyncio."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

import salsify

TIMEOUT = 10.0


@salsify.input
class Cell:
    name: str = salsify.field(key=True)
    value: int


def run_thread(target: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def main() -> None:
        try:
            out["value"] = target()
        except BaseException as error:  # the test inspects it
            out["error"] = error

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    return thread, out


def join(thread: threading.Thread) -> None:
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "thread hung"


def assert_clean(db: salsify.Database) -> None:
    """No claim, running call or frame is left behind."""
    assert all(not state.claims for state in db._states)
    assert not db._active and not db._in_query and not db._waiting


def test_same_key_from_two_threads_runs_the_body_once() -> None:
    db = salsify.Database()
    cell = Cell(db, name="a", value=20)
    started = threading.Event()
    release = threading.Event()
    runs: list[int] = []
    blocked = threading.Event()
    db.on_event(lambda e: blocked.set() if isinstance(e, salsify.Blocked) else None)

    @salsify.query
    def slow(db: salsify.Database, c: Cell) -> int:
        runs.append(1)
        started.set()
        release.wait(TIMEOUT)
        return c.value + 1

    first, out1 = run_thread(lambda: slow(db, cell))
    started.wait(TIMEOUT)
    second, out2 = run_thread(lambda: slow(db, cell))
    assert blocked.wait(TIMEOUT)
    release.set()
    join(first)
    join(second)
    assert out1 == {"value": 21} and out2 == {"value": 21}
    assert runs == [1]
    assert_clean(db)


def test_owner_failure_propagates_to_the_waiter() -> None:
    db = salsify.Database()
    started = threading.Event()
    release = threading.Event()
    blocked = threading.Event()
    db.on_event(lambda e: blocked.set() if isinstance(e, salsify.Blocked) else None)

    @salsify.query
    def failing(db: salsify.Database, n: int) -> int:
        started.set()
        release.wait(TIMEOUT)
        raise ValueError(f"boom {n}")

    first, out1 = run_thread(lambda: failing(db, 1))
    started.wait(TIMEOUT)
    second, out2 = run_thread(lambda: failing(db, 1))
    assert blocked.wait(TIMEOUT)
    release.set()
    join(first)
    join(second)
    assert isinstance(out1["error"], ValueError)
    assert isinstance(out2["error"], ValueError)
    assert "boom 1" in str(out2["error"])
    assert_clean(db)


def test_a_write_cancels_a_running_reader_whose_next_query_never_runs() -> None:
    db = salsify.Database()
    cell = Cell(db, name="a", value=1)
    started = threading.Event()
    cancel_seen = threading.Event()
    inner_runs: list[int] = []
    events: list[salsify.Event] = []

    def on_event(event: salsify.Event) -> None:
        events.append(event)
        if isinstance(event, salsify.CancellationRequested):
            cancel_seen.set()

    db.on_event(on_event)

    @salsify.query
    def inner(db: salsify.Database, c: Cell) -> int:
        inner_runs.append(c.value)
        return c.value

    @salsify.query
    def outer(db: salsify.Database, c: Cell) -> int:
        started.set()
        assert cancel_seen.wait(TIMEOUT)
        return inner(db, c) * 10  # raises Cancelled before inner's body runs

    reader, out = run_thread(lambda: outer(db, cell))
    started.wait(TIMEOUT)
    cell.value = 2  # waits for the reader to unwind, then applies
    join(reader)
    assert isinstance(out["error"], salsify.Cancelled)
    assert inner_runs == []
    cancel_index = next(
        i for i, e in enumerate(events) if isinstance(e, salsify.CancellationRequested)
    )
    assert not any(isinstance(e, salsify.Executed) for e in events[cancel_index:])
    assert outer(db, cell) == 20
    assert_clean(db)


def test_cancelled_work_leaves_earlier_memos_intact() -> None:
    db = salsify.Database()
    cell = Cell(db, name="a", value=1)
    other = Cell(db, name="b", value=5)
    gate = threading.Event()
    started = threading.Event()
    runs: list[str] = []

    @salsify.query
    def stable(db: salsify.Database, c: Cell) -> int:
        runs.append("stable")
        return c.value

    @salsify.query
    def waits(db: salsify.Database, c: Cell) -> int:
        base = stable(db, c)
        started.set()
        gate.wait(TIMEOUT)
        db.unwind_if_cancelled()
        return base

    assert stable(db, cell) == 1
    reader, out = run_thread(lambda: waits(db, cell))
    started.wait(TIMEOUT)
    writer, _ = run_thread(lambda: setattr(other, "value", 6))
    while not db._cancel_requested:
        pass
    gate.set()
    join(reader)
    join(writer)
    assert isinstance(out["error"], salsify.Cancelled)
    runs.clear()
    assert stable(db, cell) == 1 and runs == []  # verified, not re-executed
    assert_clean(db)


def test_cross_thread_cycle_raises_in_both_threads_without_deadlock() -> None:
    db = salsify.Database()
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    @salsify.query
    def left(db: salsify.Database) -> int:
        barrier.wait()
        return right(db) + 1

    @salsify.query
    def right(db: salsify.Database) -> int:
        barrier.wait()
        return left(db) + 1

    first, out1 = run_thread(lambda: left(db))
    second, out2 = run_thread(lambda: right(db))
    join(first)
    join(second)
    assert isinstance(out1.get("error"), salsify.CycleError), out1
    assert isinstance(out2.get("error"), salsify.CycleError), out2
    assert_clean(db)


def test_asyncio_call_returns_the_value_and_a_write_cancels_it() -> None:
    db = salsify.Database()
    cell = Cell(db, name="a", value=3)
    started = threading.Event()
    proceed = threading.Event()

    @salsify.query
    def double(db: salsify.Database, c: Cell) -> int:
        return c.value * 2

    @salsify.query
    def blocking(db: salsify.Database, c: Cell) -> int:
        started.set()
        proceed.wait(TIMEOUT)
        return double(db, c)

    async def scenario() -> None:
        assert await salsify.aio.call(db, double, cell) == 6
        task = asyncio.ensure_future(salsify.aio.call(db, blocking, cell))
        await asyncio.to_thread(started.wait, TIMEOUT)
        write = asyncio.ensure_future(asyncio.to_thread(setattr, cell, "value", 4))
        await asyncio.to_thread(lambda: _wait_for(lambda: db._cancel_requested))
        proceed.set()
        with pytest.raises(salsify.Cancelled):
            await asyncio.wait_for(task, TIMEOUT)
        await asyncio.wait_for(write, TIMEOUT)
        assert await salsify.aio.call(db, double, cell) == 8

    asyncio.run(scenario())
    assert_clean(db)


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = threading.Event()
    for _ in range(int(TIMEOUT / 0.005)):
        if condition():
            return
        deadline.wait(0.005)
    raise AssertionError("condition never held")


def test_cancelling_the_awaiting_task_cancels_the_call_and_a_waiter_takes_over() -> None:
    db = salsify.Database()
    cell = Cell(db, name="a", value=7)
    started = threading.Event()
    proceed = threading.Event()
    blocked = threading.Event()
    runs: list[int] = []
    after: list[int] = []
    db.on_event(lambda e: blocked.set() if isinstance(e, salsify.Blocked) else None)

    @salsify.query
    def leaf(db: salsify.Database, c: Cell) -> int:
        return c.value

    @salsify.query
    def long(db: salsify.Database, c: Cell) -> int:
        runs.append(1)
        started.set()
        proceed.wait(TIMEOUT)
        value = leaf(db, c)  # a cancelled call raises here
        after.append(value)
        return value + 1

    async def scenario() -> dict[str, Any]:
        task = asyncio.ensure_future(salsify.aio.call(db, long, cell))
        await asyncio.to_thread(started.wait, TIMEOUT)
        waiter, out = run_thread(lambda: long(db, cell))
        await asyncio.to_thread(blocked.wait, TIMEOUT)
        task.cancel()
        await asyncio.to_thread(lambda: _wait_for(lambda: bool(db._cancelled_threads)))
        proceed.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.to_thread(join, waiter)
        return out

    out = asyncio.run(scenario())
    assert out == {"value": 8}
    assert runs == [1, 1]  # the cancelled attempt, then the waiter's own
    assert after == [7]  # only the waiter got past its next query call
    assert_clean(db)
    assert not db._cancelled_threads


def test_stress_readers_and_a_writer_agree_with_recomputation() -> None:
    rng = random.Random(1234)
    db = salsify.Database()
    n_inputs, n_queries = 8, 40
    cells = [Cell(db, name=f"c{i}", value=rng.randrange(10)) for i in range(n_inputs)]
    shape = []
    for q in range(n_queries):
        reads = [("i", rng.randrange(n_inputs))]
        for _ in range(rng.randrange(3)):
            if q and rng.random() < 0.7:
                reads.append(("q", rng.randrange(q)))
            else:
                reads.append(("i", rng.randrange(n_inputs)))
        shape.append((reads, rng.randrange(n_inputs)))

    @salsify.query
    def node(db: salsify.Database, q: int) -> int:
        reads, switch = shape[q]
        total = 0
        for kind, j in reads:
            if kind == "i":
                total += cells[j].value
            elif cells[switch].value % 3:  # a conditional dependency
                total += node(db, j)
        return total % 1000

    def recompute(values: tuple[int, ...], q: int, memo: dict[int, int]) -> int:
        if q not in memo:
            reads, switch = shape[q]
            total = 0
            for kind, j in reads:
                if kind == "i":
                    total += values[j]
                elif values[switch] % 3:
                    total += recompute(values, j, memo)
            memo[q] = total % 1000
        return memo[q]

    snapshots = {db.revision: tuple(c.value for c in cells)}
    observed: list[tuple[int, int, int]] = []
    done = threading.Event()
    lock = threading.Lock()

    def reader(seed: int) -> None:
        local_rng = random.Random(seed)
        while not done.is_set():
            q = local_rng.randrange(n_queries)
            before = db.revision
            try:
                value = node(db, q)
            except salsify.Cancelled:
                continue
            if db.revision == before:
                with lock:
                    observed.append((before, q, value))

    readers = [threading.Thread(target=reader, args=(s,), daemon=True) for s in range(4)]
    for thread in readers:
        thread.start()
    for _ in range(500):
        cell = cells[rng.randrange(n_inputs)]
        cell.value = rng.randrange(10)
        snapshots[db.revision] = tuple(c.value for c in cells)
    done.set()
    for thread in readers:
        join(thread)
    assert observed, "readers observed nothing"
    recomputed: dict[int, dict[int, int]] = {}
    for revision, q, value in observed:
        memo = recomputed.setdefault(revision, {})
        assert value == recompute(snapshots[revision], q, memo), (revision, q)
    assert_clean(db)
