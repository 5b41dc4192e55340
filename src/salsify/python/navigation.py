"""Navigation queries for the language server: what a name refers to, where it is defined,
what it is, where it is used, and what a file declares.

Identities first, positions at the edge, as in the checker. `load_targets` (which binding
each load of a scope reads) and `canonical_binding` (the definition behind a binding,
through imports and re-exports) hold no positions and compare by value; `name_occurrences`
is the per-file index that find-references scans, and it stays equal after an edit that
moves code around. Positions come back only in `def_location`, `position_index` and
`document_symbols`.

Files outside the project (the stdlib, site-packages) are read on demand: a query that needs
one that is not an input yet raises `NeedSource(path)` (errors are not memoized), the caller
creates the input outside any query (`Workspace.load_external`) and asks again.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from dataclasses import dataclass

import salsify
from salsify.python.bindings import BUILTIN, FINAL, ScopeBindings
from salsify.python.inputs import FileId, ScopeId, file_id, get_source_file, scope_id
from salsify.python.modules import ModuleKind
from salsify.python.queries import (
    ImportRecord,
    directory_listing,
    file_tables,
    imports,
    parse,
    resolve_module,
    scope_bindings,
    scope_environment,
    scope_table,
    scopes,
    source_text,
)
from salsify.python.resolve import Environment
from salsify.python.scope_model import (
    DELETE,
    LOAD,
    POSTPONED,
    BindingKind,
    ScopeKind,
    ScopeTable,
)

MODULE = "module"
BINDING = "binding"
BUILTIN_KIND = "builtin"


class NeedSource(Exception):
    """A query needs the text of `path`, which is not an input yet."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass(frozen=True, slots=True, order=True)
class DefKey:
    """A definition, by identity: a binding (file, scope path, ordinal), a module or a builtin."""

    kind: str  # MODULE, BINDING or BUILTIN_KIND
    name: str
    path: str | None = None  # the file that defines it; None: no source (builtin, compiled)
    scope: str = ""
    ordinal: int = -1
    module: str | None = None  # modules: the absolute module name


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name in a file: a load (`binding=False`) or a binding, by scope and ordinal."""

    key: DefKey
    scope: str
    binding: bool
    ordinal: int


@dataclass(frozen=True, slots=True)
class DefInfo:
    """What hover shows: the kind of thing, its signature and its docstring's first paragraph."""

    kind: str  # function, class, variable, parameter, module, import, builtin
    name: str
    signature: str
    doc: str


# ---- files -------------------------------------------------------------------------------


def loaded_file(db: salsify.Database, path: str) -> FileId:
    """The file's identity; raises `NeedSource` when its text is not an input yet."""
    if get_source_file(db, path) is None:
        raise NeedSource(path)
    return file_id(db, path)


@salsify.query
def source_lines(db: salsify.Database, file: FileId) -> tuple[str, ...]:
    text = source_text(db, file)
    return () if text is None else tuple(split_lines(text))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as Python and the protocol count them (not `str.splitlines`, which also breaks
    at form feeds and other separators)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# ---- what each load reads ------------------------------------------------------------------

Target = tuple[str, int]  # (scope path, binding ordinal); ordinal BUILTIN for a builtin


@salsify.query
def load_targets(db: salsify.Database, scope: ScopeId) -> tuple[Target | None, ...]:
    """By load ordinal: the binding each load (or `del`) of the scope reads, None if unbound.

    The same walk as `resolve.resolve_scope` (pyflakes' rules), keeping the binding found.
    """
    table = scope_table(db, scope)
    own = scope_bindings(db, scope)
    environment = scope_environment(db, scope)
    enclosing = [
        scope_bindings(db, scope_id(db, scope.file, frame.path)) for frame in environment.frames
    ]
    return targets_of(table, own, environment, enclosing)


