"""Classic graph shapes with exact run counts."""

from __future__ import annotations

from salsify.signals import batch, computed, effect, signal


def test_computed_is_lazy_and_cached() -> None:
    runs = []
    a = signal(1)
    c = computed(lambda: runs.append(1) or a() * 2)
    assert runs == []
    assert c() == 2 and c.value == 2 and c.peek() == 2
    assert len(runs) == 1
    a.set(5)
    assert len(runs) == 1  # still lazy after a write
    assert c() == 10
    assert len(runs) == 2


def test_signal_api() -> None:
    s = signal(1)
    assert s() == 1 and s.value == 1 and s.peek() == 1
    s.set(2)
    s.update(lambda v: v + 10)
    assert s() == 12
    s.value = 3
    assert s.value == 3


def test_a_b_a_drop() -> None:
    # A -> B -> A: the effect reads a and b (= a derived); one run per write.
    a = signal(2)
    b = computed(lambda: a() - 1)
    c = computed(lambda: a() + b())
    runs: list[int] = []
    effect(lambda: runs.append(c()))
    a.set(4)
    assert runs == [3, 7]


def test_diamond_runs_once() -> None:
    a = signal("a")
    b = computed(lambda: a())
    c = computed(lambda: a())
    d_runs = []

    def d_fn() -> str:
        d_runs.append(1)
        return b() + " " + c()

    d = computed(d_fn)
    seen: list[str] = []
    effect(lambda: seen.append(d()))
    a.set("aa")
    assert seen == ["a a", "aa aa"]
    assert len(d_runs) == 2


def test_jagged_diamond_with_tails() -> None:
    a = signal(1)
    b = computed(lambda: a())
    c = computed(lambda: a())
    d = computed(lambda: c())
    order: list[str] = []

    def e_fn() -> int:
        order.append("e")
        return b() + d()

    e = computed(e_fn)

    def f_fn() -> int:
        order.append("f")
        return e()

    def g_fn() -> int:
        order.append("g")
        return e()

    f = computed(f_fn)
    g = computed(g_fn)
    effect(lambda: (f(), g()))
    assert order == ["f", "e", "g"]
    order.clear()
    a.set(4)
    assert order == ["e", "f", "g"]  # each once, sources first (pull walks deepest first)
    assert f() == 8 and g() == 8
    order.clear()
    a.set(2)
    assert order == ["e", "f", "g"]


def test_bail_out_on_equal_result() -> None:
    a = signal("a")
    b = computed(lambda: (a(), "foo")[1])
    runs = []

    def c_fn() -> str:
        runs.append(1)
        return b()

    c = computed(c_fn)
    fx: list[str] = []
    effect(lambda: fx.append(c()))
    assert len(runs) == 1
    a.set("aa")
    assert len(runs) == 1  # b recomputed to the same value: c and the effect bail out
    assert fx == ["foo"]


def test_dynamic_dependencies_switch_branches() -> None:
    cond = signal(True)
    left = signal("L")
    right = signal("R")
    runs = []

    def pick() -> str:
        runs.append(1)
        return left() if cond() else right()

    c = computed(pick)
    seen: list[str] = []
    effect(lambda: seen.append(c()))
    right.set("R2")  # not read yet
    assert len(runs) == 1
    cond.set(False)
    assert seen == ["L", "R2"]
    left.set("L2")  # old branch: dropped edge, nothing re-runs
    assert len(runs) == 2
    assert seen == ["L", "R2"]
    right.set("R3")
    assert seen == ["L", "R2", "R3"]
    assert left.subs is None  # the stale link was unlinked


def test_abandoned_computed_branch_stops_tracking() -> None:
    cond = signal(True)
    a = signal(1)
    inner_runs = []

    def inner_fn() -> int:
        inner_runs.append(1)
        return a() * 2

    inner = computed(inner_fn)
    outer = computed(lambda: inner() if cond() else 0)
    effect(lambda: outer())
    cond.set(False)
    n = len(inner_runs)
    a.set(2)
    a.set(3)
    assert len(inner_runs) == n  # nobody reads inner any more: it is not recomputed
    assert a.subs is None
    cond.set(True)
    assert outer() == 6


def test_computed_chain_only_recomputes_changed() -> None:
    a = signal(1)
    b = signal(10)
    runs = {"x": 0, "y": 0}

    def x_fn() -> int:
        runs["x"] += 1
        return a() + 1

    def y_fn() -> int:
        runs["y"] += 1
        return b() + 1

    x = computed(x_fn)
    y = computed(y_fn)
    z = computed(lambda: x() + y())
    assert z() == 13
    a.set(2)
    assert z() == 14
    assert runs == {"x": 2, "y": 1}


def test_custom_equals() -> None:
    s = signal([1], equals=lambda a, b: len(a) == len(b))
    runs: list[list[int]] = []
    effect(lambda: runs.append(s()))
    s.set([2])
    assert len(runs) == 1
    s.set([1, 2])
    assert len(runs) == 2
    c = computed(lambda: s()[0], equals=lambda a, b: True)
    assert c() == 1
    s.set([3, 4, 5])
    assert c() == 1  # equals says "same": keeps the old value


def test_nan_equality() -> None:
    s = signal(float("nan"))
    runs: list[float] = []
    effect(lambda: runs.append(s()))
    s.set(float("nan"))
    assert len(runs) == 1
    c = computed(lambda: s() * 0)
    fx: list[float] = []
    effect(lambda: fx.append(c()))
    s.set(1.0)
    s.set(float("nan"))
    assert len(runs) == 3


def test_identity_shortcut_for_objects_without_eq() -> None:
    class Weird:
        def __eq__(self, other: object) -> bool:
            return False

        __hash__ = object.__hash__

    w = Weird()
    s = signal(w)
    runs: list[object] = []
    effect(lambda: runs.append(s()))
    s.set(w)
    assert len(runs) == 1
    s.set(Weird())
    assert len(runs) == 2


def test_untracked() -> None:
    from salsify.signals import untracked

    a = signal(1)
    b = signal(1)
    runs: list[int] = []
    effect(lambda: runs.append(a() + untracked(b) + b.peek()))
    b.set(2)
    assert runs == [3]
    a.set(2)
    assert runs == [3, 6]


def test_batch_reads_see_writes_and_flush_once() -> None:
    a = signal(1)
    b = computed(lambda: a() * 10)
    runs: list[int] = []
    effect(lambda: runs.append(b()))
    with batch():
        a.set(2)
        assert a() == 2 and b() == 20
        with batch():
            a.set(3)
        assert runs == [10]  # inner batch end does not flush
        a.set(4)
    assert runs == [10, 40]


def test_effect_created_in_batch_runs_immediately() -> None:
    a = signal(1)
    runs: list[int] = []
    with batch():
        a.set(2)
        effect(lambda: runs.append(a()))
        assert runs == [2]
        a.set(3)
        assert runs == [2]
    assert runs == [2, 3]


def test_throwing_batch_still_flushes() -> None:
    a = signal(1)
    runs: list[int] = []
    effect(lambda: runs.append(a()))
    try:
        with batch():
            a.set(2)
            raise ValueError("boom")
    except ValueError:
        pass
    assert runs == [1, 2]
    a.set(3)  # the lock was released and the depth restored
    assert runs == [1, 2, 3]
