"""Exceptions raised by the engine."""

from __future__ import annotations


class SalsifyError(Exception):
    """Base class of every error the engine raises on purpose."""


class CycleError(SalsifyError):
    """A query re-entered a call that is still executing (and could not iterate).

    ``participants`` lists the calls of the cycle in the order they were entered,
    each as ``(query name, arguments)``.
    """

    def __init__(self, message: str, participants: tuple[tuple[str, tuple[object, ...]], ...] = ()):
        super().__init__(message)
        self.participants = participants


class Cancelled(SalsifyError):
    """A write from another thread is waiting: this query unwinds so the write can apply."""


class MisuseError(SalsifyError, RuntimeError):
    """The engine was used in a way that would corrupt it (e.g. a write inside a query)."""