def targets_of(
    table: ScopeTable,
    own: ScopeBindings,
    environment: Environment,
    enclosing: list[ScopeBindings],
) -> tuple[Target | None, ...]:
    """The body of `load_targets`, as a plain function (completion runs it on a buffer)."""
    targets: list[Target | None] = [None] * table.load_count
    for time, event in enumerate(table.events):
        tag = event[0]
        if tag == DELETE:
            name, load = event[1], event[2]
            assert isinstance(name, str) and isinstance(load, int)
            ordinal = own.lookup(name, time)
            targets[load] = None if ordinal is None else (table.path, ordinal)
            continue
        if tag != LOAD:
            continue
        name, load, flags = event[1], event[2], event[3]
        assert isinstance(name, str) and isinstance(load, int) and isinstance(flags, int)
        deferred = bool(flags & 1)
        postponed = bool(flags & POSTPONED)
        chain: list[tuple[str, ScopeBindings, int]] = [
            (table.path, own, FINAL if deferred else time)
        ]
        for frame, bindings in zip(environment.frames, enclosing, strict=True):
            chain.append((frame.path, bindings, FINAL if deferred else frame.time))
        targets[load] = _lookup_chain(name, chain, postponed)
    return tuple(targets)


def _lookup_chain(
    name: str, chain: list[tuple[str, ScopeBindings, int]], postponed: bool
) -> Target | None:
    can_access_class_vars: bool | None = None
    for scope_path, bindings, at in chain:
        if bindings.kind is ScopeKind.CLASS:
            if name == "__class__":
                return None
            if can_access_class_vars is False:
                continue
        ordinal = bindings.lookup(name, at)
        if (
            ordinal is not None
            and ordinal != BUILTIN
            and bindings.kinds[ordinal] is BindingKind.ANNOTATION
            and not postponed
        ):
            continue
        if ordinal is not None:
            if ordinal != BUILTIN and bindings.kinds[ordinal] is BindingKind.GLOBAL:
                # `global x` / `nonlocal x`: the name lives in the module (or an outer function).
                continue
            return (scope_path, ordinal)
        if can_access_class_vars is not False:
            can_access_class_vars = bindings.kind is ScopeKind.COMPREHENSION
    return None


# ---- definitions, through imports ----------------------------------------------------------


def _no_definition(db: salsify.Database, *args: object) -> DefKey | None:
    return None


def _import_record(db: salsify.Database, scope: ScopeId, ordinal: int) -> ImportRecord | None:
    for record in imports(db, scope.file):
        if record.scope == scope.path and record.ordinal == ordinal:
            return record
    return None


@salsify.query
def module_key(db: salsify.Database, name: str) -> DefKey | None:
    """The module `name` (absolute) as a definition; None when it cannot be found."""
    resolution = resolve_module(db, name)
    if resolution.kind is ModuleKind.MISSING:
        return None
    path = resolution.path if resolution.kind.has_source else None
    return DefKey(MODULE, name.rpartition(".")[2], path, module=name)


@salsify.query(cycle_initial=_no_definition)
def canonical_binding(db: salsify.Database, scope: ScopeId, ordinal: int) -> DefKey | None:
    """The definition behind binding `ordinal` of `scope`: itself, or what an import names."""
    table = scope_table(db, scope)
    binding = table.bindings[ordinal]
    here = DefKey(BINDING, binding.name, scope.file.path, scope.path, ordinal)
    kind = binding.kind
    if not kind.is_import or kind is BindingKind.FUTURE_IMPORT:
        return here
    record = _import_record(db, scope, ordinal)
    if record is None or record.module is None:
        return here
    found: DefKey | None
    if kind is BindingKind.SUBMODULE_IMPORT:
        found = module_key(db, record.module.partition(".")[0])
    elif kind is BindingKind.FROM_IMPORT and record.member is not None:
        found = module_member(db, record.module, record.member)
    else:  # import a.b as c, from m import *
        found = module_key(db, record.module)
    return here if found is None else found


