"""The checker's inputs and identities: everything else is derived from these.

`SourceFile` and `Directory` mirror the file system (a missing file is a `SourceFile` whose
`text` is None, a missing directory has no `Directory` at all, and both absences are tracked
reads); `Settings` holds the roots and search paths. `FileId` and `ScopeId` are interned
identities: memoized results name files and scopes by them, never by positions.
"""

from __future__ import annotations

from typing import Any, cast

import salsify


@salsify.input
class SourceFile:
    path: str = salsify.field(key=True)
    text: str | None  # None: missing, or unreadable (then `problem` says why)
    problem: str | None = salsify.field(default=None)


@salsify.input
class Directory:
    path: str = salsify.field(key=True)
    entries: frozenset[str]  # file names, and directory names with a trailing "/"


@salsify.input
class Settings:
    name: str = salsify.field(key=True)
    roots: tuple[str, ...]  # project roots, searched first
    search_paths: tuple[str, ...]  # then these (stdlib, site-packages, --search-path)


@salsify.input
class ProjectFiles:
    name: str = salsify.field(key=True)
    paths: tuple[str, ...]  # sorted absolute paths of the project's Python files


@salsify.interned
class FileId:
    path: str


@salsify.interned
class ScopeId:
    file: FileId
    path: str  # qualified path inside the file: "" (module), "C.method", "f.<lambda>#1"


SETTINGS_KEY = "settings"
PROJECT_KEY = "project"


# The engine's decorators keep the classes' declared shape for type checkers, which do not
# know about the database argument or `get`; these helpers give the checker typed access.


def file_id(db: salsify.Database, path: str) -> FileId:
    created: FileId = cast(Any, FileId)(db, path)
    return created


def scope_id(db: salsify.Database, file: FileId, path: str) -> ScopeId:
    created: ScopeId = cast(Any, ScopeId)(db, file, path)
    return created


def get_source_file(db: salsify.Database, path: str) -> SourceFile | None:
    found: SourceFile | None = cast(Any, SourceFile).get(db, path=path)
    return found


def new_source_file(
    db: salsify.Database,
    path: str,
    text: str | None,
    problem: str | None,
    durability: salsify.Durability,
) -> SourceFile:
    created: SourceFile = cast(Any, SourceFile)(
        db, path=path, text=text, problem=problem, durability=durability
    )
    return created


def get_directory(db: salsify.Database, path: str) -> Directory | None:
    found: Directory | None = cast(Any, Directory).get(db, path=path)
    return found


def new_directory(
    db: salsify.Database, path: str, entries: frozenset[str], durability: salsify.Durability
) -> Directory:
    created: Directory = cast(Any, Directory)(db, path=path, entries=entries, durability=durability)
    return created


def get_settings(db: salsify.Database) -> Settings | None:
    found: Settings | None = cast(Any, Settings).get(db, name=SETTINGS_KEY)
    return found


def new_settings(
    db: salsify.Database, roots: tuple[str, ...], search_paths: tuple[str, ...]
) -> Settings:
    created: Settings = cast(Any, Settings)(
        db,
        name=SETTINGS_KEY,
        roots=roots,
        search_paths=search_paths,
        durability=salsify.Durability.MEDIUM,
    )
    return created


def get_project_files(db: salsify.Database) -> ProjectFiles | None:
    found: ProjectFiles | None = cast(Any, ProjectFiles).get(db, name=PROJECT_KEY)
    return found


def new_project_files(db: salsify.Database, paths: tuple[str, ...]) -> ProjectFiles:
    created: ProjectFiles = cast(Any, ProjectFiles)(db, name=PROJECT_KEY, paths=paths)
    return created


def set_fields(item: object, durability: salsify.Durability | None = None, **fields: Any) -> None:
    """`input.set(...)`, typed."""
    cast(Any, item).set(durability=durability, **fields)
