"""The dynamic-graph configurations of js-reactivity-benchmark (reactively's dependencyGraph).

Rectangular graphs of computeds over ``width`` sources; a seeded generator (a port of the
benchmark's xmur3a + sfc32 ``pseudoRandom``) decides which nodes are dynamic, so graphs,
sums and computation counts match the original's expected values at full iteration counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .frameworks import Framework

M32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    return (a * b) & M32


def pseudo_random(seed: str = "seed") -> Callable[[], float]:
    """Port of the benchmark's ``pseudoRandom``: xmur3a string hash seeding sfc32."""
    h = 2166136261
    for ch in seed:
        k = _imul(ord(ch), 3432918353)
        k = ((k << 15) | (k >> 17)) & M32
        h ^= _imul(k, 461845907)
        h = ((h << 13) | (h >> 19)) & M32
        h = (_imul(h, 5) + 3864292196) & M32
    h ^= len(seed)
    state = [h]

    def next_hash() -> int:
        x = state[0]
        x ^= x >> 16
        x = _imul(x, 2246822507)
        x ^= x >> 13
        x = _imul(x, 3266489909)
        x ^= x >> 16
        state[0] = x
        return x

    s = [next_hash(), next_hash(), next_hash(), next_hash()]

    def sfc32() -> float:
        a, b, c, d = s
        t = (a + b) & M32
        a = b ^ (b >> 9)
        b = (c + (c << 3)) & M32
        c = ((c << 21) | (c >> 11)) & M32
        d = (d + 1) & M32
        t = (t + d) & M32
        c = (c + t) & M32
        s[0], s[1], s[2], s[3] = a, b, c, d
        return t / 4294967296

    return sfc32


@dataclass(frozen=True)
class Config:
    name: str
    width: int
    total_layers: int
    static_fraction: float
    n_sources: int
    read_fraction: float
    iterations: int
    expected_sum: float
    expected_count: int
    bench_iterations: int  # scaled down for the timed runs (Python is ~100x slower than JS)


CONFIGS = [
    Config("simple component", 10, 5, 1, 2, 0.2, 600000, 19199968, 3480000, 6000),
    Config("dynamic component", 10, 10, 3 / 4, 6, 0.2, 15000, 302310782860, 1155000, 1000),
    Config("large web app", 1000, 12, 0.95, 4, 1, 7000, 29355933696000, 1463000, 300),
    Config("wide dense", 1000, 5, 1, 25, 1, 3000, 1171484375000, 732000, 100),
    Config("deep", 5, 500, 1, 3, 1, 500, 3.0239642676898464e241, 1246500, 100),
    Config("very dynamic", 100, 15, 0.5, 6, 1, 2000, 15664996402790400, 1078000, 100),
]


class Graph:
    def __init__(self, fw: Framework, cfg: Config) -> None:
        self.count = 0
        self.fw = fw
        sources = [fw.signal(i) for i in range(cfg.width)]
        self.sources = sources
        rand = pseudo_random()
        prev: list[Any] = sources
        for _ in range(cfg.total_layers - 1):
            prev = [self._node(prev, i, cfg, rand) for i in range(len(prev))]
        leaves = list(prev)
        pick = pseudo_random()
        for _ in range(round(len(leaves) * (1 - cfg.read_fraction))):
            del leaves[int(pick() * len(leaves))]
        self.read_leaves = leaves
        self.keep = fw.effect(lambda: [leaf() for leaf in leaves])

    def _node(self, prev: list[Any], my: int, cfg: Config, rand: Callable[[], float]) -> Any:
        srcs = [prev[(my + k) % len(prev)] for k in range(cfg.n_sources)]
        if rand() < cfg.static_fraction:

            def static() -> Any:
                self.count += 1
                total = 0
                for src in srcs:
                    total += src()
                return total

            return self.fw.computed(static)
        first = srcs[0]
        tail = srcs[1:]

        def dynamic() -> Any:
            self.count += 1
            total = first()
            drop = total & 1
            drop_at = total % len(tail)
            for i, src in enumerate(tail):
                if drop and i == drop_at:
                    continue
                total += src()
            return total

        return self.fw.computed(dynamic)

    def run(self, iterations: int) -> Any:
        sources = self.sources
        n = len(sources)
        leaves = self.read_leaves
        batch = self.fw.batch
        for i in range(iterations):
            with batch():
                k = i % n
                sources[k].set(i + k)
            for leaf in leaves:
                leaf()
        return sum(leaf() for leaf in leaves)


def title(cfg: Config) -> str:
    dyn = f" - dyn{round((1 - cfg.static_fraction) * 100)}%" if cfg.static_fraction < 1 else ""
    lazy = f" - lazy{round((1 - cfg.read_fraction) * 100)}%" if cfg.read_fraction < 1 else ""
    return f"{cfg.n_sources}-{cfg.width}x{cfg.total_layers}{dyn}{lazy}"
