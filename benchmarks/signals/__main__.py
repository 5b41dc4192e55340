"""Run the signals benchmarks: ``python -m benchmarks.signals [--only S] [--verify]``.

Prints the median time per case for salsify.signals and, when importable, nervio and
reaktiv, with each library's ratio to the fastest *peer* (ratio < 1: faster than it).
Each (case, library) runs in its own interpreter; a peer still running after
``--timeout`` seconds is stopped and shows as "timeout" (a failure as its exception name).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from . import cellx, dynamic, kairo
from .frameworks import Framework, available

REPEATS = 9
BUDGET = 1.5  # seconds per case and library: stop repeating once spent (at least one run)
PEER_TIMEOUT = 10.0  # seconds per case for a peer library, process start included
SALSIFY_TIMEOUT = 60.0


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
    """Time ``run`` on a fresh graph each repeat (the build and first evaluation untimed).

    The original reuses one graph after a warm-up run; with the scaled-down iteration
    counts a second run would write every source its current value (``iterations <=
    width`` for the wide graphs) and measure nothing, so each repeat builds anew.
    """
    result: list[object] = []

    def once() -> float:
        graph = dynamic.Graph(make(), cfg)
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
            f"{dynamic.title(cfg):32} sum={total:.17g} count={graph.count} {'ok' if ok else 'BAD'}",
            flush=True,
        )
    return bad


def cases() -> dict[str, Callable[[Callable[[], Framework]], tuple[float, object]]]:
    """Every case by label: run it with one library, return (seconds, outcome to compare)."""
    out: dict[str, Callable[[Callable[[], Framework]], tuple[float, object]]] = {}
    for name, case in kairo.CASES.items():
        out[f"kairo {name}"] = lambda mk, c=case: (kairo_case(mk, c), None)
    for layers in (1000, 2500):
        out[f"cellx{layers}"] = lambda mk, n=layers: (cellx_case(mk, n), None)
    for cfg in dynamic.CONFIGS:
        label = f"{dynamic.title(cfg)} ({cfg.name}, {cfg.bench_iterations} it)"
        out[label] = lambda mk, cfg=cfg: dynamic_case(mk, cfg)
    return out


def run_one(label: str, library: str) -> int:
    """Child process: run one case with one library, print one JSON line."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    maker = {mk().name: mk for mk in available()}[library]
    try:
        seconds, outcome = cases()[label](maker)
        print(json.dumps({"ms": seconds * 1000, "outcome": repr(outcome)}))
    except RecursionError:
        print(json.dumps({"error": "RecursionError"}))
    except Exception as exc:  # a library failing a case is a result, not a crash
        print(json.dumps({"error": type(exc).__name__}))
    return 0


def run_isolated(label: str, library: str, timeout: float) -> tuple[float | str, object]:
    """Run one case in a fresh interpreter, killed after ``timeout`` seconds.

    Isolation keeps one library's stall (or memory) from affecting the others, and the
    time limit keeps the whole run bounded.
    """
    command = [sys.executable, "-m", "benchmarks.signals", "--one", label, "--lib", library]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return "error", None
    result = json.loads(lines[-1])
    if "error" in result:
        return str(result["error"]), None
    return float(result["ms"]), result["outcome"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signals")
    parser.add_argument("--verify", action="store_true", help="check dynamic sums/counts")
    parser.add_argument("--only", default="", help="substring filter on case names")
    parser.add_argument("--timeout", type=float, default=PEER_TIMEOUT, help="seconds per peer case")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--lib", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify:
        return 1 if verify() else 0
    if args.one:
        return run_one(args.one, args.lib)
    names = [m().name for m in available()]
    print(f"python {platform.python_version()} on {platform.machine()}; libraries: {names}")
    print(
        f"median of up to {REPEATS} runs (stop after {BUDGET:.1f}s), milliseconds; each case "
        f"in its own process, peers stopped after {args.timeout:.0f}s"
    )
    started = time.perf_counter()
    for label in cases():
        if args.only and args.only not in label:
            continue
        row: dict[str, float | str] = {}
        outcomes: dict[str, object] = {}
        for name in names:
            limit = SALSIFY_TIMEOUT if name == "salsify" else args.timeout
            row[name], outcome = run_isolated(label, name, limit)
            if outcome is not None and outcome != "None":
                outcomes[name] = outcome
        _print_row(label, row, names)
        if len(set(outcomes.values())) > 1:
            print(f"MISMATCH {label}: {outcomes}")
    print(f"total {time.perf_counter() - started:.0f}s")
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
