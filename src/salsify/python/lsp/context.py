"""What a request's work (run on a worker thread) gets: the database, the document's text as
it was when the request arrived, the position codec, and a cancellation token."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

import salsify
from salsify.python import navigation
from salsify.python.inputs import FileId, file_id
from salsify.python.lsp.documents import Positions, path_to_uri, utf8_column, word_at
from salsify.python.navigation import DefKey, Location

_CHAIN = re.compile(r"((?:[A-Za-z_]\w*\s*\.\s*)+)$")
_IMPORT = re.compile(r"^\s*import\s+([\w.\s,]+)$")
_FROM = re.compile(r"^\s*from\s+(\.*[\w.]*)\s*$")
_FROM_MODULE = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\b")


class RequestCancelled(Exception):
    """`$/cancelRequest` arrived for the running request."""


@dataclass
class Token:
    """Set by the event loop when the request is cancelled; checked between steps."""

    cancelled: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        if self.cancelled.is_set():
            raise RequestCancelled


@dataclass
class RequestContext:
    db: salsify.Database
    path: str
    lines: list[str]  # the document's text when the request arrived
    codec: PositionCodec
    token: Token
    project: tuple[str, ...] = ()  # project file paths, for project-wide requests

    @property
    def file(self) -> FileId:
        return file_id(self.db, self.path)

    @property
    def positions(self) -> Positions:
        return Positions(self.lines, self.codec)

    def positions_of(self, path: str) -> Positions:
        if path == self.path:
            return self.positions
        file = navigation.loaded_file(self.db, path)
        return Positions(list(navigation.source_lines(self.db, file)), self.codec)

    def location(self, where: Location) -> types.Location:
        path, line, start, end = where
        positions = self.positions_of(path)
        return types.Location(uri=path_to_uri(path), range=positions.range(line, start, line, end))


def key_at_position(context: RequestContext, position: types.Position) -> DefKey | None:
    """The definition named by the identifier at `position` (a name, an attribute of a
    module or class, or a module in an import statement)."""
    db = context.db
    positions = context.positions
    line_number, column = positions.from_client(position)
    line = positions.line(line_number)
    found = word_at(line, column)
    if found is None:
        return None
    word, start = found
    file = navigation.loaded_file(db, context.path)
    key = navigation.key_at(db, file, line_number, utf8_column(line, start), word)
    if key is not None:
        return key
    before = line[:start]
    chain = _CHAIN.search(before)
    module_match = _FROM_MODULE.match(line)
    import_match = _IMPORT.match(line)
    in_module_part = module_match is not None and start < module_match.end(1)
    if chain is not None and import_match is None and not in_module_part:
        parts = [p.strip() for p in chain.group(1).split(".") if p.strip()]
        first_start = chain.start(1)
        base = navigation.key_at(db, file, line_number, utf8_column(line, first_start), parts[0])
        for part in parts[1:]:
            if base is None:
                return None
            base = navigation.attribute_key(db, base, part)
        return None if base is None else navigation.attribute_key(db, base, word)
    if in_module_part or import_match is not None:
        # A module named in an import statement: the dotted name up to the cursor's word.
        end = start + len(word)
        text = line[:end]
        dotted = re.search(r"(\.*[\w.]*)$", text)
        name = dotted.group(1) if dotted else word
        if name.startswith("."):
            return None
        return navigation.module_key(db, name)
    return None
