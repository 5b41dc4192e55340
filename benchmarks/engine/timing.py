"""Timing helpers: unrolled call loops, interleaved repeats, medians.

Timings on a shared 2-core machine are noisy, so every figure is the median of several
repeats, and variants that are compared (a subject and its baselines) are measured in
the same rounds, interleaved, so a burst of load from elsewhere hits all of them.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

UNROLL = 10
_clock = time.perf_counter_ns


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def call_loop(call: str, params: str, *, name: str = "_loop", unroll: int = UNROLL) -> Any:
    """A function ``name(params, _n)`` running ``call`` ``_n * unroll`` times.

    The call is written out ``unroll`` times per loop iteration so that the loop's own
    cost is a small fraction of what is measured (the same for subject and baselines).
    """
    body = "".join(f"        {call}\n" for _ in range(unroll))
    source = f"def {name}({params}, _n):\n    for _ in range(_n):\n{body}"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<bench loop {name}>", "exec"), namespace)
    return namespace[name]


def per_call_ns(loop: Callable[..., Any], args: tuple[Any, ...], n: int) -> float:
    """Nanoseconds per call of an unrolled ``call_loop``."""
    start = _clock()
    loop(*args, n)
    return (_clock() - start) / (n * UNROLL)


def interleaved(
    variants: dict[str, Callable[[], float]], repeats: int, *, budget_s: float = 10.0
) -> dict[str, float]:
    """Median of ``repeats`` samples of each variant, measured round-robin.

    Each variant is a zero-argument callable returning one sample. Stops early (after
    at least one round) when ``budget_s`` is spent, so a slow peer cannot stall the run.
    """
    samples: dict[str, list[float]] = {name: [] for name in variants}
    deadline = time.monotonic() + budget_s
    for _ in range(repeats):
        for name, sample in variants.items():
            samples[name].append(sample())
        if time.monotonic() > deadline:
            break
    return {name: median(values) for name, values in samples.items()}


def timed_ns(fn: Callable[[], Any]) -> float:
    """Wall time of one call of ``fn``, in nanoseconds, with the cyclic GC paused.

    Pausing the collector keeps a collection triggered by someone else's garbage out
    of the figure; the GC's own cost is measured separately (the ``gc`` group).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = _clock()
        fn()
        return float(_clock() - start)
    finally:
        if enabled:
            gc.enable()


def repeat_ns(
    prepare: Callable[[], Any], run: Callable[[Any], Any], repeats: int, budget_s: float = 10.0
) -> float:
    """Median time of ``run(prepare())`` over ``repeats`` (``prepare`` is not timed)."""
    samples: list[float] = []
    deadline = time.monotonic() + budget_s
    for _ in range(repeats):
        state = prepare()
        samples.append(timed_ns(lambda state=state: run(state)))
        if time.monotonic() > deadline:
            break
    return median(samples)
