"""Run in the jedi bench venv: go-to-definition on the given positions, cold then warm.

Input (stdin): {"root": str, "positions": [[path, line (1-based), column (code points)]]}.
Output (stdout): {"cold": seconds, "warm": seconds, "results": [[path, line] | null, ...]}.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    import jedi

    request = json.load(sys.stdin)
    project = jedi.Project(request["root"])
    timings = {}
    results: list[list[object] | None] = []
    for round_name in ("cold", "warm"):
        results = []
        started = time.perf_counter()
        for path, line, column in request["positions"]:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
            script = jedi.Script(source, path=path, project=project)
            try:
                found = script.goto(line, column, follow_imports=True)
            except Exception:
                found = []
            if found and found[0].module_path is not None and found[0].line is not None:
                results.append([str(found[0].module_path), found[0].line])
            else:
                results.append(None)
        timings[round_name] = time.perf_counter() - started
    json.dump({**timings, "results": results, "jedi": jedi.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
