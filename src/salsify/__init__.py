"""salsify: query-based incremental computation for Python."""

from salsify.errors import Cancelled, CycleError, MisuseError, SalsifyError

__all__ = ["Cancelled", "CycleError", "MisuseError", "SalsifyError"]
