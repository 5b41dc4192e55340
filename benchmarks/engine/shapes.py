"""The benchmark shapes, written once against the adapter interface.

An adapter (``benchmarks.engine.adapters.<engine>``) builds graphs; this module times
them. A ``Graph`` is a fresh database holding the inputs of one shape, nothing executed:

- ``call()`` demands every root of the shape (the first call is the cold execution);
- ``unrelated_write()`` writes a LOW input that nothing in the graph reads;
- ``change_all()`` writes every input the graph reads, with new values (for the early
  cutoff graph: a new value of the same parity);
- ``edges`` and ``memos`` count dependency edges and query memos of one full execution.

Adapter builders: ``trees(roots, high)``, ``chain(length, high)``, ``fan_out(width, high)``,
``cutoff(length)``, ``one_arg(count)``, and ``cached()`` (variant -> sampler of ns per
cached call). A builder an engine cannot express raises ``NotExpressible``.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol

from benchmarks.engine import baselines
from benchmarks.engine.timing import interleaved, median, repeat_ns, timed_ns

TREES = 256
CHAIN = 10_000
FAN = 10_000
DURABILITY_SIZES = (100, 10_000)
CUTOFF = 100
ONE_ARG_MEMOS = 100_000
GC_MEMOS = 1_000_000

Result = dict[str, Any]


class NotExpressible(Exception):
    """The engine has no way to express this shape; the message says why."""


class Graph(Protocol):
    edges: int
    memos: int

    def call(self) -> Any: ...
    def unrelated_write(self) -> None: ...
    def change_all(self) -> None: ...


def metric(value: float, unit: str, **extra: Any) -> Result:
    return {"value": value, "unit": unit, **extra}


# -- 1. cached calls --------------------------------------------------------------------


def group_cached(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    """ns per cached call in the current revision, with ratios to same-run baselines."""
    subjects: dict[str, Callable[[], float]] = adapter.cached()
    base = baselines.samplers()
    variants = {**{f"base:{k}": v for k, v in base.items()}, **subjects}
    medians = interleaved(variants, 5 if quick else 21, budget_s=8 if quick else 25)
    out: dict[str, Result] = {}
    for name in ("plain_1", "cache_1", "plain_3", "cache_3", "cache_method_1"):
        out[f"baseline_{name}"] = metric(medians[f"base:{name}"], "ns/call")
    for name, ns in medians.items():
        if name.startswith("base:"):
            continue
        arity = name.rsplit("_", 1)[-1]
        # Ratios: to a functools.cache hit of the same arity (method rows: to a
        # functools.cache'd method called through an instance), and to a plain call.
        kind = "method" if "method" in name else "free"
        ref = f"cache{'_method' if kind == 'method' else ''}_{arity}"
        cache = medians[f"base:{ref}"]
        plain = medians[f"base:plain_{arity}"]
        out[name] = metric(ns, "ns/call", x_cache=ns / cache, x_plain=ns / plain)
    return out


# -- 2-4. cold execution, deep verification, everything changed --------------------------


def _shape_builders(adapter: ModuleType, quick: bool) -> dict[str, Callable[[], Graph]]:
    chain = CHAIN
    fan = FAN
    return {
        "trees": lambda: adapter.trees(TREES, False),
        "chain": lambda: adapter.chain(chain, False),
        "fan": lambda: adapter.fan_out(fan, False),
    }


def _each_shape(
    adapter: ModuleType, quick: bool, fn: Callable[[str, Callable[[], Graph]], dict[str, Result]]
) -> dict[str, Result]:
    out: dict[str, Result] = {}
    for shape, build in _shape_builders(adapter, quick).items():
        try:
            out.update(fn(shape, build))
        except NotExpressible as exc:
            out[f"{shape}"] = {"error": f"n/a: {exc}"}
        except RecursionError:
            out[f"{shape}"] = {"error": "RecursionError"}
    return out


def group_cold(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    def one(shape: str, build: Callable[[], Graph]) -> dict[str, Result]:
        graphs: list[Graph] = []

        def prepare() -> Graph:
            graph = build()
            graphs.append(graph)
            return graph

        ns = repeat_ns(prepare, lambda g: g.call(), 3 if quick else 7, budget_s=15)
        memos = graphs[0].memos
        return {f"cold_{shape}": metric(ns / 1e6, "ms", ns_per_memo=ns / memos)}

    return _each_shape(adapter, quick, one)


def group_verify(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    def one(shape: str, build: Callable[[], Graph]) -> dict[str, Result]:
        graph = build()
        graph.call()

        def prepare() -> Graph:
            graph.unrelated_write()
            return graph

        ns = repeat_ns(prepare, lambda g: g.call(), 5 if quick else 21, budget_s=15)
        return {
            f"verify_{shape}": metric(ns / graph.edges, "ns/edge", ms=ns / 1e6, edges=graph.edges)
        }

    return _each_shape(adapter, quick, one)


def group_changed(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    def one(shape: str, build: Callable[[], Graph]) -> dict[str, Result]:
        graph = build()
        cold = timed_ns(graph.call)

        def prepare() -> Graph:
            graph.change_all()
            return graph

        ns = repeat_ns(prepare, lambda g: g.call(), 3 if quick else 9, budget_s=15)
        return {f"changed_{shape}": metric(ns / 1e6, "ms", x_cold=ns / cold)}

    return _each_shape(adapter, quick, one)


# -- 5. durability shortcut ---------------------------------------------------------------


def group_durability(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    """One call of a HIGH-only fan-out after a LOW write: must not grow with its width."""
    out: dict[str, Result] = {}
    results: dict[int, float] = {}
    for width in DURABILITY_SIZES:
        graph = adapter.fan_out(width, True)
        graph.call()

        def prepare(graph: Graph = graph) -> Graph:
            graph.unrelated_write()
            return graph

        results[width] = repeat_ns(prepare, lambda g: g.call(), 21 if quick else 101, budget_s=10)
        out[f"durability_{width}"] = metric(results[width], "ns/call", deps=width)
    small, large = DURABILITY_SIZES
    out["durability_growth"] = metric(results[large] / results[small], "x")
    return out


# -- 6. early cutoff ----------------------------------------------------------------------


def group_cutoff(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    graph = adapter.cutoff(CUTOFF)
    graph.call()

    def prepare() -> Graph:
        graph.change_all()
        return graph

    ns = repeat_ns(prepare, lambda g: g.call(), 21 if quick else 101, budget_s=10)
    return {"cutoff": metric(ns / 1000, "us/edit", queries=CUTOFF)}


# -- 7. memory ----------------------------------------------------------------------------


def _traced_bytes(graph: Graph) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        graph.call()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _rss_delta(graph: Graph) -> int:
    gc.collect()
    before = _rss_bytes()
    graph.call()
    gc.collect()
    return _rss_bytes() - before


def group_memory(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    """Bytes per memo: tracemalloc (Python allocations) and RSS growth (everything).

    RSS catches memory a compiled engine allocates outside Python's allocator, which
    tracemalloc does not see; it is coarser (pages, allocator slack).
    """
    out: dict[str, Result] = {}
    for name, build in (
        ("mem_one_arg", lambda: adapter.one_arg(ONE_ARG_MEMOS)),
        ("mem_trees", lambda: adapter.trees(TREES, False)),
    ):
        try:
            traced = _traced_bytes(build())
            rss = _rss_delta(build())
            memos = build().memos
        except NotExpressible as exc:
            out[name] = {"error": f"n/a: {exc}"}
            continue
        out[name] = metric(traced / memos, "B/memo", rss_per_memo=rss / memos, memos=memos)
    return out


# -- GC policy (salsify only) -----------------------------------------------------------


def group_gc(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    """Full cyclic collection time with a million live memos, before and after freeze."""
    graph = adapter.one_arg(GC_MEMOS)
    gc.collect()
    empty = median([timed_collect() for _ in range(5)])
    build_ns = timed_ns(graph.call)
    tracked = len(gc.get_objects())
    full = median([timed_collect() for _ in range(3 if quick else 5)])
    gen0 = median([timed_collect(0) for _ in range(5)])
    gc.freeze()
    frozen = median([timed_collect() for _ in range(5)])
    gc.unfreeze()
    return {
        "gc_build": metric(build_ns / 1e6, "ms", memos=GC_MEMOS),
        "gc_full_empty": metric(empty / 1e6, "ms"),
        "gc_full_1m": metric(full / 1e6, "ms", tracked_objects=tracked),
        "gc_gen0_1m": metric(gen0 / 1e6, "ms"),
        "gc_full_1m_frozen": metric(frozen / 1e6, "ms"),
    }


def timed_collect(generation: int = 2) -> float:
    start = time.perf_counter_ns()
    gc.collect(generation)
    return float(time.perf_counter_ns() - start)


GROUPS: dict[str, Callable[[ModuleType, bool], dict[str, Result]]] = {
    "cached": group_cached,
    "cold": group_cold,
    "verify": group_verify,
    "changed": group_changed,
    "durability": group_durability,
    "cutoff": group_cutoff,
    "memory": group_memory,
    "gc": group_gc,
}
