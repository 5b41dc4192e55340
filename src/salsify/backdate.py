"""Backdating (early cutoff): is a re-executed query's new value equal to its old one?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salsify.memo import Memo
    from salsify.query import QueryIngredient


class EvictedValue:
    """Stands in a memo's ``value`` once eviction dropped it; keeps a fingerprint.

    ``fingerprint`` is None when the value could not be fingerprinted: a recomputed
    value then always counts as changed.
    """

    __slots__ = ("fingerprint",)

    def __init__(self, fingerprint: bytes | None) -> None:
        self.fingerprint = fingerprint

    def __repr__(self) -> str:
        return "<evicted>"


def values_equal(ingredient: QueryIngredient, old: Memo, new: Any) -> bool:
    old_value = old.value
    if old_value.__class__ is EvictedValue:
        return _same_fingerprint(old_value, new)
    if old_value is new:
        return ingredient.eq is None or ingredient.eq(old_value, new)
    eq = ingredient.eq
    try:
        return bool(old_value == new) if eq is None else bool(eq(old_value, new))
    except Exception:
        return False  # values that cannot be compared count as changed


def _same_fingerprint(old: EvictedValue, new: Any) -> bool:
    if old.fingerprint is None:
        return False
    from salsify.fingerprint import fingerprint

    return fingerprint(new) == old.fingerprint


def values_equal_plain(ingredient: QueryIngredient, old: Any, new: Any) -> bool:
    """The query's equality on two plain values (no memo, no eviction)."""
    eq = ingredient.eq
    if eq is None:
        if old is new:
            return True
        try:
            return bool(old == new)
        except Exception:
            return False
    return bool(eq(old, new))
