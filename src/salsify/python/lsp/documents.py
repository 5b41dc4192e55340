"""URIs, paths and positions: where the protocol's units meet the checker's.

The checker's positions are 1-based lines and UTF-8 byte columns (Python's `col_offset`);
the protocol's are 0-based lines and columns in the negotiated encoding (UTF-16 unless the
client offers another). Conversions need the line's text, and happen only here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec

IDENTIFIER_CHARS = re.compile(r"[\w\u0080-\U0010ffff]")


def uri_to_path(uri: str) -> str:
    """The absolute file path of a `file:` URI; other schemes are an InvalidParams error."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise JsonRpcInvalidParams(f"unsupported URI (only file: URIs are analysed): {uri}")
    path = unquote(parsed.path)
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):  # pragma: no cover - Windows
        path = path[1:]
    return os.path.abspath(path)


def path_to_uri(path: str) -> str:
    uri = from_fs_path(path)
    assert uri is not None
    return str(uri)


def utf8_column(line: str, column: int) -> int:
    """Code point column -> UTF-8 byte column."""
    if line.isascii():
        return column
    return len(line[:column].encode("utf-8"))


def char_column(line: str, column: int) -> int:
    """UTF-8 byte column -> code point column."""
    if line.isascii():
        return column
    return len(line.encode("utf-8")[:column].decode("utf-8", "ignore"))


class Positions:
    """Converts between protocol positions and (line, UTF-8 column) for one text."""

    def __init__(self, lines: Sequence[str], codec: PositionCodec) -> None:
        self.lines = lines
        self.codec = codec

    def line(self, number: int) -> str:
        """Line `number` (1-based), "" beyond the end."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def from_client(self, position: types.Position) -> tuple[int, int]:
        """Protocol position -> (1-based line, code point column)."""
        if position.line >= len(self.lines):
            return position.line + 1, 0
        server = self.codec.position_from_client_units(list(self.lines), position)
        return server.line + 1, server.character

    def to_client(self, line: int, utf8: int) -> types.Position:
        text = self.line(line)
        column = char_column(text, utf8)
        if line - 1 >= len(self.lines):
            return types.Position(line=max(line - 1, 0), character=0)
        server = types.Position(line=line - 1, character=column)
        return self.codec.position_to_client_units(list(self.lines), server)

    def range(self, line: int, start: int, end_line: int, end: int) -> types.Range:
        return types.Range(start=self.to_client(line, start), end=self.to_client(end_line, end))


def word_at(line: str, column: int) -> tuple[str, int] | None:
    """The identifier around code point `column` (the cursor may sit just after it):
    (word, start column), or None."""
    start = column
    while start > 0 and IDENTIFIER_CHARS.match(line[start - 1]):
        start -= 1
    end = column
    while end < len(line) and IDENTIFIER_CHARS.match(line[end]):
        end += 1
    word = line[start:end]
    if not word or not word.isidentifier():
        return None
    return word, start