@salsify.query(cycle_initial=_no_definition)
def module_member(db: salsify.Database, module: str, member: str) -> DefKey | None:
    """What `module.member` is: a module-level binding (followed through re-exports and
    star imports), or a submodule."""
    resolution = resolve_module(db, module)
    top: ScopeId | None = None
    if resolution.kind.has_source and resolution.path is not None:
        file = loaded_file(db, resolution.path)
        ids = scopes(db, file)
        if ids:
            top = ids[0]
            ordinal = _module_level_binding(scope_bindings(db, top), member)
            if ordinal is not None:
                return canonical_binding(db, top, ordinal)
    if resolution.kind is not ModuleKind.MISSING:
        submodule = f"{module}.{member}"
        if resolve_module(db, submodule).kind not in (ModuleKind.MISSING, ModuleKind.OPAQUE):
            return module_key(db, submodule)
    if top is not None:
        bindings = scope_bindings(db, top)
        for star in bindings.star_names:
            star_ordinal = bindings.final.get(star)
            if star_ordinal is None:
                continue
            source = canonical_binding(db, top, star_ordinal)
            if source is not None and source.kind == MODULE and source.module is not None:
                found = module_member(db, source.module, member)
                if found is not None:
                    return found
    return None


def _module_level_binding(bindings: ScopeBindings, name: str) -> int | None:
    """The binding `module.name` refers to: the final one, except that when every binding
    of the name is an import, the first (`os.path`: `import posixpath as path` comes before
    the Windows branch's `import ntpath as path`)."""
    ordinal = bindings.final.get(name)
    if ordinal is None or ordinal < 0:
        return None
    history = bindings.changes.get(name)
    if history is not None:
        ordinals = [o for o in history[1] if o >= 0]
        if len(ordinals) > 1 and all(bindings.kinds[o].is_import for o in ordinals):
            return ordinals[0]
    return ordinal


def builtin_key(name: str) -> DefKey:
    return DefKey(BUILTIN_KIND, name)


def target_key(db: salsify.Database, scope: ScopeId, name: str, target: Target) -> DefKey | None:
    path, ordinal = target
    if ordinal == BUILTIN:
        return builtin_key(name)
    return canonical_binding(db, scope_id(db, scope.file, path), ordinal)


def class_member(db: salsify.Database, key: DefKey, member: str) -> DefKey | None:
    """`Class.member` for a class defined in source: a binding of the class body."""
    if key.kind != BINDING or key.path is None:
        return None
    file = loaded_file(db, key.path)
    table = scope_table(db, scope_id(db, file, key.scope))
    if table.bindings[key.ordinal].kind is not BindingKind.CLASS:
        return None
    inner = key.name if not key.scope else f"{key.scope}.{key.name}"
    if inner not in {s.path for s in scopes(db, file)}:
        return None
    body = scope_id(db, file, inner)
    ordinal = scope_bindings(db, body).final.get(member)
    if ordinal is None or ordinal < 0:
        return None
    return canonical_binding(db, body, ordinal)


def class_members(db: salsify.Database, key: DefKey) -> dict[str, BindingKind]:
    """The names a class body binds (completion after `Class.`)."""
    if key.kind != BINDING or key.path is None:
        return {}
    file = loaded_file(db, key.path)
    inner = key.name if not key.scope else f"{key.scope}.{key.name}"
    if inner not in {s.path for s in scopes(db, file)}:
        return {}
    bindings = scope_bindings(db, scope_id(db, file, inner))
    return {n: bindings.kinds[o] for n, o in bindings.final.items() if o >= 0}


def attribute_key(db: salsify.Database, base: DefKey, member: str) -> DefKey | None:
    """`base.member` where `base` is a module or a class."""
    if base.kind == MODULE and base.module is not None:
        return module_member(db, base.module, member)
    return class_member(db, base, member)


# ---- where definitions are -------------------------------------------------------------------

