"""One (engine, shape group) in a fresh interpreter; prints its results as one JSON line.

``python -m benchmarks.engine.worker ENGINE GROUP [--quick]``
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback


def run(engine: str, group: str, quick: bool) -> dict[str, object]:
    from benchmarks.engine.shapes import GROUPS, NotExpressible

    try:
        adapter = importlib.import_module(f"benchmarks.engine.adapters.{engine}")
    except ImportError as exc:
        return {"_error": f"not installed ({exc.name})"}
    try:
        return dict(GROUPS[group](adapter, quick))
    except NotExpressible as exc:
        return {"_error": f"n/a: {exc}"}
    except RecursionError:
        return {"_error": "RecursionError"}
    except Exception as exc:
        traceback.print_exc()
        return {"_error": f"{type(exc).__name__}: {str(exc)[:80]}"}


def main(argv: list[str]) -> int:
    engine, group = argv[:2]
    result = run(engine, group, "--quick" in argv)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
