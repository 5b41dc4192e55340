"""Effects: cleanups, ownership, errors, cycles, threads."""

from __future__ import annotations

import threading

import pytest

from salsify.errors import CycleError
from salsify.signals import batch, computed, effect, signal


def test_effect_cleanup_order_and_dispose() -> None:
    a = signal(1)
    log: list[str] = []

    def fx() -> object:
        v = a()
        log.append(f"run {v}")
        return lambda: log.append(f"cleanup {v}")

    dispose = effect(fx)
    a.set(2)
    dispose()
    a.set(3)
    assert log == ["run 1", "cleanup 1", "run 2", "cleanup 2"]
    assert a.subs is None
    dispose()  # idempotent
    assert log[-1] == "cleanup 2"


def test_non_callable_return_is_not_a_cleanup() -> None:
    a = signal(1)
    effect(lambda: a() + 1)  # returns an int: ignored
    a.set(2)


def test_cleanup_is_untracked() -> None:
    a = signal(1)
    b = signal(1)
    runs: list[int] = []

    def fx() -> object:
        runs.append(a())
        return lambda: b()

    effect(fx)
    a.set(2)  # cleanup reads b while not tracking
    b.set(5)
    assert runs == [1, 2]


def test_nested_effects_owned_and_cleaned_inner_first() -> None:
    outer_sig = signal(0)
    inner_sig = signal(0)
    log: list[str] = []

    def inner() -> object:
        v = inner_sig()
        log.append(f"inner {v}")
        return lambda: log.append(f"inner cleanup {v}")

    def outer() -> object:
        v = outer_sig()
        log.append(f"outer {v}")
        effect(inner)
        return lambda: log.append(f"outer cleanup {v}")

    dispose = effect(outer)
    assert log == ["outer 0", "inner 0"]
    log.clear()
    inner_sig.set(1)  # only the inner effect re-runs
    assert log == ["inner cleanup 0", "inner 1"]
    log.clear()
    outer_sig.set(1)  # outer re-run disposes the old inner (inner first), makes a new one
    assert log == ["inner cleanup 1", "outer cleanup 0", "outer 1", "inner 1"]
    log.clear()
    with batch():  # both dirty: the owner runs first, the old inner never re-runs
        outer_sig.set(2)
        inner_sig.set(2)
    assert log == ["inner cleanup 1", "outer cleanup 1", "outer 2", "inner 2"]
    log.clear()
    dispose()
    assert log == ["inner cleanup 2", "outer cleanup 2"]
    log.clear()
    inner_sig.set(3)
    outer_sig.set(3)
    assert log == []


def test_three_level_nesting_disposes_innermost_first() -> None:
    s = signal(0)
    log: list[str] = []

    def level(name: str, child: object) -> object:
        def fx() -> object:
            log.append(name)
            if callable(child):
                effect(child)
            return lambda: log.append(f"~{name}")

        return fx

    dispose = effect(level("a", level("b", level("c", None))))  # type: ignore[arg-type]
    s.set(1)
    dispose()
    assert log == ["a", "b", "c", "~c", "~b", "~a"]


def test_computed_error_is_cached_until_a_dependency_changes() -> None:
    a = signal(0)
    runs = []

    def fn() -> float:
        runs.append(1)
        return 1 / a()

    c = computed(fn)
    for _ in range(3):
        with pytest.raises(ZeroDivisionError):
            c()
    assert len(runs) == 1
    a.set(2)
    assert c() == 0.5
    assert len(runs) == 2
    a.set(0)
    with pytest.raises(ZeroDivisionError):
        c.peek()