Location = tuple[str, int, int, int]  # (path, line, start column, end column), UTF-8 columns

_IDENTIFIER = re.compile(r"[A-Za-z_\u0080-\U0010ffff][\w\u0080-\U0010ffff]*")


@salsify.query
def def_location(db: salsify.Database, key: DefKey) -> Location | None:
    """Where the definition's name is written; a module is its file's first line."""
    if key.path is None:
        return None
    if key.kind == MODULE:
        return (key.path, 1, 0, 0)
    file = loaded_file(db, key.path)
    tables = file_tables(db, file)
    if tables is None or key.scope not in tables.binding_positions:
        return (key.path, 1, 0, 0)
    positions = tables.binding_positions[key.scope]
    if key.ordinal >= len(positions):
        return (key.path, 1, 0, 0)
    line, column = positions[key.ordinal]
    lines = source_lines(db, file)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return (key.path, line, *_name_columns(text, column, key.name))


def _name_columns(line: str, column: int, name: str) -> tuple[int, int]:
    """UTF-8 columns of `name` written at or after `column` (`def name`, `class name`)."""
    data = line.encode("utf-8", "replace")
    wanted = name.encode("utf-8", "replace")
    if data.startswith(wanted, column):
        return column, column + len(wanted)
    found = re.compile(rb"(?<![\w])" + re.escape(wanted) + rb"(?![\w])").search(data, column)
    if found is not None:
        return found.start(), found.end()
    match = _IDENTIFIER.match(data[column:].decode("utf-8", "replace"))
    width = len(match.group().encode()) if match else 0
    return column, column + width


# ---- what a position names -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionIndex:
    """(line, UTF-8 column) -> (scope path, is binding, ordinal), and the scopes' spans."""

    names: dict[tuple[int, int], tuple[str, bool, int]]
    spans: tuple[tuple[str, tuple[int, int, int, int]], ...]  # innermost last


@salsify.query(eq=False, lru=256)
def position_index(db: salsify.Database, file: FileId) -> PositionIndex | None:
    tables = file_tables(db, file)
    if tables is None:
        return None
    lines = source_lines(db, file)
    names: dict[tuple[int, int], tuple[str, bool, int]] = {}
    for table in tables.tables:
        for ordinal, (line, column) in enumerate(tables.binding_positions[table.path]):
            binding = table.bindings[ordinal]
            if binding.kind in (BindingKind.FUNCTION, BindingKind.CLASS):
                text = lines[line - 1] if 0 < line <= len(lines) else ""
                column = _name_columns(text, column, binding.name)[0]
            names.setdefault((line, column), (table.path, True, ordinal))
        for load, position in enumerate(tables.positions[table.path]):
            names.setdefault(position, (table.path, False, load))
    spans = tuple(sorted(tables.spans.items(), key=lambda item: item[1][:2]))
    return PositionIndex(names, spans)


def scope_at(index: PositionIndex, line: int, column: int) -> str:
    """The innermost scope whose node contains (line, column)."""
    found = ""
    for path, (start_line, start_col, end_line, end_col) in index.spans:
        inside = (start_line, start_col) <= (line, column) <= (end_line, end_col)
        if inside and len(path) >= len(found):
            found = path
    return found


def key_at(db: salsify.Database, file: FileId, line: int, column: int, name: str) -> DefKey | None:
    """The definition named at (line, UTF-8 column) where identifier `name` starts."""
    index = position_index(db, file)
    if index is None:
        return None
    hit = index.names.get((line, column))
    if hit is None:
        return None
    scope_path, is_binding, ordinal = hit
    scope = scope_id(db, file, scope_path)
    if is_binding:
        table = scope_table(db, scope)
        binding = table.bindings[ordinal]
        if binding.kind is BindingKind.GLOBAL:
            return module_binding(db, file, name)
        return canonical_binding(db, scope, ordinal)
    target = load_targets(db, scope)[ordinal]
    if target is None:
        return None
    return target_key(db, scope, name, target)


