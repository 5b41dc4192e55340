"""The cellx benchmark: layers of 4 computeds, each watched by an effect."""

from __future__ import annotations

import time
from typing import Any

from .frameworks import Framework

EXPECTED = {
    1000: ([-3, -6, -2, 2], [-2, -4, 2, 3]),
    2500: ([-3, -6, -2, 2], [-2, -4, 2, 3]),
}


def cellx(fw: Framework, layers: int) -> float:
    """Build the graph, then time the write batch and the reads around it (as the original)."""
    start = [fw.signal(1), fw.signal(2), fw.signal(3), fw.signal(4)]
    layer: list[Any] = list(start)
    for _ in range(layers):
        m = layer
        s = [
            fw.computed(lambda m=m: m[1]()),
            fw.computed(lambda m=m: m[0]() - m[2]()),
            fw.computed(lambda m=m: m[1]() + m[3]()),
            fw.computed(lambda m=m: m[2]()),
        ]
        for p in s:
            fw.effect(lambda p=p: p())
        for p in s:
            p()
        layer = s
    t0 = time.perf_counter()
    before = [p() for p in layer]
    with fw.batch():
        for sig, v in zip(start, (4, 3, 2, 1), strict=True):
            sig.set(v)
    after = [p() for p in layer]
    elapsed = time.perf_counter() - t0
    if (before, after) != EXPECTED[layers]:
        raise AssertionError(f"cellx{layers}: {before} {after}")
    return elapsed
