"""Adapters: one tiny interface over each library (signal/computed/effect/batch).

Every library's signals are read by calling them and written with ``.set``; adapters only
normalise creation, effects and batching. Peers are imported lazily: they are benchmark-only
extras installed in a separate venv, never dependencies of salsify.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Framework:
    name: str
    signal: Callable[[Any], Any]
    computed: Callable[[Callable[[], Any]], Any]
    effect: Callable[[Callable[[], Any]], Any]
    batch: Callable[[], AbstractContextManager[Any]]
    keep: list[Any] = field(default_factory=list)  # effect handles some libraries need alive


def salsify() -> Framework:
    from salsify.signals import batch, computed, effect, signal

    return Framework("salsify", signal, computed, effect, batch)


def nervio() -> Framework:
    mod = importlib.import_module("nervio")
    return Framework("nervio", mod.signal, mod.computed, mod.effect, mod.batch)


def reaktiv() -> Framework:
    mod = importlib.import_module("reaktiv")
    fw = Framework("reaktiv", mod.Signal, mod.Computed, mod.Effect, mod.batch)
    keep = fw.keep
    make = mod.Effect

    def effect(fn: Callable[[], Any]) -> Any:
        # Zero-arg wrapper: reaktiv passes a cleanup registrar to fns with parameters.
        handle = make(lambda: fn())
        keep.append(handle)  # reaktiv holds effects weakly
        return handle

    fw.effect = effect
    return fw


def available() -> list[Callable[[], Framework]]:
    makers: list[Callable[[], Framework]] = [salsify]
    for name, maker in (("nervio", nervio), ("reaktiv", reaktiv)):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        makers.append(maker)
    return makers