def module_binding(db: salsify.Database, file: FileId, name: str) -> DefKey | None:
    ids = scopes(db, file)
    if not ids:
        return None
    ordinal = scope_bindings(db, ids[0]).final.get(name)
    if ordinal is None or ordinal < 0:
        return None
    return canonical_binding(db, ids[0], ordinal)


# ---- references ------------------------------------------------------------------------------


@salsify.query
def file_names(db: salsify.Database, file: FileId) -> frozenset[str]:
    """Every name a file binds, loads or imports: the cheap filter of find-references."""
    names: set[str] = set()
    for scope in scopes(db, file):
        table = scope_table(db, scope)
        for binding in table.bindings:
            names.add(binding.name)
            info = binding.import_info
            if info is not None:
                if info.member is not None:
                    names.add(info.member)
                names.update(info.module.split("."))
        for event in table.events:
            if event[0] in (LOAD, DELETE):
                names.add(str(event[1]))
    return frozenset(names)


@salsify.query
def name_occurrences(db: salsify.Database, file: FileId) -> tuple[Occurrence, ...]:
    """Every name of the file with the definition it refers to. No positions: an edit that
    moves code leaves it equal, and `file_references` of other names stays valid."""
    found: list[Occurrence] = []
    for scope in scopes(db, file):
        table = scope_table(db, scope)
        for ordinal, binding in enumerate(table.bindings):
            if binding.kind in (BindingKind.GLOBAL, BindingKind.STAR_IMPORT):
                continue
            key = canonical_binding(db, scope, ordinal)
            if key is not None:
                found.append(Occurrence(key, scope.path, True, ordinal))
        load_names = {int(str(e[2])): str(e[1]) for e in table.events if e[0] in (LOAD, DELETE)}
        for load, target in enumerate(load_targets(db, scope)):
            if target is None:
                continue
            key = target_key(db, scope, load_names.get(load, ""), target)
            if key is not None:
                found.append(Occurrence(key, scope.path, False, load))
    return tuple(found)


@salsify.query
def file_references(db: salsify.Database, file: FileId, key: DefKey) -> tuple[Occurrence, ...]:
    """The occurrences of `key` in one file (read through the cheap name filter first)."""
    names = file_names(db, file)
    if key.name not in names and (key.module is None or key.module.split(".")[0] not in names):
        return ()
    return tuple(o for o in name_occurrences(db, file) if o.key == key)


def occurrence_location(db: salsify.Database, file: FileId, occurrence: Occurrence) -> Location:
    tables = file_tables(db, file)
    path = file.path
    if tables is None:
        return (path, 1, 0, 0)
    if occurrence.binding:
        line, column = tables.binding_positions[occurrence.scope][occurrence.ordinal]
    else:
        line, column = tables.positions[occurrence.scope][occurrence.ordinal]
    lines = source_lines(db, file)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    name = occurrence.key.name
    if occurrence.binding:
        table = scope_table(db, scope_id(db, file, occurrence.scope))
        name = table.bindings[occurrence.ordinal].name
    return (path, line, *_name_columns(text, column, name))


# ---- hover -------------------------------------------------------------------------------------


