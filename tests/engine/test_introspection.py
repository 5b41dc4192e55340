"""Introspection: why a call re-executed, stats per query, dependency graphs."""

from __future__ import annotations

import salsify


@salsify.input
class Setting:
    name: str = salsify.field(key=True)
    value: int


@salsify.query
def base(db: salsify.Database, s: Setting) -> int:
    return s.value


@salsify.query
def middle(db: salsify.Database, s: Setting) -> int:
    return base(db, s) * 2


@salsify.query
def top(db: salsify.Database, s: Setting, t: Setting) -> int:
    return middle(db, s) + t.value


def test_why_names_the_input_that_changed() -> None:
    db = salsify.Database()
    s = Setting(db, name="s", value=1)
    t = Setting(db, name="t", value=1)
    top(db, s, t)
    first = db.why(top, s, t)
    assert "first execution" in first.conclusion
    s.value = 5
    top(db, s, t)
    answer = db.why(top, s, t)
    assert answer.input_field == "Setting(name='s').value"
    assert answer.input_revision == db.revision
    assert [step.subject.split("(")[0].rsplit(".", 1)[-1] for step in answer.steps] == [
        "top",
        "middle",
        "base",
    ]
    text = str(answer)
    assert "Setting(name='s').value" in text and f"r{db.revision}" in text


def test_stats_count_executions_validations_and_backdates() -> None:
    db = salsify.Database()
    s = Setting(db, name="s", value=2)
    t = Setting(db, name="t", value=0)
    top(db, s, t)
    s.value = 2
    top(db, s, t)
    stats = db.stats()
    assert stats[base.__qualname__].executions == 2
    assert stats[base.__qualname__].backdates == 1
    assert stats[middle.__qualname__].validations_deep == 1
    assert stats[top.__qualname__].memos == 1
    assert stats[top.__qualname__].estimated_bytes > 0


def test_counting_hits_on_demand() -> None:
    db = salsify.Database()
    s = Setting(db, name="s", value=2)
    base(db, s)
    db.count_hits()
    for _ in range(3):
        base(db, s)
    assert db.stats()[base.__qualname__].hits == 3
    db.count_hits(False)
    base(db, s)
    assert db.stats()[base.__qualname__].hits == 3


def test_graph_lists_dependencies_and_exports_dot() -> None:
    db = salsify.Database()
    s = Setting(db, name="s", value=2)
    t = Setting(db, name="t", value=0)
    top(db, s, t)
    graph = db.graph(top, s, t)
    names = {node.split("(")[0].rsplit(".", 1)[-1] for node in graph.nodes}
    assert {"top", "middle", "base"} <= names
    assert "Setting(name='t').value" in graph.inputs
    assert len(graph.edges) == 4
    dot = graph.to_dot()
    assert dot.startswith("digraph salsify {") and "->" in dot and "shape=box" in dot