def test_error_propagates_through_computeds_and_recovers() -> None:
    a = signal(0)
    b = computed(lambda: 10 // a())
    c = computed(lambda: b() + 1)
    with pytest.raises(ZeroDivisionError):
        c()
    a.set(5)
    assert c() == 3


def test_computed_cycle_raises_cycle_error() -> None:
    holder: dict[str, object] = {}
    a = computed(lambda: holder["b"]())  # type: ignore[operator]
    b = computed(lambda: a())
    holder["b"] = b
    with pytest.raises(CycleError):
        a()
    with pytest.raises(CycleError):
        b()


def test_self_reading_computed_is_a_cycle() -> None:
    box: list[object] = []
    c = computed(lambda: box[0]() + 1)  # type: ignore[operator]
    box.append(c)
    with pytest.raises(CycleError):
        c()


def test_effect_first_error_is_reraised_and_effect_stays_subscribed() -> None:
    a = signal(0)
    runs: list[int] = []

    def fx() -> None:
        runs.append(a())
        if a() == 0:
            raise RuntimeError("first")

    with pytest.raises(RuntimeError, match="first"):
        effect(fx)
    a.set(1)
    assert runs == [0, 1]


def test_flush_continues_past_raising_effect_and_reraises_first() -> None:
    a = signal(0)
    log: list[str] = []

    def bad(name: str) -> object:
        def fx() -> None:
            v = a()
            log.append(name)
            if v:
                raise ValueError(name)

        return fx

    effect(bad("one"))
    effect(lambda: log.append(f"good {a()}"))
    effect(bad("two"))
    log.clear()
    with pytest.raises(ValueError, match="one"):
        a.set(1)
    assert log == ["one", "good 1", "two"]
    log.clear()
    with pytest.raises(ValueError, match="one"):
        a.set(2)  # the state is sane afterwards: everything re-runs again
    assert log == ["one", "good 2", "two"]


def test_effect_writing_what_it_reads_converges() -> None:
    s = signal(0)
    runs: list[int] = []

    def fx() -> None:
        v = s()
        runs.append(v)
        if v < 10:
            s.set(v + 1)

    effect(fx)
    assert runs == list(range(11))
    s.set(0)
    assert runs[-1] == 10 and len(runs) == 22


def test_effect_self_loop_raises_cycle_error_after_100() -> None:
    s = signal(0)
    runs: list[int] = []

    def fx() -> None:
        runs.append(s())
        s.set(s() + 1)

    with pytest.raises(CycleError):
        effect(fx)
    assert len(runs) == 101  # the first run plus 100 re-runs
    # Still alive: a later write runs it again (and it loops again).
    runs.clear()
    with pytest.raises(CycleError):
        s.set(-1000)
    assert len(runs) == 101


def test_two_effects_ping_pong_is_a_cycle() -> None:
    a = signal(0)
    b = signal(0)
    effect(lambda: b.set(a() + 1))
    with pytest.raises(CycleError):
        effect(lambda: a.set(b() + 1))


def test_threads_writing_under_the_lock_do_not_corrupt() -> None:
    sources = [signal(0) for _ in range(4)]
    total = computed(lambda: sum(s() for s in sources))
    doubled = computed(lambda: total() * 2)
    seen: list[int] = []
    effect(lambda: seen.append(doubled()))
    n = 300

    def writer(k: int) -> None:
        for i in range(1, n + 1):
            with batch():
                sources[k].set(i)
                sources[(k + 1) % 4].update(lambda v: v)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()
    assert total() == 4 * n
    assert doubled() == 8 * n
    assert seen[-1] == 8 * n
    assert seen == sorted(seen)  # every flush saw a consistent, growing state


def test_reader_thread_outside_computations_never_links() -> None:
    a = signal(1)
    c = computed(lambda: a() + 1)
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                assert c() >= 2
                a()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    runs: list[int] = []
    effect(lambda: runs.append(c()))
    for i in range(2, 200):
        a.set(i)
    stop.set()
    t.join(timeout=30)
    assert not t.is_alive()
    assert errors == []
    assert runs == [i + 1 for i in range(1, 200)]
    # Only the computed links to a, only the effect links to c.
    assert a.subs is not None and a.subs.next_sub is None
    assert c.subs is not None and c.subs.next_sub is None
