"""The documentation's examples run as written.

The README's example and every ``python`` block of docs/guide.md are executed, the
guide's blocks in order in one namespace (a block that must not run is marked ``text``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def run_blocks(path: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    blocks = python_blocks(path)
    assert blocks, f"{path} has no python blocks"
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{path.name} (python block {number})", "exec")
        exec(code, namespace)


def test_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    run_blocks(ROOT / "README.md")


def test_guide_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    run_blocks(ROOT / "docs" / "guide.md")


def test_guide_covers_the_topics() -> None:
    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    for heading in (
        "Inputs",
        "Queries",
        "Revisions and verification",
        "Backdating",
        "Durability",
        "Interning",
        "Events",
        "Errors",
    ):
        assert f"\n## {heading}\n" in text


def test_signals_doc_examples_run() -> None:
    import doctest

    result = doctest.testfile(
        str(ROOT / "docs" / "signals.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 10
    assert result.failed == 0
