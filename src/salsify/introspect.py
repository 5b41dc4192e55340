"""Introspection: why a call re-executed, per-query statistics, dependency graphs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from salsify.backdate import EvictedValue
from salsify.memo import Cell, Memo

if TYPE_CHECKING:
    from salsify.database import Database


@dataclass(frozen=True, slots=True)
class QueryStats:
    """Counters of one query in one database.

    ``hits`` counts cached calls served by the cold path; calls served by the generated
    hot path are only counted after ``db.count_hits()``, which routes them all through
    the cold path (slower, for diagnosis).
    """

    executions: int
    hits: int
    validations_shallow: int
    validations_deep: int
    backdates: int
    evictions: int
    memos: int
    live_values: int
    estimated_bytes: int


def _memo_bytes(memo: Memo) -> int:
    size = sys.getsizeof(memo) + sys.getsizeof(memo.deps)
    if memo.accumulated:
        size += sys.getsizeof(memo.accumulated)
    return size


def stats(db: Database) -> dict[str, QueryStats]:
    out: dict[str, QueryStats] = {}
    for state in db._states:
        memos = list(state.memos.values())
        evicted = list(state.evicted.values())
        if not (memos or evicted or state.executions):
            continue
        table = sys.getsizeof(state.memos) + sys.getsizeof(state.evicted)
        estimated = (
            table + sum(_memo_bytes(m) for m in memos) + sum(_memo_bytes(m) for m in evicted)
        )
        out[state.ingredient.name] = QueryStats(
            executions=state.executions,
            hits=state.hits,
            validations_shallow=state.validations_shallow,
            validations_deep=state.validations_deep,
            backdates=state.backdates,
            evictions=state.evictions,
            memos=len(memos) + len(evicted),
            live_values=len(memos),
            estimated_bytes=estimated,
        )
    return out


@dataclass(frozen=True, slots=True)
class WhyStep:
    """One link: ``subject`` re-executed in ``revision`` because ``cause`` changed."""

    subject: str
    cause: str
    revision: int


@dataclass(frozen=True, slots=True)
class Why:
    """The chain from a call's last re-execution down to the input write behind it."""

    call: str
    steps: tuple[WhyStep, ...]
    conclusion: str
    input_field: str | None = None
    input_revision: int | None = None

    def __str__(self) -> str:
        lines = [f"{self.call}:"]
        for step in self.steps:
            lines.append(f"  re-executed in r{step.revision} because {step.cause} changed")
        lines.append(f"  {self.conclusion}")
        return "\n".join(lines)


def _memo_of(db: Database, query: Callable[..., Any], args: tuple[Any, ...]) -> Memo | None:
    from salsify.fetch import state_of
    from salsify.query import ingredient_of

    ingredient = ingredient_of(query)
    state = state_of(ingredient, db)
    key = ingredient.key_of(args)
    return state.memos.get(key) or state.evicted.get(key)


def why(db: Database, query: Callable[..., Any], args: tuple[Any, ...]) -> Why:
    from salsify.query import ingredient_of

    ingredient = ingredient_of(query)
    call = ingredient.describe_call(ingredient.key_of(args))
    memo = _memo_of(db, query, args)
    if memo is None:
        return Why(call, (), "it was never executed in this database")
    steps: list[WhyStep] = []
    seen: set[int] = set()
    node: Any = memo
    while node.__class__ is Memo and id(node) not in seen:
        seen.add(id(node))
        reason = db._why.get(node)
        if reason is None:
            conclusion = "it has only been executed once (its first execution)"
            if node is not memo:
                conclusion = f"{node.describe()} was executed for the first time"
            return Why(call, tuple(steps), conclusion)
        cause, revision = reason
        if isinstance(cause, str):
            return Why(call, tuple(steps), f"{node.describe()} re-executed because {cause}")
        steps.append(WhyStep(node.describe(), cause.describe(), revision))
        node = cause
    if node.__class__ is Cell:
        return Why(
            call,
            tuple(steps),
            f"input {node.describe()} was written in r{node.changed_at}",
            input_field=node.describe(),
            input_revision=node.changed_at,
        )
    return Why(call, tuple(steps), "the chain loops through a fixpoint cycle")


@dataclass(frozen=True, slots=True)
class Graph:
    """A dependency graph: nodes are described calls and input fields; edges reader->read."""

    root: str
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    inputs: frozenset[str] = field(default_factory=frozenset)

    def to_dot(self) -> str:
        def quote(text: str) -> str:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = ["digraph salsify {", "  rankdir=TB;"]
        for node in self.nodes:
            shape = "box" if node in self.inputs else "ellipse"
            lines.append(f"  {quote(node)} [shape={shape}];")
        for reader, read in self.edges:
            lines.append(f"  {quote(reader)} -> {quote(read)};")
        lines.append("}")
        return "\n".join(lines)


def graph(db: Database, query: Callable[..., Any], args: tuple[Any, ...]) -> Graph:
    from salsify.query import ingredient_of

    ingredient = ingredient_of(query)
    root = _memo_of(db, query, args)
    call = ingredient.describe_call(ingredient.key_of(args))
    if root is None:
        return Graph(call, (call,), ())
    nodes: dict[str, None] = {}
    edges: list[tuple[str, str]] = []
    inputs: set[str] = set()
    seen: set[int] = {id(root)}
    stack: list[Memo] = [root]
    while stack:
        memo = stack.pop()
        name_label = memo.describe()
        if memo.value.__class__ is EvictedValue:
            name_label += " [evicted]"
        nodes[name_label] = None
        for dep in memo.deps:
            label = dep.describe()
            if dep.__class__ is Memo and dep.value.__class__ is EvictedValue:
                label += " [evicted]"
            edges.append((name_label, label))
            if dep.__class__ is Cell:
                nodes[label] = None
                inputs.add(label)
            elif id(dep) not in seen:
                seen.add(id(dep))
                stack.append(dep)
    return Graph(call, tuple(nodes), tuple(edges), frozenset(inputs))
