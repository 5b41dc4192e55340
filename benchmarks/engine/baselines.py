"""Same-run baselines for per-call costs: a plain function call and functools.cache hits."""

from __future__ import annotations

import functools
from collections.abc import Callable

from benchmarks.engine.timing import call_loop, per_call_ns

N = 2000


def plain_1(a: int) -> int:
    return a


def plain_3(a: int, b: int, c: int) -> int:
    return a


@functools.cache
def cache_1(a: int) -> int:
    return a


@functools.cache
def cache_3(a: int, b: int, c: int) -> int:
    return a


class Holder:
    @functools.cache  # noqa: B019 - a baseline: the hit path of a cached method
    def m1(self, a: int) -> int:
        return a

    @functools.cache  # noqa: B019
    def m3(self, a: int, b: int, c: int) -> int:
        return a


def samplers() -> dict[str, Callable[[], float]]:
    holder = Holder()
    loop1 = call_loop("f(1)", "f")
    loop3 = call_loop("f(1, 2, 3)", "f")
    mloop1 = call_loop("h.m1(1)", "h")
    mloop3 = call_loop("h.m3(1, 2, 3)", "h")
    return {
        "plain_1": lambda: per_call_ns(loop1, (plain_1,), N),
        "cache_1": lambda: per_call_ns(loop1, (cache_1,), N),
        "plain_3": lambda: per_call_ns(loop3, (plain_3,), N),
        "cache_3": lambda: per_call_ns(loop3, (cache_3,), N),
        "cache_method_1": lambda: per_call_ns(mloop1, (holder,), N),
        "cache_method_3": lambda: per_call_ns(mloop3, (holder,), N),
    }
