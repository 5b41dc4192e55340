"""ANALYZER.md's incrementality scenarios, asserted on the engine's events."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import salsify
from salsify.python.inputs import FileId, ScopeId
from salsify.python.workspace import Workspace

FOO = textwrap.dedent(
    """\
    import os

    x = 1


    def helper():
        return os.sep


    class Thing:
        def method(self):
            return 1

        def other(self):
            return undefined_in_other
    """
)
BAR = "from foo import x, helper\nprint(x, helper)\n"
BAZ = "import foo\nimport missing_mod\nprint(foo.x, missing_mod)\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "foo.py").write_text(FOO)
    (tmp_path / "bar.py").write_text(BAR)
    (tmp_path / "baz.py").write_text(BAZ)
    return tmp_path


class Recorder:
    """Which (query, file, scope) ran while active."""

    def __init__(self, db: salsify.Database) -> None:
        self.executed: list[tuple[str, str | None, str | None]] = []
        self._subscription = db.on_event(self._on_event)

    def _on_event(self, event: salsify.Event) -> None:
        if isinstance(event, salsify.Executed):
            file: str | None = None
            scope: str | None = None
            for argument in event.args:
                if isinstance(argument, ScopeId):
                    file, scope = os.path.basename(argument.file.path), argument.path
                elif isinstance(argument, FileId):
                    file = os.path.basename(argument.path)
            self.executed.append((event.query.__name__, file, scope))

    def close(self) -> None:
        self._subscription.close()

    def queries(self) -> set[str]:
        return {name for name, _, _ in self.executed}

    def in_file(self, file: str) -> list[tuple[str, str | None]]:
        return [(name, scope) for name, f, scope in self.executed if f == file]


def edit(workspace: Workspace, path: Path, text: str) -> Recorder:
    recorder = Recorder(workspace.db)
    try:
        workspace.set_text(str(path), text)
        workspace.check()
    finally:
        recorder.close()
    return recorder


def codes(workspace: Workspace, name: str, root: Path) -> list[tuple[str, str]]:
    results = workspace.check()
    return [(d.code, d.message) for d in results[str(root / name)]]


PER_SCOPE = {"scope_bindings", "scope_environment", "scope_resolution"}


def test_body_edit_reruns_only_the_edited_scope(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    workspace.check()
    recorder = edit(workspace, project / "foo.py", FOO.replace("return 1", "return len(self)"))
    assert recorder.in_file("bar.py") == []
    assert recorder.in_file("baz.py") == []
    per_scope = {scope for name, scope in recorder.in_file("foo.py") if name in PER_SCOPE}
    assert per_scope == {"Thing.method"}
    assert "resolve_module" not in recorder.queries()
    assert "module_exports" not in recorder.queries()


def test_edit_that_changes_no_names_stops_at_the_scope_tables(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    workspace.check()
    recorder = edit(workspace, project / "foo.py", FOO.replace("return 1", "return 2"))
    assert not recorder.queries() & PER_SCOPE
    assert "scope_table" in recorder.queries()


def test_blank_line_at_top_runs_no_resolution_and_moves_positions(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    before = workspace.check()[str(project / "foo.py")]
    recorder = edit(workspace, project / "foo.py", "\n# a comment\n" + FOO)
    ran = recorder.queries()
    assert "resolve_module" not in ran
    assert not ran & (PER_SCOPE | {"unused_imports", "unresolved_imports", "module_exports"})
    assert {"parse", "file_tables", "file_diagnostics"} <= ran
    after = workspace.check()[str(project / "foo.py")]
    assert [(d.code, d.line + 2 - 2) for d in before] == [(d.code, d.line - 2) for d in after]


def test_changing_what_a_public_name_is_reruns_importers(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    workspace.check()
    changed = FOO.replace("x = 1", "def x():\n    return 1")
    recorder = edit(workspace, project / "foo.py", changed)
    assert "module_exports" in recorder.queries()
    assert ("unresolved_imports", None) in recorder.in_file("bar.py")


def test_creating_and_deleting_a_missing_module_flips_the_diagnostic(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    unresolved = ("I001", "unresolved import 'missing_mod'")
    assert unresolved in codes(workspace, "baz.py", project)
    created = project / "missing_mod.py"
    created.write_text("VALUE = 1\n")
    workspace.set_text(str(created), "VALUE = 1\n")
    assert unresolved not in codes(workspace, "baz.py", project)
    created.unlink()
    workspace.remove(str(created))
    assert unresolved in codes(workspace, "baz.py", project)


def test_rescan_picks_up_new_folders_and_deletions(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    unresolved = ("I001", "unresolved import 'missing_mod'")
    assert unresolved in codes(workspace, "baz.py", project)
    package = project / "missing_mod"
    package.mkdir()
    (package / "__init__.py").write_text("")
    workspace.rescan()
    assert unresolved not in codes(workspace, "baz.py", project)
    assert str(package / "__init__.py") in workspace.check()
    (package / "__init__.py").unlink()
    package.rmdir()
    workspace.rescan()
    assert unresolved in codes(workspace, "baz.py", project)


def test_an_unchanged_recheck_executes_nothing(project: Path) -> None:
    workspace = Workspace([str(project)], search_paths=[])
    workspace.check()
    recorder = Recorder(workspace.db)
    workspace.check()
    recorder.close()
    assert recorder.executed == []


def test_import_cycle_reported_once_naming_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("import a\n")
    workspace = Workspace([str(tmp_path)], search_paths=[])
    results = workspace.check()
    cycles = [d for found in results.values() for d in found if d.code == "I002"]
    assert [d.message for d in cycles] == ["import cycle: a.py -> b.py -> a.py"]


def test_guarded_imports_are_not_unresolved(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        import sys
        from typing import TYPE_CHECKING
        try:
            import not_here_a
        except ImportError:
            not_here_a = None
        if TYPE_CHECKING:
            import not_here_b
        if sys.platform == "win32":
            import not_here_c
        import not_here_d
        print(not_here_a, not_here_b, not_here_c, not_here_d)
        """
    )
    (tmp_path / "m.py").write_text(source)
    workspace = Workspace([str(tmp_path)])
    found = workspace.check()[str(tmp_path / "m.py")]
    assert [d.message for d in found if d.code == "I001"] == ["unresolved import 'not_here_d'"]


