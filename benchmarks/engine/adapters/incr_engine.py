"""incr-compute (a compiled Rust extension): a graph of nodes. ``rt.create_input(v)``
and ``rt.create_query(fn)`` make nodes, ``fn(r)`` reads others with ``r.get(node)``,
``rt.get(node)`` demands one from outside, ``rt.set(node, v)`` writes an input.

There are no parameterized queries: a "call" is a node created in advance, so the
cached-call rows measure ``rt.get(node)`` (no arguments to hash), and the one-argument
memory shape creates one query node per argument. No durability levels, no methods.
Its memory is allocated outside Python's allocator: compare the RSS figure. Query nodes
are created by the first ``call()`` (inputs before): creating them is incr's equivalent
of the memos the other engines create on a cold call, so it counts as cold execution.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from incr import Runtime

from benchmarks.engine.timing import call_loop, per_call_ns

N = 2000
DURABILITY = False


def cached() -> dict[str, Callable[[], float]]:
    rt = Runtime()
    one = rt.create_query(lambda r: 1)
    loop = call_loop("get(node)", "get, node")
    loop(rt.get, one, 1)
    tick = rt.create_input(0)
    inner = call_loop("get(node)", "get, node", name="inner")

    def body(r: Any) -> int:
        r.get(tick)
        inner(r.get, one, N)
        return 0

    outer = rt.create_query(body)
    state = {"t": 0}

    def nested() -> float:
        # A write to ``tick`` makes ``outer`` re-execute on the next get.
        state["t"] += 1
        rt.set(tick, state["t"])
        return per_call_ns(lambda _n: rt.get(outer), (), N)

    return {
        "free_1": lambda: per_call_ns(loop, (rt.get, one), N),
        "nested_free_1": nested,
    }


class _Graph:
    edges = 0
    memos = 0

    def __init__(self) -> None:
        self.rt = Runtime()
        self.other = self.rt.create_input(0)
        self.other_value = 0

    def unrelated_write(self) -> None:
        self.other_value += 1
        self.rt.set(self.other, self.other_value)


def _leaf(node: Any) -> Callable[[Any], Any]:
    return lambda r: r.get(node)


def _sum2(a: Any, b: Any) -> Callable[[Any], Any]:
    return lambda r: r.get(a) + r.get(b)


class Trees(_Graph):
    def __init__(self, roots: int) -> None:
        super().__init__()
        rt = self.rt
        self.cells = [[rt.create_input(i + j) for j in range(4)] for i in range(roots)]
        self.inputs = [cell for cells in self.cells for cell in cells]
        self.values = [i + j for i in range(roots) for j in range(4)]
        self.roots: list[Any] = []
        self.edges = roots * 10
        self.memos = roots * 7

    def call(self) -> None:
        rt = self.rt
        if not self.roots:
            for cells in self.cells:
                leaves = [rt.create_query(_leaf(c)) for c in cells]
                b0 = rt.create_query(_sum2(leaves[0], leaves[1]))
                b1 = rt.create_query(_sum2(leaves[2], leaves[3]))
                self.roots.append(rt.create_query(_sum2(b0, b1)))
        get = rt.get
        for root in self.roots:
            get(root)

    def change_all(self) -> None:
        for k, cell in enumerate(self.inputs):
            self.values[k] += 1
            self.rt.set(cell, self.values[k])


class Chain(_Graph):
    def __init__(self, length: int, cutoff: bool = False) -> None:
        super().__init__()
        rt = self.rt
        self.head = rt.create_input(0)
        self.head_value = 0
        self.step = 2 if cutoff else 1
        self.cutoff = cutoff
        self.top: Any = None
        self.length = self.edges = self.memos = length

    def call(self) -> None:
        rt = self.rt
        if self.top is None:
            head = self.head
            if self.cutoff:
                node = rt.create_query(lambda r: r.get(head) % 2)
            else:
                node = rt.create_query(lambda r: r.get(head))
            for _ in range(self.length - 1):
                node = rt.create_query(_next(node, 0 if self.cutoff else 1))
            self.top = node
        rt.get(self.top)

    def change_all(self) -> None:
        self.head_value += self.step
        self.rt.set(self.head, self.head_value)


def _next(node: Any, add: int) -> Callable[[Any], Any]:
    return lambda r: r.get(node) + add


class Fan(_Graph):
    def __init__(self, width: int) -> None:
        super().__init__()
        rt = self.rt
        self.cells = [rt.create_input(i) for i in range(width)]
        self.values = list(range(width))
        self.fan: Any = None
        self.edges = 2 * width
        self.memos = width + 1

    def call(self) -> None:
        rt = self.rt
        if self.fan is None:
            leaves = [rt.create_query(_leaf(c)) for c in self.cells]

            def fan(r: Any) -> int:
                total = 0
                for leaf in leaves:
                    total += r.get(leaf)
                return total

            self.fan = rt.create_query(fan)
        rt.get(self.fan)

    def change_all(self) -> None:
        for k, cell in enumerate(self.cells):
            self.values[k] += 1
            self.rt.set(cell, self.values[k])


class OneArg(_Graph):
    """One query node per argument (incr has no parameterized queries); creating the
    nodes is part of what is measured, since that is where a call's memo comes from."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = self.memos = count

    def call(self) -> None:
        rt = self.rt
        self.nodes = [rt.create_query(_const(i & 7)) for i in range(self.count)]
        get = rt.get
        for node in self.nodes:
            get(node)

    def change_all(self) -> None:
        pass


def _const(value: int) -> Callable[[Any], int]:
    return lambda r: value


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