@salsify.query
def def_info(db: salsify.Database, key: DefKey) -> DefInfo:
    if key.kind == BUILTIN_KIND:
        return _builtin_info(key.name)
    if key.kind == MODULE:
        doc = ""
        if key.path is not None:
            tree = parse(db, loaded_file(db, key.path))
            if isinstance(tree, ast.Module):
                doc = first_paragraph(ast.get_docstring(tree) or "")
        return DefInfo(MODULE, key.name, f"module {key.module}", doc)
    assert key.path is not None
    file = loaded_file(db, key.path)
    table = scope_table(db, scope_id(db, file, key.scope))
    binding = table.bindings[key.ordinal]
    location = def_location(db, key)
    node = None
    if location is not None and binding.kind in (BindingKind.FUNCTION, BindingKind.CLASS):
        tree = parse(db, file)
        if isinstance(tree, ast.Module):
            node = _definition_node(tree, location[1], key.name)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
        signature = f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"
        kind = "method" if table.kind is ScopeKind.CLASS else "function"
        return DefInfo(kind, key.name, signature, first_paragraph(ast.get_docstring(node) or ""))
    if isinstance(node, ast.ClassDef):
        bases = [ast.unparse(b) for b in node.bases] + [ast.unparse(k) for k in node.keywords]
        signature = f"class {node.name}" + (f"({', '.join(bases)})" if bases else "")
        return DefInfo("class", key.name, signature, first_paragraph(ast.get_docstring(node) or ""))
    kind = {
        BindingKind.ARGUMENT: "parameter",
        BindingKind.FUNCTION: "function",
        BindingKind.CLASS: "class",
    }.get(binding.kind, "import" if binding.kind.is_import else "variable")
    return DefInfo(kind, key.name, f"{kind} {key.name}", "")


def _definition_node(tree: ast.Module, line: int, name: str) -> ast.AST | None:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
            and node.lineno == line
        ):
            return node
    return None


def _builtin_info(name: str) -> DefInfo:
    value = getattr(builtins, name, None)
    if value is None:
        return DefInfo(BUILTIN_KIND, name, f"builtin {name}", "")
    kind = "class" if isinstance(value, type) else "function" if callable(value) else "variable"
    try:
        signature = f"{name}{inspect.signature(value)}"
    except (TypeError, ValueError):
        signature = name
    prefix = {"class": "class", "function": "def"}.get(kind, "")
    doc = first_paragraph(inspect.getdoc(value) or "") if kind != "variable" else ""
    return DefInfo(f"builtin {kind}", name, f"{prefix} {signature}".strip(), doc)


def first_paragraph(doc: str) -> str:
    return doc.strip().split("\n\n", 1)[0].strip()


# ---- document symbols ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Symbol:
    """A declaration: `span` is (line, column, end line, end column), UTF-8 columns."""

    name: str
    kind: str  # class, function, method, variable, constant
    span: tuple[int, int, int, int]
    name_span: tuple[int, int, int, int]
    children: tuple[Symbol, ...]
    container: str  # qualified name of the parent ("" at module level)


@salsify.query
def document_symbols(db: salsify.Database, file: FileId) -> tuple[Symbol, ...]:
    tree = parse(db, file)
    if not isinstance(tree, ast.Module):
        return ()
    lines = source_lines(db, file)
    return tuple(_symbols(tree.body, lines, "", in_class=False))


