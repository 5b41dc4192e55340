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

import contextlib
import gc
import signal
import time
import tracemalloc
from collections.abc import Callable, Iterator
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
# Time limits: a shape is interrupted after SHAPE_LIMIT seconds (a slow peer then shows
# "timeout"); repeats stop once BUDGET seconds are spent (after at least one sample).
SHAPE_LIMIT = 20.0
BUDGET = 4.0

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
    with limit(SHAPE_LIMIT * 2):
        medians = interleaved(variants, 5 if quick else 61, budget_s=BUDGET * 2)
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


class ShapeTimeout(BaseException):
    """A shape ran past its time limit (BaseException: an engine's ``except Exception``
    must not swallow it)."""


@contextlib.contextmanager
def limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with ``ShapeTimeout`` after ``seconds`` (main thread only)."""

    def expire(signum: int, frame: object) -> None:
        raise ShapeTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, ShapeTimeout):
        return f"timeout > {SHAPE_LIMIT:.0f} s"
    if isinstance(exc, NotExpressible):
        return f"n/a: {exc}"
    return type(exc).__name__


def group_graphs(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    """Per shape: cold execution, then deep verification, then everything changed.

    Results are recorded as they come, so a shape that runs out of time still reports
    the parts it finished.
    """
    builders: dict[str, Callable[[], Graph]] = {
        "trees": lambda: adapter.trees(TREES, False),
        "chain": lambda: adapter.chain(CHAIN, False),
        "fan": lambda: adapter.fan_out(FAN, False),
    }
    out: dict[str, Result] = {}
    for shape, build in builders.items():
        try:
            with limit(SHAPE_LIMIT):
                _graph_shape(shape, build, quick, out)
        except (ShapeTimeout, NotExpressible, RecursionError) as exc:
            for kind in ("cold", "verify", "changed"):
                out.setdefault(f"{kind}_{shape}", {"error": _failure(exc)})
    return out


def _graph_shape(
    shape: str, build: Callable[[], Graph], quick: bool, out: dict[str, Result]
) -> None:
    graphs: list[Graph] = []

    def fresh() -> Graph:
        graphs.clear()  # keep one graph alive at a time
        graphs.append(build())
        return graphs[0]

    ns = repeat_ns(fresh, lambda g: g.call(), 3 if quick else 7, budget_s=BUDGET)
    graph = graphs[0]
    out[f"cold_{shape}"] = metric(ns / 1e6, "ms", ns_per_memo=ns / graph.memos)
    cold = ns

    def unrelated() -> Graph:
        graph.unrelated_write()
        return graph

    ns = repeat_ns(unrelated, lambda g: g.call(), 5 if quick else 21, budget_s=BUDGET)
    out[f"verify_{shape}"] = metric(ns / graph.edges, "ns/edge", ms=ns / 1e6, edges=graph.edges)

    if hasattr(graph, "unknown_write"):
        # An engine that can tell an unrelated write from a relevant one (salsify's input
        # summaries) skips the walk above; an unknown change (a synthetic write) forces
        # the full walk of every edge, which this row measures.
        def unknown() -> Graph:
            graph.unknown_write()  # type: ignore[attr-defined]
            return graph

        ns = repeat_ns(unknown, lambda g: g.call(), 5 if quick else 21, budget_s=BUDGET)
        out[f"walk_{shape}"] = metric(ns / graph.edges, "ns/edge", ms=ns / 1e6, edges=graph.edges)

    def changed() -> Graph:
        graph.change_all()
        return graph

    ns = repeat_ns(changed, lambda g: g.call(), 3 if quick else 9, budget_s=BUDGET)
    out[f"changed_{shape}"] = metric(ns / 1e6, "ms", x_cold=ns / cold)


# -- 5. durability shortcut ---------------------------------------------------------------


def group_durability(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    """One call of a HIGH-only fan-out after a LOW write: must not grow with its width.

    Engines without durability levels run the same graph over ordinary inputs (what
    their users would get) and are flagged.
    """
    out: dict[str, Result] = {}
    note = {} if getattr(adapter, "DURABILITY", True) else {"note": "no durability"}
    for width in DURABILITY_SIZES:
        try:
            with limit(SHAPE_LIMIT):
                graph = adapter.fan_out(width, True)
                graph.call()

                def prepare(graph: Graph = graph) -> Graph:
                    graph.unrelated_write()
                    return graph

                ns = repeat_ns(prepare, lambda g: g.call(), 21 if quick else 101, budget_s=BUDGET)
                out[f"durability_{width}"] = metric(ns, "ns/call", deps=width, **note)
        except (ShapeTimeout, NotExpressible, RecursionError) as exc:
            out[f"durability_{width}"] = {"error": _failure(exc)}
    small, large = (out[f"durability_{w}"] for w in DURABILITY_SIZES)
    if "value" in small and "value" in large:
        out["durability_growth"] = metric(large["value"] / small["value"], "x", **note)
    return out


# -- 6. early cutoff ----------------------------------------------------------------------


def group_cutoff(adapter: ModuleType, quick: bool) -> dict[str, Result]:
    try:
        with limit(SHAPE_LIMIT):
            graph = adapter.cutoff(CUTOFF)
            graph.call()

            def prepare() -> Graph:
                graph.change_all()
                return graph

            ns = repeat_ns(prepare, lambda g: g.call(), 21 if quick else 101, budget_s=BUDGET)
            return {"cutoff": metric(ns / 1000, "us/edit", queries=CUTOFF)}
    except (ShapeTimeout, NotExpressible, RecursionError) as exc:
        return {"cutoff": {"error": _failure(exc)}}


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
    tracemalloc does not see; it is coarser (pages, allocator slack). The graph's inputs
    exist before measuring: the figures are what the queries' memos add.
    """
    out: dict[str, Result] = {}
    for name, build in (
        ("mem_one_arg", lambda: adapter.one_arg(ONE_ARG_MEMOS)),
        ("mem_trees", lambda: adapter.trees(TREES, False)),
    ):
        try:
            with limit(SHAPE_LIMIT):
                graph = build()
                rss = _rss_delta(graph)
                memos = graph.memos
                traced = _traced_bytes(build())
        except (ShapeTimeout, NotExpressible, RecursionError) as exc:
            out[name] = {"error": _failure(exc)}
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
    "graphs": group_graphs,
    "durability": group_durability,
    "cutoff": group_cutoff,
    "memory": group_memory,
    "gc": group_gc,
}
