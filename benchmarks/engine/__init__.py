"""Engine benchmarks: salsify's per-call and per-edge costs, and the same shapes on peers.

``runner`` starts one fresh interpreter per (engine, shape group) (``worker``), so that
a peer that crashes, recurses too deep or runs out of time costs only its own cell, and
memory and GC figures are not polluted by what ran before. Each engine is an adapter
module in ``benchmarks.engine.adapters`` exposing the same shape functions.
"""
