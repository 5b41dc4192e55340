"""The checker as salsify queries: each a thin memoized wrapper around one plain function.

Firewalls: `scope_table` (inside a file) and `module_exports` (across files) hold no
positions and compare by value, so an edit that does not change what a scope does with
names stops there. `parse` and `file_tables` hold positions and ASTs: never compared
(`eq=False`) and bounded (`lru=`). Positions are read again only by `file_diagnostics`.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

import salsify
from salsify.python import analysis, modules
from salsify.python.bindings import ScopeBindings
from salsify.python.bindings import scope_bindings as replay_bindings
from salsify.python.diagnostic import (
    IMPORT_CYCLE,
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    UNRESOLVED_IMPORT,
    Diagnostic,
)
from salsify.python.extract import extract_tables
from salsify.python.import_graph import strongly_connected_cycles
from salsify.python.inputs import (
    FileId,
    ScopeId,
    file_id,
    get_directory,
    get_project_files,
    get_settings,
    get_source_file,
    scope_id,
)
from salsify.python.modules import ModuleKind, Resolution
from salsify.python.resolve import (
    MODULE_ENVIRONMENT,
    Environment,
    ScopeResolution,
    child_environment,
    resolve_scope,
)
from salsify.python.resolve import unused_imports as find_unused_imports
from salsify.python.scope_model import (
    LOAD,
    BindingKind,
    FileTables,
    ImportInfo,
    ScopeKind,
    ScopeTable,
)

# Modules that exist in every running interpreter without a file to find.
ALWAYS_PRESENT = frozenset({"__main__"})
PARSE_LRU = 64
TABLES_LRU = 4096

# ---- inputs, read --------------------------------------------------------------------


@salsify.query
def source_text(db: salsify.Database, file: FileId) -> str | None:
    """The file's text; None when it is missing or unreadable."""
    source = get_source_file(db, file.path)
    return None if source is None else source.text


@salsify.query
def read_problem(db: salsify.Database, file: FileId) -> str | None:
    source = get_source_file(db, file.path)
    return None if source is None else source.problem


@salsify.query
def search_directories(db: salsify.Database) -> tuple[str, ...]:
    settings = get_settings(db)
    if settings is None:
        return ()
    return settings.roots + settings.search_paths


@salsify.query
def project_roots(db: salsify.Database) -> tuple[str, ...]:
    settings = get_settings(db)
    return () if settings is None else settings.roots


@salsify.query
def project_files(db: salsify.Database) -> tuple[FileId, ...]:
    project = get_project_files(db)
    if project is None:
        return ()
    return tuple(file_id(db, path) for path in project.paths)


def directory_listing(db: salsify.Database, path: str) -> frozenset[str] | None:
    directory = get_directory(db, path)
    return None if directory is None else directory.entries


# ---- syntax ----------------------------------------------------------------------------


@salsify.query(eq=False, lru=PARSE_LRU)
def parse(db: salsify.Database, file: FileId) -> ast.Module | analysis.SyntaxProblem | None:
    text = source_text(db, file)
    if text is None:
        return None
    return analysis.parse_source(text, file.path)


@salsify.query(eq=False, lru=TABLES_LRU)
def file_tables(db: salsify.Database, file: FileId) -> FileTables | None:
    """Every scope's table with positions (not compared: positions move on every edit)."""
    tree = parse(db, file)
    if not isinstance(tree, ast.Module):
        return None
    return extract_tables(tree)


@salsify.query
def scopes(db: salsify.Database, file: FileId) -> tuple[ScopeId, ...]:
    tables = file_tables(db, file)
    if tables is None:
        return ()
    return tuple(scope_id(db, file, table.path) for table in tables.tables)


@salsify.query
def scope_table(db: salsify.Database, scope: ScopeId) -> ScopeTable:
    """The firewall inside a file: what one scope does with names, without positions."""
    tables = file_tables(db, scope.file)
    assert tables is not None, "scope_table of a file that does not parse"
    return tables.table(scope.path)


# ---- names, one scope at a time --------------------------------------------------------


@salsify.query
def builtins_names(db: salsify.Database) -> frozenset[str]:
    return analysis.BUILTIN_NAMES


