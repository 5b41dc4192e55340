"""ANALYZER.md's watcher scenarios, through what `--watch` runs for each batch of events
(`watch.recheck`: rescan the changed paths, re-check), on a real project on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salsify.python.diagnostic import Diagnostic
from salsify.python.watch import recheck
from salsify.python.workspace import Workspace


def codes(results: dict[str, list[Diagnostic]]) -> set[tuple[str, str, str]]:
    return {(Path(path).name, d.code, d.message) for path, ds in results.items() for d in ds}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text("import helper\nimport pkg.tools\nprint(helper, pkg)\n")
    return tmp_path


def test_watcher_scenarios(project: Path) -> None:
    ws = Workspace([str(project)])
    results = ws.check()
    assert ("app.py", "I001", "unresolved import 'helper'") in codes(results)
    assert ("app.py", "I001", "unresolved import 'pkg.tools'") in codes(results)

    # A new file.
    (project / "helper.py").write_text("VALUE = 1\n")
    results, _, executed = recheck(ws, results, [str(project / "helper.py")])
    assert ("app.py", "I001", "unresolved import 'helper'") not in codes(results)
    assert executed > 0

    # A new folder with files.
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "tools.py").write_text("import os\n")
    results, _, _ = recheck(ws, results, [str(project / "pkg")])
    assert ("app.py", "I001", "unresolved import 'pkg.tools'") not in codes(results)
    assert ("tools.py", "F401", "'os' imported but unused") in codes(results)

    # A changed file.
    (project / "pkg" / "tools.py").write_text("import os\nprint(os)\n")
    results, _, _ = recheck(ws, results, [str(project / "pkg" / "tools.py")])
    assert not any(name == "tools.py" for name, _, _ in codes(results))

    # A renamed file: the old name is gone, the new one is checked.
    (project / "helper.py").rename(project / "helper2.py")
    results, _, _ = recheck(ws, results, [str(project / "helper.py"), str(project / "helper2.py")])
    assert ("app.py", "I001", "unresolved import 'helper'") in codes(results)
    assert str(project / "helper2.py") in results

    # A deleted file.
    (project / "helper2.py").unlink()
    results, _, _ = recheck(ws, results, [str(project / "helper2.py")])
    assert str(project / "helper2.py") not in results

    # A folder moved away and back.
    shutil.move(str(project / "pkg"), str(project / "moved"))
    results, _, _ = recheck(ws, results, [str(project / "pkg"), str(project / "moved")])
    assert ("app.py", "I001", "unresolved import 'pkg.tools'") in codes(results)
    assert str(project / "moved" / "tools.py") in results
    shutil.move(str(project / "moved"), str(project / "pkg"))
    results, _, _ = recheck(ws, results, [str(project / "pkg"), str(project / "moved")])
    assert ("app.py", "I001", "unresolved import 'pkg.tools'") not in codes(results)
    assert str(project / "moved" / "tools.py") not in results


def test_search_path_added_and_removed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import vendored\nprint(vendored)\n")
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "vendored.py").write_text("X = 1\n")
    ws = Workspace([str(project)], search_paths=[])
    missing = ("app.py", "I001", "unresolved import 'vendored'")
    assert missing in codes(ws.check())
    ws.set_search_paths([str(vendor)])
    assert missing not in codes(ws.check())
    # A module appearing in a search path is picked up by a rescan of it.
    (vendor / "later.py").write_text("")
    (project / "app.py").write_text("import vendored, later\nprint(vendored, later)\n")
    results, _, _ = recheck(ws, {}, [str(project / "app.py"), str(vendor / "later.py")])
    assert ("app.py", "I001", "unresolved import 'later'") not in codes(results)
    ws.set_search_paths([])
    assert missing in codes(ws.check())
