"""Durability levels: how often an input is expected to change."""

from __future__ import annotations

from enum import IntEnum


class Durability(IntEnum):
    """How rarely an input changes.

    A memo's durability is the lowest durability of everything it read. The database
    remembers, per level, the last revision in which an input of at least that level
    changed, so a memo of durability ``HIGH`` is verified in O(1) after a write that
    touched only ``LOW`` inputs.
    """

    LOW = 0
    MEDIUM = 1
    HIGH = 2


LEVELS = len(Durability)
