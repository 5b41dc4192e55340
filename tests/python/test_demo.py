"""`make demo`'s job end to end: the checker on a copy of the stdlib, cold, cached, and
after three scripted edits (asserted on what re-executed and what changed, not on time)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from salsify.python import demo


@pytest.mark.slow
def test_demo_runs_cold_cached_and_incremental(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = demo.run(str(tmp_path))
    labels = [step.label for step in steps]
    assert labels[0] == "cold check" and labels[1] == "cached re-check (nothing changed)"
    cold, cached, body, unused, created = steps
    assert cold.executed > 10_000
    assert cached.executed == 0
    assert cached.diagnostics == cold.diagnostics
    assert 0 < body.executed < cold.executed / 100
    # A body edit changes no finding (positions below it move by a line).
    assert _findings(body.diagnostics) == _findings(cold.diagnostics)
    codes_before = Counter(d.code for d in body.diagnostics)
    codes_after = Counter(d.code for d in unused.diagnostics)
    assert codes_after - codes_before == Counter({"F401": 1})
    assert labels[4].startswith("create missing module")
    # Every import of the created module resolves now (one or several, by version).
    name = labels[4].split()[-1].removesuffix(".py")
    missing = f"unresolved import '{name}'"
    before = sum(1 for d in unused.diagnostics if d.code == "I001" and d.message == missing)
    after = Counter(d.code for d in created.diagnostics)["I001"]
    assert before >= 1
    assert after == codes_after["I001"] - before
    assert not any(d.message == missing for d in created.diagnostics)
    assert "queries executed" in capsys.readouterr().out


def _findings(diagnostics: list[demo.Diagnostic]) -> Counter[tuple[str, str, str]]:
    return Counter((d.path, d.code, d.message) for d in diagnostics)
