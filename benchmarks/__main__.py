"""``python -m benchmarks``: the engine benchmark suite (see ``benchmarks/engine``).

The signals benchmarks live in ``benchmarks/signals`` and run with
``python -m benchmarks.signals``.
"""

from benchmarks.engine.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
