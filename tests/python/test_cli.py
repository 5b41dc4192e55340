"""`salsify check`: formats, exit codes, bad input, and --watch."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from salsify.python.cli import display_path, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["check", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_clean_project_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.py").write_text("import os\nprint(os.sep)\n")
    status, out, _ = run(capsys, str(tmp_path))
    assert status == 0
    assert out.splitlines()[-1].startswith("Checked 1 file: 0 diagnostics in ")


def test_diagnostics_exit_1_in_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.py").write_text("import os\nprint(missing)\n")
    status, out, _ = run(capsys, str(tmp_path))
    assert status == 1
    lines = out.splitlines()
    assert lines[0].endswith("bad.py:1:7: F401 'os' imported but unused")
    assert lines[1].endswith("bad.py:2:6: F821 undefined name 'missing'")
    assert "2 diagnostics (F401: 1, F821: 1)" in lines[-1]


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.py").write_text("print(missing)\n")
    status, out, err = run(capsys, "--format", "json", str(tmp_path))
    assert status == 1
    rows = json.loads(out)
    assert rows == [
        {
            "path": display_path(str(tmp_path / "bad.py")),
            "line": 1,
            "column": 6,
            "code": "F821",
            "message": "undefined name 'missing'",
        }
    ]
    assert "Checked 1 file" in err


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(tmp_path / "nope"))
    assert status == 2
    assert out == ""
    assert "no such file or directory" in err


def test_bad_search_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--search-path", str(tmp_path / "nope"), str(tmp_path))
    assert status == 2
    assert "--search-path" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["check", "--format", "xml", "x.py"])
    assert raised.value.code == 2


def test_unreadable_files_are_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02")
    (tmp_path / "fine.py").write_text("x = 1\n")
    status, out, _ = run(capsys, str(tmp_path))
    assert status == 1
    assert "binary.py:1:0: E902 binary file" in out
    assert "latin.py:1:0: E902 cannot decode file" in out
    assert "fine.py" not in out.replace("Checked", "")


def test_syntax_error_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    status, out, _ = run(capsys, str(tmp_path / "broken.py"))
    assert status == 1
    assert "broken.py:1:6: E999 SyntaxError" in out


def test_search_path_resolves_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, vendored = tmp_path / "project", tmp_path / "vendor"
    project.mkdir()
    vendored.mkdir()
    (project / "app.py").write_text("import vendored_lib\nprint(vendored_lib)\n")
    (vendored / "vendored_lib.py").write_text("")
    status, out, _ = run(capsys, str(project))
    assert status == 1 and "I001 unresolved import 'vendored_lib'" in out
    status, out, _ = run(capsys, "--search-path", str(vendored), str(project))
    assert status == 0


def test_watch_reprints_changes(tmp_path: Path) -> None:
    target = tmp_path / "watched.py"
    target.write_text("x = 1\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "salsify.python.cli", "check", "--watch", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while "watching" not in "".join(lines) and time.monotonic() < deadline:
            lines.append(process.stdout.readline())
        time.sleep(0.5)
        target.write_text("print(undefined_here)\n")
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if line.startswith("re-checked in"):
                break
        output = "".join(lines)
        assert "+ watched.py:1:6: F821 undefined name 'undefined_here'" in output
        assert "queries re-executed" in output
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_virtual_environments_are_skipped_but_venv_packages_are_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environment, package = tmp_path / ".env-like", tmp_path / "venv"
    for directory in (environment, package):
        directory.mkdir()
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "env" / "junk.py").write_text("print(undefined_in_env)\n")
    (package / "__init__.py").write_text("print(undefined_in_package)\n")
    status, out, _ = run(capsys, str(tmp_path))
    assert status == 1
    assert "undefined_in_package" in out
    assert "undefined_in_env" not in out
