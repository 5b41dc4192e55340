"""Property test of live queries: random query DAGs, subscriptions, writes and batches.

After every step, for every open subscription: it received exactly one callback, with
the from-scratch value, iff that value differs from the one it last saw (none
otherwise), and ``sub.value`` is that value. The reverse edges held always equal the
dependency edges reachable from the open subscriptions (reference counts never drift),
and closing everything leaves none.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import salsify
from salsify.memo import Cell, Memo


@salsify.input
class Var:
    value: int


# ("read", k) | ("call", j) with j < i | ("cond", k, then-op, else-op)
Op = tuple[Any, ...]


class GraphDb(salsify.Database):
    def __init__(self, nodes: tuple[tuple[tuple[Op, ...], int], ...]) -> None:
        super().__init__()
        self.nodes = nodes
        self.vars: list[Var] = []


def evaluate(db: GraphDb, op: Op) -> int:
    if op[0] == "read":
        return int(db.vars[op[1]].value)
    if op[0] == "call":
        return int(node(db, op[1]))
    value = int(db.vars[op[1]].value)
    return value + evaluate(db, op[2] if value % 2 == 0 else op[3])


@salsify.query
def node(db: GraphDb, i: int) -> int:
    ops, mod = db.nodes[i]
    total = 0
    for op in ops:
        total = total * 7 + evaluate(db, op)
    return total % mod


def scratch(db: GraphDb, values: list[int], i: int) -> int:
    def op_value(op: Op) -> int:
        if op[0] == "read":
            return values[op[1]]
        if op[0] == "call":
            return scratch(db, values, op[1])
        value = values[op[1]]
        return value + op_value(op[2] if value % 2 == 0 else op[3])

    ops, mod = db.nodes[i]
    total = 0
    for op in ops:
        total = total * 7 + op_value(op)
    return total % mod


VARS = 4


@st.composite
def graphs(draw: st.DrawFn) -> tuple[tuple[tuple[Op, ...], int], ...]:
    count = draw(st.integers(1, 7))
    nodes = []
    for i in range(count):

        def simple(i: int = i) -> st.SearchStrategy[Op]:
            reads = st.tuples(st.just("read"), st.integers(0, VARS - 1))
            if i == 0:
                return reads
            return reads | st.tuples(st.just("call"), st.integers(0, i - 1))

        op = simple() | st.tuples(st.just("cond"), st.integers(0, VARS - 1), simple(), simple())
        ops = tuple(draw(st.lists(op, min_size=1, max_size=3)))
        nodes.append((ops, draw(st.integers(2, 5))))
    return tuple(nodes)


write = st.tuples(st.integers(0, VARS - 1), st.integers(0, 4))
step = (
    st.tuples(st.just("write"), write)
    | st.tuples(st.just("batch"), st.lists(write, min_size=1, max_size=4))
    | st.tuples(st.just("subscribe"), st.integers(0, 6))
    | st.tuples(st.just("close"), st.integers(0, 10))
    | st.tuples(st.just("pull"), st.integers(0, 6))
)


def expected_edges(subs: list[Any]) -> int:
    seen: set[int] = set()
    edges = 0
    stack: list[Memo] = [sub._memo for sub in subs]
    while stack:
        memo = stack.pop()
        if id(memo) in seen:
            continue
        seen.add(id(memo))
        edges += len(memo.deps)
        stack.extend(d for d in memo.deps if d.__class__ is not Cell)
    return edges


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.lists(st.integers(0, 4), min_size=VARS, max_size=VARS), st.lists(step))
def test_callbacks_match_recomputation(
    nodes: tuple[tuple[tuple[Op, ...], int], ...], initial: list[int], steps: list[Op]
) -> None:
    db = GraphDb(nodes)
    values = list(initial)
    db.vars = [Var(db, v) for v in values]
    open_subs: list[tuple[Any, int, list[int]]] = []  # (sub, node, callback log)
    last: dict[int, int] = {}  # id(sub) -> value it last saw

    for kind, arg in steps:
        if kind == "write":
            k, v = arg
            values[k] = v
            db.vars[k].value = v
        elif kind == "batch":
            with db.batch():
                for k, v in arg:
                    values[k] = v
                    db.vars[k].value = v
        elif kind == "subscribe":
            i = arg % len(nodes)
            got: list[int] = []
            sub = db.subscribe(node, i, callback=got.append)
            assert sub.value == scratch(db, values, i)
            open_subs.append((sub, i, got))
            last[id(sub)] = sub.value
        elif kind == "close" and open_subs:
            sub, _, _ = open_subs.pop(arg % len(open_subs))
            sub.close()
        elif kind == "pull":
            i = arg % len(nodes)
            assert node(db, i) == scratch(db, values, i)
        for sub, i, got in open_subs:
            want = scratch(db, values, i)
            if want != last[id(sub)]:
                assert got == [want]
            else:
                assert got == []
            got.clear()
            last[id(sub)] = want
            assert sub.value == want
        assert db.live_edges() == expected_edges([s for s, _, _ in open_subs])
    for sub, _, _ in open_subs:
        sub.close()
    assert db.live_edges() == 0
    assert db.live_stats().live_memos == 0
