"""The kairo cases of js-reactivity-benchmark: each builds a graph and returns one iteration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .frameworks import Framework

Case = Callable[[Framework], Callable[[], None]]


def _check(value: Any, expected: Any) -> None:
    if value != expected:
        raise AssertionError(f"got {value!r}, expected {expected!r}")


def avoidable(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    c1 = fw.computed(lambda: head())
    c2 = fw.computed(lambda: (c1(), 0)[1])
    c3 = fw.computed(lambda: c2() + 1)
    c4 = fw.computed(lambda: c3() + 2)
    c5 = fw.computed(lambda: c4() + 3)
    fw.effect(lambda: c5())

    def run() -> None:
        head.set(1)
        _check(c5(), 6)
        for i in range(1000):
            with fw.batch():
                head.set(i)
                _check(c5(), 6)

    return run


def broad(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    last: Any = head
    for i in range(50):
        cur = fw.computed(lambda i=i: head() + i)
        cur2 = fw.computed(lambda cur=cur: cur() + 1)
        fw.effect(lambda cur2=cur2: cur2())
        last = cur2

    def run() -> None:
        with fw.batch():
            head.set(1)
        for i in range(50):
            with fw.batch():
                head.set(i)
            _check(last(), i + 50)

    return run


def deep(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    cur: Any = head
    for _ in range(50):
        cur = fw.computed(lambda c=cur: c() + 1)
    end = cur
    fw.effect(lambda: end())

    def run() -> None:
        with fw.batch():
            head.set(1)
        for i in range(50):
            with fw.batch():
                head.set(i)
            _check(end(), 50 + i)

    return run


def diamond(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    cur = [fw.computed(lambda: head() + 1) for _ in range(5)]
    total = fw.computed(lambda: sum(x() for x in cur))
    fw.effect(lambda: total())

    def run() -> None:
        with fw.batch():
            head.set(1)
        _check(total(), 10)
        for i in range(500):
            with fw.batch():
                head.set(i)
            _check(total(), (i + 1) * 5)

    return run


def mux(fw: Framework) -> Callable[[], None]:
    heads = [fw.signal(0) for _ in range(100)]
    mx = fw.computed(lambda: dict(enumerate(h() for h in heads)))
    split = [fw.computed(lambda i=i: mx()[i]) for i in range(100)]
    plus = [fw.computed(lambda x=x: x() + 1) for x in split]
    for x in plus:
        fw.effect(lambda x=x: x())

    def run() -> None:
        for i in range(10):
            heads[i].set(i)
            _check(plus[i](), i + 1)
        for i in range(10):
            heads[i].set(i * 2)
            _check(plus[i](), i * 2 + 1)

    return run


def repeated(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    cur = fw.computed(lambda: sum(head() for _ in range(30)))
    fw.effect(lambda: cur())

    def run() -> None:
        with fw.batch():
            head.set(1)
        _check(cur(), 30)
        for i in range(100):
            with fw.batch():
                head.set(i)
            _check(cur(), i * 30)

    return run


def triangle(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    cur: Any = head
    items: list[Any] = []
    for _ in range(10):
        items.append(cur)
        cur = fw.computed(lambda c=cur: c() + 1)
    total = fw.computed(lambda: sum(x() for x in items))
    fw.effect(lambda: total())

    def run() -> None:
        constant = 55
        with fw.batch():
            head.set(1)
            _check(total(), constant)
        for i in range(100):
            with fw.batch():
                head.set(i)
                _check(total(), constant - 10 + i * 10)

    return run


def unstable(fw: Framework) -> Callable[[], None]:
    head = fw.signal(0)
    double = fw.computed(lambda: head() * 2)
    inverse = fw.computed(lambda: -head())

    def current_fn() -> int:
        result = 0
        for _ in range(20):
            result += double() if head() % 2 else inverse()
        return result

    cur = fw.computed(current_fn)
    fw.effect(lambda: cur())

    def run() -> None:
        with fw.batch():
            head.set(1)
        _check(cur(), 40)
        for i in range(100):
            with fw.batch():
                head.set(i)

    return run


CASES: dict[str, Case] = {
    "avoidablePropagation": avoidable,
    "broadPropagation": broad,
    "deepPropagation": deep,
    "diamond": diamond,
    "mux": mux,
    "repeatedObservers": repeated,
    "triangle": triangle,
    "unstable": unstable,
}