@salsify.query
def scope_bindings(db: salsify.Database, scope: ScopeId) -> ScopeBindings:
    table = scope_table(db, scope)
    initial = builtins_names(db) if table.kind is ScopeKind.MODULE else frozenset()
    return replay_bindings(table, initial)


@salsify.query
def scope_environment(db: salsify.Database, scope: ScopeId) -> Environment:
    if scope.path == "":
        return MODULE_ENVIRONMENT
    parent = scope_id(db, scope.file, analysis.parent_path(scope.path))
    return child_environment(
        parent.path,
        scope_bindings(db, parent),
        scope_environment(db, parent),
        scope.path,
        scope_table(db, scope).kind,
    )


@salsify.query
def scope_resolution(db: salsify.Database, scope: ScopeId) -> ScopeResolution:
    environment = scope_environment(db, scope)
    enclosing = [
        scope_bindings(db, scope_id(db, scope.file, frame.path)) for frame in environment.frames
    ]
    return resolve_scope(
        scope_table(db, scope),
        scope_bindings(db, scope),
        environment,
        enclosing,
        is_package_init=analysis.is_package_init(scope.file.path),
    )


@salsify.query
def unused_imports(db: salsify.Database, file: FileId) -> tuple[tuple[str, int], ...]:
    """(scope path, binding ordinal) of unused imports (F401)."""
    ids = scopes(db, file)
    if not ids:
        return ()
    return tuple(
        find_unused_imports(
            [scope_table(db, s) for s in ids],
            [scope_bindings(db, s) for s in ids],
            [scope_resolution(db, s) for s in ids],
        )
    )


# ---- modules ---------------------------------------------------------------------------


@salsify.query
def module_name(db: salsify.Database, file: FileId) -> str | None:
    return modules.module_name_for(file.path, project_roots(db))


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One import binding, made absolute; identities and ordinals only."""

    scope: str
    ordinal: int
    module: str | None  # absolute module name; None when a relative import escapes the top
    member: str | None
    guarded: bool
    at_module_level: bool
    starts_statement: bool = True


@salsify.query
def imports(db: salsify.Database, file: FileId) -> tuple[ImportRecord, ...]:
    importer = module_name(db, file)
    is_package = analysis.is_package_init(file.path)
    records: list[ImportRecord] = []
    for scope in scopes(db, file):
        table = scope_table(db, scope)
        for ordinal, binding in enumerate(table.bindings):
            info = binding.import_info
            if info is None or binding.kind is BindingKind.FUTURE_IMPORT:
                continue
            module = _absolute(importer, is_package, info)
            records.append(
                ImportRecord(
                    table.path,
                    ordinal,
                    module,
                    info.member,
                    info.guarded,
                    info.at_module_level,
                    info.starts_statement,
                )
            )
    return tuple(records)


def _absolute(importer: str | None, is_package: bool, info: ImportInfo) -> str | None:
    if info.level == 0:
        return info.module
    if importer is None:
        return None
    return modules.absolute_module(importer, is_package, info.module, info.level)


@salsify.query
def resolve_module(db: salsify.Database, name: str) -> Resolution:
    """Where module `name` (absolute) comes from; shared by every importer."""
    parent, _, last = name.rpartition(".")

    def listing(path: str) -> frozenset[str] | None:
        return directory_listing(db, path)

    if not parent:
        return modules.resolve_top_level(name, search_directories(db), listing)
    return modules.resolve_submodule(resolve_module(db, parent), last, listing)


@dataclass(frozen=True, slots=True)
class ModuleExports:
    """The firewall across files: a module's public names and what kind of thing each is."""

    names: frozenset[tuple[str, BindingKind]]
    dunder_all: tuple[str, ...] | None
    dynamic: bool  # star imports or a module `__getattr__`: any name may exist

    def has(self, name: str) -> bool:
        if self.dynamic or (self.dunder_all is not None and name in self.dunder_all):
            return True
        if name in MODULE_ATTRIBUTES:
            return True
        return any(n == name for n, _ in self.names)


