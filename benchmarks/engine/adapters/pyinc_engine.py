"""pyinc (stdlib-only, correctness-first): queries are ``@query def f(db, *args)``.

Inputs are ``Input(key)`` objects named by a string; their values live in each
``Database``. Measured in ``mode="fast"``, its fastest mode. No durability levels and no
query methods.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from pyinc import Database, Input, query

from benchmarks.engine.shapes import NotExpressible
from benchmarks.engine.timing import call_loop, per_call_ns

N = 300
DURABILITY = False


def inp(name: str) -> Input[int]:
    # pyinc refuses queries that capture a cache (mutable ambient state), so inputs are
    # built by name on each read: Input is keyed by its string.
    return Input(name)


@query
def q1(db: Database, a: int) -> int:
    return a


@query
def q3(db: Database, a: int, b: int, c: int) -> int:
    return a


@query
def nested_1(db: Database, token: int, n: int) -> int:
    for _ in range(n):
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
        q1(db, 1)
    return 0


@query
def nested_3(db: Database, token: int, n: int) -> int:
    for _ in range(n):
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
        q3(db, 1, 2, 3)
    return 0


def cached() -> dict[str, Callable[[], float]]:
    db = Database(mode="fast")
    tokens = itertools.count()
    loop1 = call_loop("q1(db, 1)", "db, q1")
    loop3 = call_loop("q3(db, 1, 2, 3)", "db, q3")
    q1(db, 1)
    q3(db, 1, 2, 3)
    return {
        "free_1": lambda: per_call_ns(loop1, (db, q1), N),
        "free_3": lambda: per_call_ns(loop3, (db, q3), N),
        "nested_free_1": lambda: per_call_ns(nested_1, (db, next(tokens)), N),
        "nested_free_3": lambda: per_call_ns(nested_3, (db, next(tokens)), N),
    }


@query
def leaf(db: Database, i: int, j: int) -> int:
    return inp(f"src.{i}.{j}").read(db)


@query
def branch(db: Database, i: int, b: int) -> int:
    return leaf(db, i, 2 * b) + leaf(db, i, 2 * b + 1)


@query
def root(db: Database, i: int) -> int:
    return branch(db, i, 0) + branch(db, i, 1)


@query
def link(db: Database, k: int) -> int:
    if k == 0:
        return inp("head").read(db)
    return link(db, k - 1) + 1


@query
def fan_leaf(db: Database, i: int) -> int:
    return inp(f"cell.{i}").read(db)


@query
def fan(db: Database, width: int) -> int:
    total = 0
    for i in range(width):
        total += fan_leaf(db, i)
    return total


@query
def stage(db: Database, k: int) -> int:
    if k == 1:
        return inp("head").read(db) % 2
    return stage(db, k - 1)


@query
def small(db: Database, i: int) -> int:
    return i & 7


class _Graph:
    edges = 0
    memos = 0

    def __init__(self) -> None:
        self.db = Database(mode="fast")
        self.other = 0
        self.db.set(inp("other"), 0)

    def unrelated_write(self) -> None:
        self.other += 1
        self.db.set(inp("other"), self.other)


class Trees(_Graph):
    def __init__(self, roots: int) -> None:
        super().__init__()
        self.roots = roots
        self.gen = 0
        self._write()
        self.edges = roots * 10
        self.memos = roots * 7

    def _write(self) -> None:
        for i in range(self.roots):
            for j in range(4):
                self.db.set(inp(f"src.{i}.{j}"), i + j + self.gen)

    def call(self) -> None:
        db = self.db
        for i in range(self.roots):
            root(db, i)

    def change_all(self) -> None:
        self.gen += 1
        self._write()


class Chain(_Graph):
    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = self.edges = self.memos = length
        self.head = 0
        self.db.set(inp("head"), 0)

    def call(self) -> None:
        link(self.db, self.length - 1)

    def change_all(self) -> None:
        self.head += 1
        self.db.set(inp("head"), self.head)


class Fan(_Graph):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width
        self.gen = 0
        self._write()
        self.edges = 2 * width
        self.memos = width + 1

    def _write(self) -> None:
        for i in range(self.width):
            self.db.set(inp(f"cell.{i}"), i + self.gen)

    def call(self) -> None:
        fan(self.db, self.width)

    def change_all(self) -> None:
        self.gen += 1
        self._write()


class Cutoff(Chain):
    def call(self) -> None:
        stage(self.db, self.length)

    def change_all(self) -> None:
        self.head += 2
        self.db.set(inp("head"), self.head)


class OneArg(_Graph):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = self.memos = count

    def call(self) -> None:
        db = self.db
        for i in range(self.count):
            small(db, i)

    def change_all(self) -> None:
        pass


def trees(roots: int, high: bool) -> Trees:
    return Trees(roots)


def chain(length: int, high: bool) -> Chain:
    return Chain(length)


def fan_out(width: int, high: bool) -> Fan:
    return Fan(width)


def cutoff(length: int) -> Cutoff:
    return Cutoff(length)


def one_arg(count: int) -> OneArg:
    return OneArg(count)


__all__ = ["NotExpressible"]
