"""``python -m benchmarks``: run every shape on every installed engine and print the table.

Options: ``--quick`` (fewer repeats), ``--engines a,b`` and ``--groups a,b`` (subsets),
``--json PATH`` (raw results), ``--timeout S`` (per engine and group; default 150 s).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.engine.adapters import ENGINES

GROUPS = ("cached", "graphs", "durability", "cutoff", "memory", "gc")
# Only the subject is measured for its GC policy.
SUBJECT_ONLY = {"gc"}
LABELS = {
    "salsify_engine": "salsify",
    "pyinc_engine": "pyinc",
    "revlet_engine": "revlet",
    "incr_engine": "incr-compute",
    "cascade_engine": "query-cascade",
}

# (metric, label, target) rows of the table, in order.
ROWS: list[tuple[str, str, str]] = [
    ("baseline_plain_1", "baseline: plain call, 1 arg", ""),
    ("baseline_cache_1", "baseline: functools.cache hit, 1 arg", ""),
    ("baseline_cache_3", "baseline: functools.cache hit, 3 args", ""),
    ("baseline_cache_method_1", "baseline: functools.cache method hit, 1 arg", ""),
    ("free_1", "1. cached call, function, 1 arg", "<=2.5x cache"),
    ("free_3", "1. cached call, function, 3 args", "<=2.5x cache"),
    ("method_1", "1. cached call, method, 1 arg", "<=2.5x cache"),
    ("method_3", "1. cached call, method, 3 args", "<=2.5x cache"),
    ("nested_free_1", "1. nested cached call, function, 1 arg", "<=2.5x cache"),
    ("nested_free_3", "1. nested cached call, function, 3 args", "<=2.5x cache"),
    ("nested_method_1", "1. nested cached call, method, 1 arg", "<=2.5x cache"),
    ("nested_method_3", "1. nested cached call, method, 3 args", "<=2.5x cache"),
    ("cold_trees", "2. cold: 256 x 7-query trees", ""),
    ("cold_chain", "2. cold: 10,000-query chain", ""),
    ("cold_fan", "2. cold: fan-out over 10,000 leaves", ""),
    ("verify_trees", "3. deep verify after LOW write: trees", "<=150 ns/edge"),
    ("verify_chain", "3. deep verify after LOW write: chain", "<=150 ns/edge"),
    ("verify_fan", "3. deep verify after LOW write: fan-out", "<=150 ns/edge"),
    ("walk_trees", "3b. full walk after unknown LOW change: trees", "<=150 ns/edge"),
    ("walk_chain", "3b. full walk after unknown LOW change: chain", "<=150 ns/edge"),
    ("walk_fan", "3b. full walk after unknown LOW change: fan-out", "<=150 ns/edge"),
    ("changed_trees", "4. every input changed: trees", ""),
    ("changed_chain", "4. every input changed: chain", ""),
    ("changed_fan", "4. every input changed: fan-out", ""),
    ("durability_100", "5. HIGH fan-out of 100 after LOW write", "O(1)"),
    ("durability_10000", "5. HIGH fan-out of 10,000 after LOW write", "O(1)"),
    ("durability_growth", "5. growth 10,000 vs 100 deps", "~1x"),
    ("cutoff", "6. early cutoff, 100 queries, parity kept", ""),
    ("mem_one_arg", "7. memory, 100,000 one-arg memos", "<=300 B/memo"),
    ("mem_trees", "7. memory, 7-query trees", ""),
    ("gc_build", "GC: build 1,000,000 one-arg memos", ""),
    ("gc_full_empty", "GC: full collection, empty database", ""),
    ("gc_full_1m", "GC: full collection, 1,000,000 memos", ""),
    ("gc_gen0_1m", "GC: young collection, 1,000,000 memos", ""),
    ("gc_full_1m_frozen", "GC: full collection after gc.freeze()", ""),
]


def run_worker(engine: str, group: str, quick: bool, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.engine.worker", engine, group]
    if quick:
        cmd.append("--quick")
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"_error": f"timeout > {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"_error": f"crashed (exit {proc.returncode}): {tail[:70]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    result["_seconds"] = time.monotonic() - start
    return result


def fmt(result: dict[str, Any] | None) -> str:
    if result is None:
        return ""
    if "error" in result:
        return str(result["error"])
    value = result["value"]
    unit = result["unit"]
    text = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    if unit == "ms" and "ns_per_memo" in result:
        text = f"{value:.3g} ms ({result['ns_per_memo'] / 1000:.2g} us/memo)"
    elif unit == "ms" and "x_cold" in result:
        text = f"{value:.3g} ms ({result['x_cold']:.2f}x cold)"
    elif "x_cache" in result:
        text = f"{text} ns ({result['x_cache']:.2f}x)"
    elif unit == "B/memo":
        text = f"{value:.0f} B (RSS {result['rss_per_memo']:.0f} B)"
    else:
        text = f"{text} {unit}"
    if "note" in result:
        text += f" ({result['note']})"
    return text


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; nproc {os.cpu_count()}; CPU {cpu}; "
        f"Python {sys.version.split()[0]} ({platform.python_implementation()})"
    )


def versions(engines: list[str]) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    dists = {
        "salsify_engine": "salsify",
        "pyinc_engine": "pyinc",
        "revlet_engine": "revlet",
        "incr_engine": "incr-compute",
        "cascade_engine": "query-cascade",
    }
    out = {}
    for engine in engines:
        try:
            out[engine] = version(dists[engine])
        except PackageNotFoundError:
            out[engine] = "not installed"
    return out


def print_table(results: dict[str, dict[str, Any]], engines: list[str]) -> None:
    headers = ["shape", *[LABELS[e] for e in engines], "target"]
    rows: list[list[str]] = []
    for key, label, target in ROWS:
        cells = []
        for engine in engines:
            res = results.get(engine, {})
            cells.append(fmt(res.get(key)))
        if any(cells):
            rows.append([label, *cells, target])
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--groups", default=",".join(GROUPS))
    parser.add_argument("--json")
    parser.add_argument("--timeout", type=float, default=150.0)
    args = parser.parse_args(argv)
    engines = [e if e.endswith("_engine") else f"{e}_engine" for e in args.engines.split(",")]
    groups = args.groups.split(",")
    print(f"# salsify engine benchmarks: {machine()}")
    vers = versions(engines)
    print("# versions: " + ", ".join(f"{LABELS[e]} {vers[e]}" for e in engines))
    started = time.monotonic()
    results: dict[str, dict[str, Any]] = {e: {} for e in engines}
    for group in groups:
        for engine in engines:
            if group in SUBJECT_ONLY and engine != "salsify_engine":
                continue
            if vers[engine] == "not installed":
                results[engine]["_error"] = "not installed"
                continue
            res = run_worker(engine, group, args.quick, args.timeout)
            print(
                f"#   {group:<10} {LABELS[engine]:<14} {res.get('_seconds', 0):6.1f} s"
                + (f"  {res['_error']}" if "_error" in res else ""),
                file=sys.stderr,
                flush=True,
            )
            error = res.pop("_error", None)
            res.pop("_seconds", None)
            if error is not None:
                for key, _label, _target in ROWS:
                    if key.startswith(_PREFIXES[group]):
                        res.setdefault(key, {"error": error})
            results[engine].update(res)
    print()
    print_table(results, engines)
    print(f"\n# total {time.monotonic() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "versions": vers, "results": results}, f, indent=1)
    return 0


_PREFIXES = {
    "cached": ("baseline_", "free_", "method_", "nested_"),
    "graphs": ("cold_", "verify_", "walk_", "changed_"),
    "durability": ("durability_",),
    "cutoff": ("cutoff",),
    "memory": ("mem_",),
    "gc": ("gc_",),
}
