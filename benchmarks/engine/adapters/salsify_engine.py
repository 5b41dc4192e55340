"""salsify: the subject. Written the way a user would write it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import salsify
from benchmarks.engine.timing import call_loop, per_call_ns
from salsify import Durability

NAME = "salsify"
N = 2000


def version() -> str:
    from importlib.metadata import version as v

    return v("salsify")


@salsify.input
class Source:
    w: int
    x: int
    y: int
    z: int


@salsify.input
class Value:
    v: int


class BenchDb(salsify.Database):
    head: Value
    cells: list[Value]

    @salsify.query
    def m1(self, a: int) -> int:
        return a

    @salsify.query
    def m3(self, a: int, b: int, c: int) -> int:
        return a


@salsify.query
def q1(db: BenchDb, a: int) -> int:
    return a


@salsify.query
def q3(db: BenchDb, a: int, b: int, c: int) -> int:
    return a


# -- cached calls -------------------------------------------------------------------------

_CALLS = {
    "free_1": "q1(db, 1)",
    "free_3": "q3(db, 1, 2, 3)",
    "method_1": "db.m1(1)",
    "method_3": "db.m3(1, 2, 3)",
}


def _nested_query(call: str) -> Any:
    """A query whose body makes ``call`` ``_n * 10`` times (the call nested in a query)."""
    body = call_loop(call, "db, token", name="nested")
    body.__globals__.update(q1=q1, q3=q3)
    return salsify.query(body)


def cached() -> dict[str, Callable[[], float]]:
    db = BenchDb()
    out: dict[str, Callable[[], float]] = {}
    tokens = itertools.count()
    for name, call in _CALLS.items():
        loop = call_loop(call, "db")
        loop.__globals__.update(q1=q1, q3=q3)
        loop(db, 1)  # first call executes; the samples are cache hits

        out[name] = lambda loop=loop: per_call_ns(loop, (db,), N)
        nested = _nested_query(call)
        nested(db, -1, 1)

        # Each sample is a new call of the outer query (a fresh token), so its body runs
        # and makes every inner call from inside a running query.
        out[f"nested_{name}"] = lambda nested=nested: per_call_ns(nested, (db, next(tokens)), N)
    return out


# -- graphs -------------------------------------------------------------------------------


@salsify.query
def leaf(db: BenchDb, src: Source, j: int) -> int:
    if j == 0:
        return src.w
    if j == 1:
        return src.x
    if j == 2:
        return src.y
    return src.z


@salsify.query
def branch(db: BenchDb, src: Source, b: int) -> int:
    return leaf(db, src, 2 * b) + leaf(db, src, 2 * b + 1)


@salsify.query
def root(db: BenchDb, src: Source) -> int:
    return branch(db, src, 0) + branch(db, src, 1)


@salsify.query
def link(db: BenchDb, k: int) -> int:
    if k == 0:
        return db.head.v
    return link(db, k - 1) + 1


@salsify.query
def fan_leaf(db: BenchDb, i: int) -> int:
    return db.cells[i].v


@salsify.query
def fan(db: BenchDb, width: int) -> int:
    total = 0
    for i in range(width):
        total += fan_leaf(db, i)
    return total


@salsify.query
def stage(db: BenchDb, k: int) -> int:
    if k == 1:
        return db.head.v % 2
    return stage(db, k - 1)


@salsify.query
def small(db: BenchDb, i: int) -> int:
    return i & 7


class _Graph:
    edges = 0
    memos = 0

    def __init__(self, high: bool = False) -> None:
        self.db = BenchDb()
        self.level = Durability.HIGH if high else Durability.LOW
        self.other = Value(self.db, v=0)

    def unrelated_write(self) -> None:
        self.other.v += 1

    def unknown_write(self) -> None:
        self.db.synthetic_write(Durability.LOW)


class Trees(_Graph):
    def __init__(self, roots: int, high: bool) -> None:
        super().__init__(high)
        self.sources = [
            Source(self.db, w=i, x=i + 1, y=i + 2, z=i + 3, durability=self.level)
            for i in range(roots)
        ]
        self.edges = roots * 10
        self.memos = roots * 7

    def call(self) -> None:
        db = self.db
        for src in self.sources:
            root(db, src)

    def change_all(self) -> None:
        for src in self.sources:
            src.set(w=src.w + 1, x=src.x + 1, y=src.y + 1, z=src.z + 1)


class Chain(_Graph):
    def __init__(self, length: int, high: bool) -> None:
        super().__init__(high)
        self.db.head = Value(self.db, v=0, durability=self.level)
        self.length = length
        self.edges = self.memos = length

    def call(self) -> None:
        link(self.db, self.length - 1)

    def change_all(self) -> None:
        self.db.head.v += 1


class Fan(_Graph):
    def __init__(self, width: int, high: bool) -> None:
        super().__init__(high)
        self.db.cells = [Value(self.db, v=i, durability=self.level) for i in range(width)]
        self.width = width
        self.edges = 2 * width
        self.memos = width + 1

    def call(self) -> None:
        fan(self.db, self.width)

    def change_all(self) -> None:
        for cell in self.db.cells:
            cell.v += 1


class Cutoff(_Graph):
    def __init__(self, length: int) -> None:
        super().__init__()
        self.db.head = Value(self.db, v=0)
        self.length = length
        self.edges = self.memos = length

    def call(self) -> None:
        stage(self.db, self.length)

    def change_all(self) -> None:
        self.db.head.v += 2  # same parity: stage 1 re-executes and is backdated


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
    return Trees(roots, high)


def chain(length: int, high: bool) -> Chain:
    return Chain(length, high)


def fan_out(width: int, high: bool) -> Fan:
    return Fan(width, high)


def cutoff(length: int) -> Cutoff:
    return Cutoff(length)


def one_arg(count: int) -> OneArg:
    return OneArg(count)