def test_builtin_and_compiled_modules_are_opaque_not_missing(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import sys, _ssl, math, os.path\nprint(sys, _ssl, math, os)\n")
    workspace = Workspace([str(tmp_path)])
    assert workspace.check()[str(tmp_path / "m.py")] == []


def test_a_missing_module_is_reported_once_per_statement(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        "from missing import a, b, c\nfrom missing import d\nimport gone, also_gone\n"
        "print(a, b, c, d, gone, also_gone)\n"
    )
    found = Workspace([str(tmp_path)]).check()[str(tmp_path / "main.py")]
    unresolved = [(d.line, d.message) for d in found if d.code == "I001"]
    assert unresolved == [
        (1, "unresolved import 'missing'"),
        (2, "unresolved import 'missing'"),
        (3, "unresolved import 'gone'"),
        (3, "unresolved import 'also_gone'"),
    ]


def test_names_defined_dynamically_or_implicitly_are_not_unresolved(tmp_path: Path) -> None:
    (tmp_path / "generated.py").write_text(
        "def _make(*names):\n    globals().update({n: n for n in names})\n_make('RED', 'BLUE')\n"
    )
    (tmp_path / "plain.py").write_text("VALUE = 1\n")
    (tmp_path / "main.py").write_text(
        "from generated import RED\nfrom plain import __doc__, VALUE, MISSING\n"
        "print(RED, __doc__, VALUE, MISSING)\n"
    )
    found = Workspace([str(tmp_path)]).check()[str(tmp_path / "main.py")]
    assert [d.message for d in found if d.code == "I001"] == [
        "unresolved import 'MISSING' from 'plain'"
    ]