def _symbols(
    body: list[ast.stmt], lines: tuple[str, ...], container: str, *, in_class: bool
) -> list[Symbol]:
    found: list[Symbol] = []
    seen: set[str] = set()
    for node in _flatten(body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            qualified = f"{container}.{node.name}" if container else node.name
            is_class = isinstance(node, ast.ClassDef)
            kind = "class" if is_class else "method" if in_class else "function"
            children = _symbols(node.body, lines, qualified, in_class=is_class)
            text = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
            start, end = _name_columns(text, node.col_offset, node.name)
            found.append(
                Symbol(
                    node.name,
                    kind,
                    _node_span(node),
                    (node.lineno, start, node.lineno, end),
                    tuple(children),
                    container,
                )
            )
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in _target_names(target):
                    if name.id in seen:
                        continue
                    seen.add(name.id)
                    kind = "constant" if name.id.isupper() else "variable"
                    span = (name.lineno, name.col_offset, name.lineno, name.end_col_offset or 0)
                    found.append(Symbol(name.id, kind, _node_span(node), span, (), container))
    return found


def _flatten(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of a body, looking inside `if`/`try`/`with` blocks (conditional defs)."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If | ast.Try | ast.TryStar | ast.With | ast.AsyncWith):
            inner: list[ast.stmt] = list(node.body)
            if isinstance(node, ast.If | ast.Try | ast.TryStar):
                inner += node.orelse
            if isinstance(node, ast.Try | ast.TryStar):
                for handler in node.handlers:
                    inner += handler.body
                inner += node.finalbody
            out.extend(_flatten(inner))
        else:
            out.append(node)
    return out


def _target_names(target: ast.expr) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _node_span(node: ast.stmt) -> tuple[int, int, int, int]:
    start = node.lineno
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        start = min(start, *(d.lineno for d in decorators))
    column = node.col_offset if start == node.lineno else 0
    return (start, column, node.end_lineno or node.lineno, node.end_col_offset or 0)


@salsify.query
def flat_symbols(db: salsify.Database, file: FileId) -> tuple[Symbol, ...]:
    """Every symbol of the file, all levels (workspace symbols)."""
    out: list[Symbol] = []
    pending = list(document_symbols(db, file))
    while pending:
        symbol = pending.pop()
        out.append(symbol)
        pending.extend(symbol.children)
    return tuple(out)


# ---- completion helpers ------------------------------------------------------------------------


def visible_names(db: salsify.Database, file: FileId, scope_path: str) -> dict[str, BindingKind]:
    """Names visible in a scope (its own, enclosing functions', the module's), by kind."""
    names: dict[str, BindingKind] = {}
    paths = [scope_path]
    environment = scope_environment(db, scope_id(db, file, scope_path))
    paths += [frame.path for frame in environment.frames]
    for path in paths:
        bindings = scope_bindings(db, scope_id(db, file, path))
        if bindings.kind is ScopeKind.CLASS and path != scope_path:
            continue
        for name, ordinal in bindings.final.items():
            if ordinal >= 0 and not name.endswith(".*"):
                names.setdefault(name, bindings.kinds[ordinal])
    return names


def module_names(db: salsify.Database, module: str) -> dict[str, BindingKind]:
    """Names of `module.`: its module-level bindings and its submodules."""
    names: dict[str, BindingKind] = {}
    resolution = resolve_module(db, module)
    if resolution.kind.has_source and resolution.path is not None:
        file = loaded_file(db, resolution.path)
        ids = scopes(db, file)
        if ids:
            bindings = scope_bindings(db, ids[0])
            for name, ordinal in bindings.final.items():
                if ordinal >= 0 and not name.endswith(".*"):
                    names.setdefault(name, bindings.kinds[ordinal])
            for star in bindings.star_names:
                source = canonical_binding(db, ids[0], bindings.final.get(star, -1))
                if source is not None and source.module is not None:
                    for name, kind in module_names(db, source.module).items():
                        if not name.startswith("_"):
                            names.setdefault(name, kind)
    for directory in resolution.search_dirs:
        for entry in directory_listing(db, directory) or ():
            stem = entry[:-1] if entry.endswith("/") else entry.rpartition(".")[0]
            if stem.isidentifier() and stem != "__init__":
                names.setdefault(stem, BindingKind.IMPORT)
    return names


def module_file(db: salsify.Database, module: str) -> FileId | None:
    resolution = resolve_module(db, module)
    if resolution.kind.has_source and resolution.path is not None:
        return loaded_file(db, resolution.path)
    return None


__all__ = [
    "BINDING",
    "BUILTIN_KIND",
    "MODULE",
    "DefInfo",
    "DefKey",
    "NeedSource",
    "Occurrence",
    "PositionIndex",
    "Symbol",
    "attribute_key",
    "canonical_binding",
    "def_info",
    "def_location",
    "document_symbols",
    "file_names",
    "file_references",
    "flat_symbols",
    "key_at",
    "load_targets",
    "module_key",
    "module_member",
    "name_occurrences",
    "position_index",
    "scope_at",
    "source_lines",
    "visible_names",
]
