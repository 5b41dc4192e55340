"""The per-file checks as plain functions, each the body of one query in `queries`.

`analyze_tree` chains them for one file without the engine (used by tests and as the
reference for what the queries compute).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Sequence
from dataclasses import dataclass

from salsify.python.bindings import FINAL, ScopeBindings, scope_bindings
from salsify.python.diagnostic import (
    STAR_IMPORT_USAGE,
    SYNTAX_ERROR,
    UNDEFINED_NAME,
    UNUSED_IMPORT,
    Diagnostic,
)
from salsify.python.extract import extract_tables
from salsify.python.resolve import (
    MODULE_ENVIRONMENT,
    Environment,
    ScopeResolution,
    child_environment,
    resolve_scope,
    unused_imports,
)
from salsify.python.scope_model import FileTables, ScopeTable

# pyflakes' builtins: the names of the builtins module plus a few module-level dunders.
BUILTIN_NAMES = frozenset(dir(builtins)) | {
    "__file__",
    "__builtins__",
    "__annotations__",
    "WindowsError",
}


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    line: int
    column: int
    message: str


def parse_source(text: str, filename: str = "<unknown>") -> ast.Module | SyntaxProblem:
    try:
        return ast.parse(text, filename)
    except SyntaxError as error:
        line = error.lineno or 1
        column = max((error.offset or 1) - 1, 0)
        return SyntaxProblem(line, column, f"SyntaxError: {error.msg}")
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxProblem(1, 0, f"SyntaxError: {error}")


def parent_path(path: str) -> str:
    return path.rpartition(".")[0]


def is_package_init(path: str) -> bool:
    return path.replace("\\", "/").rsplit("/", 1)[-1] == "__init__.py"


def undefined_name_messages(
    tables: FileTables,
    resolutions: dict[str, ScopeResolution],
    bindings: dict[str, ScopeBindings],
) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) for F821 and F405, positions read at the edge."""
    found: list[tuple[int, int, str, str]] = []
    for table in tables.tables:
        positions = tables.positions[table.path]
        events_by_load = _load_names(table)
        resolution = resolutions[table.path]
        for load in resolution.undefined:
            name = events_by_load[load]
            if name in tables.global_names:
                continue  # pyflakes drops undefined-name reports for names declared global
            line, column = positions[load]
            found.append((line, column, UNDEFINED_NAME, f"undefined name '{name}'"))
        for load in bindings[table.path].undefined_deletes:
            name = events_by_load[load]
            if name in tables.global_names:
                continue
            line, column = positions[load]
            found.append((line, column, UNDEFINED_NAME, f"undefined name '{name}'"))
        for load, modules in resolution.star_usages:
            line, column = positions[load]
            name = events_by_load[load]
            if name in tables.global_names:
                continue  # bound in the module by a `global` statement
            message = f"'{name}' may be undefined, or defined from star imports: {modules}"
            found.append((line, column, STAR_IMPORT_USAGE, message))
    found.extend(_undefined_exports_from_star_imports(tables, bindings[""]))
    return found


def _undefined_exports_from_star_imports(
    tables: FileTables, module: ScopeBindings
) -> list[tuple[int, int, str, str]]:
    """pyflakes' F405 for names listed in `__all__` that only a star import could define."""
    if not module.star_names or module.export_names is None:
        return []
    ordinal = module.final.get("__all__")
    if ordinal is None:
        return []
    line, column = tables.binding_positions[""][ordinal]
    modules = ", ".join(sorted(star[:-2] for star in module.star_names))
    return [
        (
            line,
            column,
            STAR_IMPORT_USAGE,
            f"'{name}' may be undefined, or defined from star imports: {modules}",
        )
        for name in module.export_names
        if module.lookup(name, FINAL) is None
    ]


def _load_names(table: ScopeTable) -> dict[int, str]:
    names: dict[int, str] = {}
    for event in table.events:
        if event[0] in (1, 2):  # LOAD, DELETE
            ordinal, name = event[2], event[1]
            assert isinstance(ordinal, int) and isinstance(name, str)
            names[ordinal] = name
    return names


def unused_import_messages(
    tables: FileTables,
    unused: Sequence[tuple[str, int]],
) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []
    for path, ordinal in unused:
        info = tables.table(path).bindings[ordinal].import_info
        assert info is not None
        line, column = tables.binding_positions[path][ordinal]
        found.append((line, column, UNUSED_IMPORT, f"'{info.display}' imported but unused"))
    return found


def resolve_file(
    tables: FileTables, *, package_init: bool
) -> tuple[dict[str, ScopeBindings], dict[str, ScopeResolution]]:
    """Bindings and resolutions of every scope, parents first (what the queries do lazily)."""
    bindings: dict[str, ScopeBindings] = {}
    environments: dict[str, Environment] = {}
    resolutions: dict[str, ScopeResolution] = {}
    for table in tables.tables:
        bindings[table.path] = scope_bindings(table, BUILTIN_NAMES)
        if table.path == "":
            environment = MODULE_ENVIRONMENT
        else:
            parent = parent_path(table.path)
            environment = child_environment(
                parent, bindings[parent], environments[parent], table.path, table.kind
            )
        environments[table.path] = environment
        enclosing = [bindings[frame.path] for frame in environment.frames]
        resolutions[table.path] = resolve_scope(
            table, bindings[table.path], environment, enclosing, is_package_init=package_init
        )
    return bindings, resolutions


def analyze_tree(path: str, tree: ast.Module) -> list[Diagnostic]:
    """F821, F405 and F401 for one parsed file, without the engine."""
    tables = extract_tables(tree)
    bindings, resolutions = resolve_file(tables, package_init=is_package_init(path))
    unused = unused_imports(
        tables.tables,
        [bindings[t.path] for t in tables.tables],
        [resolutions[t.path] for t in tables.tables],
    )
    rows = undefined_name_messages(tables, resolutions, bindings)
    rows += unused_import_messages(tables, unused)
    return sorted(Diagnostic(path, *row) for row in rows)


def analyze_source(path: str, text: str) -> list[Diagnostic]:
    tree = parse_source(text, path)
    if isinstance(tree, SyntaxProblem):
        return [Diagnostic(path, tree.line, tree.column, SYNTAX_ERROR, tree.message)]
    return analyze_tree(path, tree)