# Attributes every module has without binding them (`from m import __doc__` is fine).
MODULE_ATTRIBUTES = frozenset(
    {
        "__doc__",
        "__name__",
        "__file__",
        "__spec__",
        "__loader__",
        "__package__",
        "__path__",
        "__builtins__",
        "__dict__",
        "__cached__",
        "__annotations__",
    }
)
# Loaded anywhere in a module, these can define module globals no table shows
# (`globals().update(...)` in hashlib and re._constants, `exec` in turtle).
DYNAMIC_DEFINERS = frozenset({"globals", "exec", "vars"})


@salsify.query
def module_exports(db: salsify.Database, file: FileId) -> ModuleExports | None:
    ids = scopes(db, file)
    if not ids:
        return None
    module = scope_bindings(db, ids[0])
    names = frozenset(
        (name, _export_kind(module.kind_of(ordinal))) for name, ordinal in module.final.items()
    )
    dynamic = (
        bool(module.star_names)
        or "__getattr__" in module.final
        or defines_globals_dynamically(db, file)
    )
    return ModuleExports(names, module.export_names, dynamic)


@salsify.query
def defines_globals_dynamically(db: salsify.Database, file: FileId) -> bool:
    """Does some scope of the file load `globals`, `exec` or `vars`? A firewall of its own:
    it reads every scope table, and its equal answer spares `module_exports` on body edits."""
    return any(
        event[0] == LOAD and event[1] in DYNAMIC_DEFINERS
        for scope in scopes(db, file)
        for event in scope_table(db, scope).events
    )


def _export_kind(kind: BindingKind) -> BindingKind:
    if kind in (BindingKind.ARGUMENT, BindingKind.BINDING, BindingKind.NAMED_EXPR):
        return BindingKind.ASSIGNMENT
    return kind


def _source_file_of(db: salsify.Database, resolution: Resolution) -> FileId | None:
    if resolution.path is None or not resolution.kind.has_source:
        return None
    return file_id(db, resolution.path)


@salsify.query
def unresolved_imports(db: salsify.Database, file: FileId) -> tuple[tuple[str, int, str], ...]:
    """(scope path, binding ordinal, message) of imports that cannot be found (I001)."""
    found: list[tuple[str, int, str]] = []
    for record in imports(db, file):
        # `from missing import a, b, c` is one missing module, reported once.
        same_statement = not record.starts_statement
        if record.guarded:
            continue
        if record.module is None:
            if not same_statement:
                message = "relative import beyond the top package"
                found.append((record.scope, record.ordinal, message))
            continue
        if record.module in ALWAYS_PRESENT:
            continue
        resolution = resolve_module(db, record.module)
        if resolution.kind is ModuleKind.MISSING:
            if not same_statement:
                message = f"unresolved import '{record.module}'"
                found.append((record.scope, record.ordinal, message))
            continue
        if record.member is None or record.member == "*":
            continue
        target = _source_file_of(db, resolution)
        if target is not None and not _in_project_roots(db, target.path):
            continue  # only project modules are read (the stdlib may be loaded by the LSP)
        exports = None if target is None else module_exports(db, target)
        if exports is None or exports.has(record.member):
            continue
        submodule = resolve_module(db, f"{record.module}.{record.member}").kind
        # A plain module has no submodules: `OPAQUE` (what `os.path` resolves to) is missing.
        if submodule is ModuleKind.MISSING or (
            submodule is ModuleKind.OPAQUE and not resolution.kind.is_package
        ):
            message = f"unresolved import '{record.member}' from '{record.module}'"
            found.append((record.scope, record.ordinal, message))
    return tuple(found)


@salsify.query
def import_edges(db: salsify.Database, file: FileId) -> tuple[tuple[FileId, str, int], ...]:
    """Project files this one imports when it runs: (target, scope path, binding ordinal)."""
    edges: dict[FileId, tuple[str, int]] = {}
    for record in imports(db, file):
        if record.guarded or not record.at_module_level or record.module is None:
            continue
        targets = [record.module]
        if record.member is not None and record.member != "*":
            targets.append(f"{record.module}.{record.member}")
        for name in targets:
            target = _source_file_of(db, resolve_module(db, name))
            if target is not None and target is not file and target not in edges:
                edges[target] = (record.scope, record.ordinal)
    return tuple((target, scope, ordinal) for target, (scope, ordinal) in edges.items())


