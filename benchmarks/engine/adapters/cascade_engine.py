"""query-cascade: an ``Engine`` whose ``@engine.query`` / ``@engine.input`` handles are
called with plain arguments (the engine is global to the handles, not passed).

Inputs are ``@engine.input`` functions keyed by their arguments, set with
``handle.set(*args, value)``. The default ``max_entries=10_000`` LRU bound is lifted so
it does not evict (and scan) during the shapes. No durability levels, no query methods.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from cascade import Engine

from benchmarks.engine.timing import call_loop, per_call_ns

N = 1000
DURABILITY = False


def _engine() -> Engine:
    return Engine(max_entries=10**9, trace_limit=1)


def cached() -> dict[str, Callable[[], float]]:
    engine = _engine()

    @engine.query
    def q1(a: int) -> int:
        return a

    @engine.query
    def q3(a: int, b: int, c: int) -> int:
        return a

    out: dict[str, Callable[[], float]] = {}
    tokens = itertools.count()
    for name, call in (("free_1", "q(1)"), ("free_3", "q(1, 2, 3)")):
        q = q1 if name == "free_1" else q3
        loop = call_loop(call, "q")
        loop(q, 1)
        out[name] = lambda loop=loop, q=q: per_call_ns(loop, (q,), N)
        body = call_loop(call.replace("q(", "inner("), "token", name=f"nested_{name}")
        body.__globals__["inner"] = q
        nested = engine.query(body)
        out[f"nested_{name}"] = lambda nested=nested: per_call_ns(nested, (next(tokens),), N)
    return out


class _Graph:
    edges = 0
    memos = 0

    def __init__(self) -> None:
        self.engine = engine = _engine()

        @engine.input
        def value(name: Any) -> int:
            return 0

        self.value = value
        self.other = 0

    def unrelated_write(self) -> None:
        self.other += 1
        self.value.set("other", self.other)


class Trees(_Graph):
    def __init__(self, roots: int) -> None:
        super().__init__()
        engine, value = self.engine, self.value

        @engine.query
        def leaf(i: int, j: int) -> int:
            return value(("src", i, j))

        @engine.query
        def branch(i: int, b: int) -> int:
            return leaf(i, 2 * b) + leaf(i, 2 * b + 1)

        @engine.query
        def root(i: int) -> int:
            return branch(i, 0) + branch(i, 1)

        self.root = root
        self.roots = roots
        self.gen = 0
        self._write()
        self.edges = roots * 10
        self.memos = roots * 7

    def _write(self) -> None:
        for i in range(self.roots):
            for j in range(4):
                self.value.set(("src", i, j), i + j + self.gen)

    def call(self) -> None:
        root = self.root
        for i in range(self.roots):
            root(i)

    def change_all(self) -> None:
        self.gen += 1
        self._write()


class Chain(_Graph):
    def __init__(self, length: int, cutoff: bool = False) -> None:
        super().__init__()
        engine, value = self.engine, self.value

        @engine.query
        def link(k: int) -> int:
            if k == 0:
                return value("head")
            return link(k - 1) + 1

        @engine.query
        def stage(k: int) -> int:
            if k == 1:
                return value("head") % 2
            return stage(k - 1)

        self.top = stage if cutoff else link
        self.arg = length if cutoff else length - 1
        self.length = self.edges = self.memos = length
        self.head = 0
        self.step = 2 if cutoff else 1
        value.set("head", 0)

    def call(self) -> None:
        self.top(self.arg)

    def change_all(self) -> None:
        self.head += self.step
        self.value.set("head", self.head)


class Fan(_Graph):
    def __init__(self, width: int) -> None:
        super().__init__()
        engine, value = self.engine, self.value

        @engine.query
        def fan_leaf(i: int) -> int:
            return value(("cell", i))

        @engine.query
        def fan(width: int) -> int:
            total = 0
            for i in range(width):
                total += fan_leaf(i)
            return total

        self.fan = fan
        self.width = width
        self.gen = 0
        self._write()
        self.edges = 2 * width
        self.memos = width + 1

    def _write(self) -> None:
        for i in range(self.width):
            self.value.set(("cell", i), i + self.gen)

    def call(self) -> None:
        self.fan(self.width)

    def change_all(self) -> None:
        self.gen += 1
        self._write()


class OneArg(_Graph):
    def __init__(self, count: int) -> None:
        super().__init__()

        @self.engine.query
        def small(i: int) -> int:
            return i & 7

        self.small = small
        self.count = self.memos = count

    def call(self) -> None:
        small = self.small
        for i in range(self.count):
            small(i)

    def change_all(self) -> None:
        pass


def trees(roots: int, high: bool) -> Trees:
    return Trees(roots)


def chain(length: int, high: bool) -> Chain:
    return Chain(length)


def fan_out(width: int, high: bool) -> Fan:
    return Fan(width)


def cutoff(length: int) -> Chain:
    return Chain(length, cutoff=True)


def one_arg(count: int) -> OneArg:
    return OneArg(count)
