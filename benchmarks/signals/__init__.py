"""Benchmarks of salsify.signals against other Python signal libraries (``python -m``)."""
