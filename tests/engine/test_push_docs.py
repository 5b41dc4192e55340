"""docs/push.md runs as written: its python blocks, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "push.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_push_doc_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "docs_push"}
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"push.md (python block {number})", "exec"), namespace)
    assert "100 rounds" in capsys.readouterr().out