@salsify.query
def import_cycles(db: salsify.Database) -> tuple[tuple[FileId, ...], ...]:
    """One cycle per strongly connected group of project files, starting at its first file."""
    files = project_files(db)
    in_project = set(files)
    graph = {
        file: [target for target, _, _ in import_edges(db, file) if target in in_project]
        for file in files
    }
    return strongly_connected_cycles(graph, key=lambda f: f.path)


@salsify.query
def cycles_reported_in(db: salsify.Database, file: FileId) -> tuple[tuple[FileId, ...], ...]:
    return tuple(cycle for cycle in import_cycles(db) if cycle[0] is file)


# ---- diagnostics, where positions come back --------------------------------------------


@salsify.query
def file_diagnostics(db: salsify.Database, file: FileId) -> tuple[Diagnostic, ...]:
    """Every diagnostic of the file: `local_diagnostics` and the import cycles it starts."""
    found = local_diagnostics(db, file)
    cycles = cycles_reported_in(db, file)
    if not cycles:
        return found
    tables = file_tables(db, file)
    assert tables is not None, "a file in an import cycle parses"
    rows: list[tuple[int, int, str, str]] = []
    edges = {target: (scope, ordinal) for target, scope, ordinal in import_edges(db, file)}
    for cycle in cycles:
        scope, ordinal = edges[cycle[1 % len(cycle)]]
        line, column = tables.binding_positions[scope][ordinal]
        names = " -> ".join(_relative(db, f.path) for f in (*cycle, cycle[0]))
        rows.append((line, column, IMPORT_CYCLE, f"import cycle: {names}"))
    return tuple(sorted((*found, *(Diagnostic(file.path, *row) for row in rows))))


@salsify.query
def local_diagnostics(db: salsify.Database, file: FileId) -> tuple[Diagnostic, ...]:
    """The file's diagnostics without import cycles (which need every project file parsed):
    what the language server publishes first for an opened or edited file."""
    path = file.path
    problem = read_problem(db, file)
    if problem is not None:
        return (Diagnostic(path, 1, 0, UNREADABLE_FILE, problem),)
    # Ask for the tables first: `parse` is evicted early, `file_tables` is kept longer, and
    # the tree is needed here only when there are no tables (a syntax error or no file).
    tables = file_tables(db, file)
    if tables is None:
        tree = parse(db, file)
        if isinstance(tree, analysis.SyntaxProblem):
            return (Diagnostic(path, tree.line, tree.column, SYNTAX_ERROR, tree.message),)
        return ()
    ids = scopes(db, file)
    resolutions = {s.path: scope_resolution(db, s) for s in ids}
    bindings = {s.path: scope_bindings(db, s) for s in ids}
    rows = analysis.undefined_name_messages(tables, resolutions, bindings)
    rows += analysis.unused_import_messages(tables, unused_imports(db, file))
    for scope, ordinal, message in unresolved_imports(db, file):
        line, column = tables.binding_positions[scope][ordinal]
        rows.append((line, column, UNRESOLVED_IMPORT, message))
    return tuple(sorted(Diagnostic(path, *row) for row in rows))


def _in_project_roots(db: salsify.Database, path: str) -> bool:
    return any(not os.path.relpath(path, root).startswith(os.pardir) for root in project_roots(db))


def _relative(db: salsify.Database, path: str) -> str:
    for root in project_roots(db):
        relative = os.path.relpath(path, root)
        if not relative.startswith(os.pardir):
            return relative
    return path


@salsify.query
def project_diagnostics(db: salsify.Database) -> tuple[tuple[str, tuple[Diagnostic, ...]], ...]:
    return tuple((file.path, file_diagnostics(db, file)) for file in project_files(db))


__all__ = [
    "ImportRecord",
    "ModuleExports",
    "builtins_names",
    "cycles_reported_in",
    "file_diagnostics",
    "file_tables",
    "import_cycles",
    "import_edges",
    "imports",
    "local_diagnostics",
    "module_exports",
    "module_name",
    "parse",
    "project_diagnostics",
    "project_files",
    "read_problem",
    "resolve_module",
    "scope_bindings",
    "scope_environment",
    "scope_resolution",
    "scope_table",
    "scopes",
    "source_text",
    "unresolved_imports",
    "unused_imports",
]
