"""Fine-grained reactive signals: ``signal``, ``computed``, ``effect``, ``batch``, ``untracked``.

Push-pull and glitch-free: a write only marks what may be affected; values are recomputed
lazily, at most once per change, and only when a source really changed.
"""

from __future__ import annotations

from .api import Computed, Signal, batch, computed, effect, signal, untracked

__all__ = ["Computed", "Signal", "batch", "computed", "effect", "signal", "untracked"]
