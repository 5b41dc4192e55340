"""revlet: ``@tracked`` functions; inputs are ``db.input(value)`` handles whose
``.value`` reads are tracked. A query finds its database from its input arguments, or
from ``db.bind(query)`` for queries whose arguments are plain values (all of ours, to
keep the shapes identical). No durability levels; no query methods on a database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from revlet import Database, tracked

from benchmarks.engine.timing import call_loop, per_call_ns

N = 1000
DURABILITY = False


@tracked
def q1(a: int) -> int:
    return a


@tracked
def q3(a: int, b: int, c: int) -> int:
    return a


def cached() -> dict[str, Callable[[], float]]:
    db = Database()
    b1, b3 = db.bind(q1), db.bind(q3)
    out: dict[str, Callable[[], float]] = {}
    tokens = itertools.count()
    for name, call, bound in (("free_1", "q(1)", b1), ("free_3", "q(1, 2, 3)", b3)):
        loop = call_loop(call, "q")
        loop(bound, 1)
        out[name] = lambda loop=loop, bound=bound: per_call_ns(loop, (bound,), N)
        body = call_loop(call.replace("q(", "inner("), "token", name=f"nested_{name}")
        body.__globals__["inner"] = q1 if name == "free_1" else q3
        nested = db.bind(tracked(body))
        out[f"nested_{name}"] = lambda nested=nested: per_call_ns(nested, (next(tokens),), N)
    return out


class _Graph:
    edges = 0
    memos = 0

    def __init__(self) -> None:
        self.db = Database()
        self.other = self.db.input(0)

    def unrelated_write(self) -> None:
        self.other.value += 1


class Trees(_Graph):
    def __init__(self, roots: int) -> None:
        super().__init__()
        sources = [[self.db.input(i + j) for j in range(4)] for i in range(roots)]
        self.sources = sources

        @tracked
        def leaf(i: int, j: int) -> int:
            return sources[i][j].value

        @tracked
        def branch(i: int, b: int) -> int:
            return leaf(i, 2 * b) + leaf(i, 2 * b + 1)

        @tracked
        def root(i: int) -> int:
            return branch(i, 0) + branch(i, 1)

        self.root = self.db.bind(root)
        self.roots = roots
        self.edges = roots * 10
        self.memos = roots * 7

    def call(self) -> None:
        root = self.root
        for i in range(self.roots):
            root(i)

    def change_all(self) -> None:
        for cells in self.sources:
            with self.db.write():
                for cell in cells:
                    cell.value += 1


class Chain(_Graph):
    def __init__(self, length: int, cutoff: bool = False) -> None:
        super().__init__()
        head = self.head = self.db.input(0)

        @tracked
        def link(k: int) -> int:
            if k == 0:
                return head.value
            return link(k - 1) + 1

        @tracked
        def stage(k: int) -> int:
            if k == 1:
                return head.value % 2
            return stage(k - 1)

        self.top = self.db.bind(stage if cutoff else link)
        self.arg = length if cutoff else length - 1
        self.step = 2 if cutoff else 1
        self.length = self.edges = self.memos = length

    def call(self) -> None:
        self.top(self.arg)

    def change_all(self) -> None:
        self.head.value += self.step


class Fan(_Graph):
    def __init__(self, width: int) -> None:
        super().__init__()
        cells = self.cells = [self.db.input(i) for i in range(width)]

        @tracked
        def fan_leaf(i: int) -> int:
            return cells[i].value

        @tracked
        def fan(width: int) -> int:
            total = 0
            for i in range(width):
                total += fan_leaf(i)
            return total

        self.fan = self.db.bind(fan)
        self.width = width
        self.edges = 2 * width
        self.memos = width + 1

    def call(self) -> None:
        self.fan(self.width)

    def change_all(self) -> None:
        for cell in self.cells:
            cell.value += 1


@tracked
def small(i: int) -> int:
    return i & 7


class OneArg(_Graph):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.small = self.db.bind(small)
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
