"""The one value the checker hands to people: a coded message at a position."""

from __future__ import annotations

from dataclasses import dataclass

SYNTAX_ERROR = "E999"
UNDEFINED_NAME = "F821"
UNUSED_IMPORT = "F401"
STAR_IMPORT_USAGE = "F405"
UNRESOLVED_IMPORT = "I001"
IMPORT_CYCLE = "I002"
UNREADABLE_FILE = "E902"

CODES = {
    SYNTAX_ERROR: "syntax error",
    UNDEFINED_NAME: "undefined name",
    UNUSED_IMPORT: "imported but unused",
    STAR_IMPORT_USAGE: "may be undefined, or defined from star imports",
    UNRESOLVED_IMPORT: "unresolved import",
    IMPORT_CYCLE: "import cycle",
    UNREADABLE_FILE: "file cannot be read (I/O error, binary, not UTF-8 or too large)",
}


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """`line` is 1-based and `column` 0-based, as in ruff's JSON output."""

    path: str
    line: int
    column: int
    code: str
    message: str

    def to_text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }
