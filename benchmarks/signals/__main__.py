"""Run the signals benchmarks: ``python -m benchmarks.signals [--quick] [--verify]``.

Prints the median time per case for salsify.signals and, when importable, nervio and
reaktiv, with each library's ratio to the fastest *peer* (ratio < 1: faster than it).
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable

from . import cellx, dynamic, kairo
from .frameworks import Framework, available

REPEATS = 5
BUDGET = 4.0  # seconds per case and library: stop repeating once spent (at least one run)


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _median(run_once: Callable[[], float]) -> float:
    times: list[float] = []
    spent = 0.0
    while len(times) < REPEATS and (not times or spent < BUDGET):
        t = run_once()
        times.append(t)
        spent += t
    return statistics.median(times)


def kairo_case(make: Callable[[], Framework], case: kairo.Case) -> float:
    fw = make()
    run = case(fw)
    run()  # warm up (first evaluations)
    return _median(lambda: _timed(run))


def cellx_case(make: Callable[[], Framework], layers: int) -> float:
    def once() -> float:
        gc.collect()
        return cellx.cellx(make(), layers)

    return _median(once)


def dynamic_case(make: Callable[[], Framework], cfg: dynamic.Config) -> tuple[float, object]:
    fw = make()
    graph = dynamic.Graph(fw, cfg)
    graph.run(cfg.bench_iterations)  # warm up
    result: list[object] = []

    def once() -> float:
        graph.count = 0
        t = _timed(lambda: result.append(graph.run(cfg.bench_iterations)))
        result.append(graph.count)
        return t

    t = _median(once)
    return t, (result[-2], result[-1])


def verify() -> int:
    """Full iteration counts, the original procedure (3 warm-up runs), salsify only."""
    from .frameworks import salsify

    bad = 0
    for cfg in dynamic.CONFIGS:
        graph = dynamic.Graph(salsify(), cfg)
        for _ in range(3):
            graph.run(cfg.iterations)
        graph.count = 0
        total = graph.run(cfg.iterations)
        ok = math.isclose(total, cfg.expected_sum, rel_tol=1e-12)
        ok = ok and graph.count == cfg.expected_count
        bad += not ok
        print(
            f"{dynamic.title(cfg):32} sum={total:.17g} count={graph.count} {'ok' if ok else 'BAD'}"
        )
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signals")
    parser.add_argument("--verify", action="store_true", help="check dynamic sums/counts")
    parser.add_argument("--only", default="", help="substring filter on case names")
    args = parser.parse_args()
    if args.verify:
        return 1 if verify() else 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    makers = available()
    names = [m().name for m in makers]
    print(f"python {platform.python_version()} on {platform.machine()}; libraries: {names}")
    print(f"median of up to {REPEATS} runs (stop after {BUDGET:.0f}s), milliseconds")
    rows: list[tuple[str, dict[str, float | str]]] = []

    cases: list[tuple[str, Callable[[Callable[[], Framework]], float]]] = []
    for name, case in kairo.CASES.items():
        cases.append((f"kairo {name}", lambda mk, c=case: kairo_case(mk, c)))
    for layers in (1000, 2500):
        cases.append((f"cellx{layers}", lambda mk, n=layers: cellx_case(mk, n)))
    checks: dict[str, dict[str, object]] = {}
    for cfg in dynamic.CONFIGS:
        label = f"{dynamic.title(cfg)} ({cfg.name}, {cfg.bench_iterations} it)"

        def dyn(
            mk: Callable[[], Framework], cfg: dynamic.Config = cfg, label: str = label
        ) -> float:
            t, outcome = dynamic_case(mk, cfg)
            checks.setdefault(label, {})[mk().name] = outcome
            return t

        cases.append((label, dyn))

    for label, run in cases:
        if args.only and args.only not in label:
            continue
        row: dict[str, float | str] = {}
        for mk in makers:
            name = mk().name
            try:
                row[name] = run(mk) * 1000
            except RecursionError:
                row[name] = "RecursionError"
            except Exception as exc:  # a peer failing a case is a result, not a crash
                row[name] = f"{type(exc).__name__}"
        rows.append((label, row))
        _print_row(label, row, names)
    for label, outcomes in checks.items():
        if len(set(map(str, outcomes.values()))) > 1:
            print(f"MISMATCH {label}: {outcomes}")
    return 0


def _print_row(label: str, row: dict[str, float | str], names: list[str]) -> None:
    peers = [v for k, v in row.items() if k != "salsify" and isinstance(v, float)]
    best = min(peers) if peers else None
    cells = []
    for n in names:
        v = row.get(n, "-")
        if isinstance(v, float):
            ratio = f" ({v / best:.2f}x)" if best else ""
            cells.append(f"{n} {v:9.2f}{ratio}")
        else:
            cells.append(f"{n} {v}")
    print(f"{label:58} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    sys.exit(main())
