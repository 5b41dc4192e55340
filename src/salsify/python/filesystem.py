"""Reading the file system into input values: file texts, directory listings, project files."""

from __future__ import annotations

import io
import os
import sys
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_FILE_BYTES = 8 * 1024 * 1024
SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules"})
# A virtual environment is skipped by its marker file, not its name: the stdlib has a
# `venv` package that must be checked.
VIRTUAL_ENV_MARKER = "pyvenv.cfg"


@dataclass(frozen=True, slots=True)
class ReadResult:
    text: str | None
    problem: str | None


def read_source(path: str) -> ReadResult:
    """A file's text, or why it cannot be checked (never raises for a bad file)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return ReadResult(None, None)
    except OSError as error:
        return ReadResult(None, f"cannot read file: {error.strerror or error}")
    if len(data) > MAX_FILE_BYTES:
        return ReadResult(None, f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if b"\0" in data:
        return ReadResult(None, "binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        return ReadResult(None, f"cannot decode file: {reason}")
    if text.startswith("\ufeff"):
        text = text[1:]
    return ReadResult(text, None)


def listing_of(path: str) -> frozenset[str] | None:
    """Entry names of a directory, sub-directories with a trailing "/"; None if unreadable."""
    try:
        with os.scandir(path) as entries:
            return frozenset(
                entry.name + "/" if entry.is_dir() else entry.name for entry in entries
            )
    except OSError:
        return None


def walk_directories(root: str, *, packages_only: bool) -> Iterator[tuple[str, frozenset[str]]]:
    """(directory, listing) for `root` and the directories below it, iteratively.

    With `packages_only`, descend only into directories whose names are identifiers (the
    only ones an import can reach): used for search paths, which can be large.
    """
    pending = [root]
    while pending:
        directory = pending.pop()
        entries = listing_of(directory)
        if entries is None:
            continue
        yield directory, entries
        for entry in sorted(entries, reverse=True):
            if not entry.endswith("/"):
                continue
            name = entry[:-1]
            if name in SKIPPED_DIRECTORIES or name.startswith("."):
                continue
            if packages_only and not name.isidentifier():
                continue
            path = os.path.join(directory, name)
            if not packages_only and os.path.exists(os.path.join(path, VIRTUAL_ENV_MARKER)):
                continue
            pending.append(path)


def python_files(listings: Iterable[tuple[str, frozenset[str]]]) -> list[str]:
    return sorted(
        os.path.join(directory, entry)
        for directory, entries in listings
        for entry in entries
        if entry.endswith(".py")
    )


def import_root(directory: str) -> str:
    """The directory to import from: above every package that contains `directory`."""
    current = directory
    while os.path.isfile(os.path.join(current, "__init__.py")):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return current


def default_search_paths(exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """The running interpreter's import path: stdlib, lib-dynload, site-packages."""
    excluded = {os.path.realpath(p) for p in exclude}
    found: list[str] = []
    for entry in sys.path[1:]:
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        if real in excluded or entry in found:
            continue
        found.append(os.path.abspath(entry))
    return tuple(found)
