"""`textDocument/completion`: names in scope, keywords, builtins, `module.` attributes (and
class attributes), `from m import` names, module names after `import`.

Completion runs per request on the buffer as it is: the line being typed often does not
parse (`os.`), so the buffer is repaired (a placeholder at the cursor, or the line replaced
by `pass`) and analysed with the checker's plain functions; what other modules export comes
from the memoized queries.
"""

from __future__ import annotations

import ast
import keyword
import re

from lsprotocol import types

from salsify.python import analysis, modules, navigation, queries
from salsify.python.bindings import ScopeBindings
from salsify.python.extract import extract_tables
from salsify.python.inputs import file_id
from salsify.python.lsp.context import RequestContext
from salsify.python.lsp.documents import utf8_column
from salsify.python.navigation import DefKey
from salsify.python.resolve import MODULE_ENVIRONMENT, Environment, child_environment
from salsify.python.scope_model import BindingKind, FileTables

_FROM_IMPORT = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\s+(?:.*,\s*)?\(?\s*(\w*)$")
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([\w.]*)$")
_ATTRIBUTE = re.compile(r"((?:[A-Za-z_]\w*\s*\.\s*)+)(\w*)$")
PLACEHOLDER = "_salsify_"

KINDS = {
    BindingKind.FUNCTION: types.CompletionItemKind.Function,
    BindingKind.CLASS: types.CompletionItemKind.Class,
    BindingKind.IMPORT: types.CompletionItemKind.Module,
    BindingKind.SUBMODULE_IMPORT: types.CompletionItemKind.Module,
    BindingKind.ARGUMENT: types.CompletionItemKind.Variable,
}


def _item(name: str, kind: types.CompletionItemKind) -> types.CompletionItem:
    return types.CompletionItem(label=name, kind=kind)


def _items(names: dict[str, BindingKind], prefix: str) -> list[types.CompletionItem]:
    private = prefix.startswith("_")
    return [
        _item(name, KINDS.get(kind, types.CompletionItemKind.Variable))
        for name, kind in sorted(names.items())
        if name.startswith(prefix) and (private or not name.startswith("_"))
    ]


def completion(context: RequestContext, position: types.Position) -> types.CompletionList:
    db = context.db
    line_number, column = context.positions.from_client(position)
    line = context.positions.line(line_number)
    before = line[:column]
    items: list[types.CompletionItem]

    from_import = _FROM_IMPORT.match(before)
    if from_import is not None:
        module = _absolute(context, from_import.group(1))
        names = {} if module is None else navigation.module_names(db, module)
        return types.CompletionList(is_incomplete=False, items=_items(names, from_import.group(2)))
    bare_import = _IMPORT.match(before)
    if bare_import is not None:
        dotted = bare_import.group(1)
        parent, _, prefix = dotted.rpartition(".")
        items = [
            _item(name, types.CompletionItemKind.Module)
            for name in sorted(_module_names(context, parent))
            if name.startswith(prefix)
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    tables = _buffer_tables(context, line_number, column)
    attribute = _ATTRIBUTE.search(before)
    if attribute is not None:
        parts = [p.strip() for p in attribute.group(1).split(".") if p.strip()]
        start = utf8_column(line, attribute.start(1))
        base = _buffer_key(context, tables, line_number, start, parts[0])
        for part in parts[1:]:
            if base is None:
                break
            base = navigation.attribute_key(db, base, part)
        names = {} if base is None else _members(context, base)
        return types.CompletionList(is_incomplete=False, items=_items(names, attribute.group(2)))

    prefix_match = re.search(r"(\w*)$", before)
    prefix = prefix_match.group(1) if prefix_match else ""
    names = {}
    if tables is not None:
        scope = _scope_at(tables, line_number, utf8_column(line, column))
        names = _visible(tables, scope)
    items = _items(names, prefix)
    seen = {item.label for item in items}
    for word in sorted([*keyword.kwlist, *keyword.softkwlist]):
        if word.startswith(prefix) and word not in seen:
            items.append(_item(word, types.CompletionItemKind.Keyword))
    for name in sorted(analysis.BUILTIN_NAMES):
        if name.startswith(prefix) and name not in seen and not name.startswith("_"):
            items.append(_item(name, types.CompletionItemKind.Function))
    return types.CompletionList(is_incomplete=False, items=items)


def _absolute(context: RequestContext, written: str) -> str | None:
    level = len(written) - len(written.lstrip("."))
    if level == 0:
        return written
    importer = queries.module_name(context.db, file_id(context.db, context.path))
    if importer is None:
        return None
    package = analysis.is_package_init(context.path)
    return modules.absolute_module(importer, package, written[level:], level)


def _module_names(context: RequestContext, parent: str) -> set[str]:
    db = context.db
    if parent:
        names = navigation.module_names(db, parent)
        return {n for n, k in names.items() if k is BindingKind.IMPORT}
    found: set[str] = set()
    for directory in queries.search_directories(db):
        for entry in queries.directory_listing(db, directory) or ():
            stem = entry[:-1] if entry.endswith("/") else entry.partition(".")[0]
            if stem.isidentifier():
                found.add(stem)
    return found


def _members(context: RequestContext, base: DefKey) -> dict[str, BindingKind]:
    db = context.db
    if base.kind == navigation.MODULE and base.module is not None:
        return navigation.module_names(db, base.module)
    return navigation.class_members(db, base)


def _buffer_tables(context: RequestContext, line: int, column: int) -> FileTables | None:
    """Tables of the buffer, repaired so that it parses: a placeholder at the cursor (`os.`
    becomes `os._salsify_`), then each line a syntax error points at becomes `pass`."""
    lines = list(context.lines)
    if 0 < line <= len(lines):
        text = lines[line - 1]
        lines[line - 1] = text[:column] + PLACEHOLDER + text[column:]
    for _ in range(8):
        try:
            tree = ast.parse("\n".join(lines))
        except (SyntaxError, ValueError, RecursionError) as error:
            number = getattr(error, "lineno", None)
            if not isinstance(number, int) or not 0 < number <= len(lines):
                return None
            text = lines[number - 1]
            replacement = text[: len(text) - len(text.lstrip())] + "pass"
            if lines[number - 1] == replacement:
                return None
            lines[number - 1] = replacement
            continue
        return extract_tables(tree)
    return None


class _Resolved:
    def __init__(self, tables: FileTables, package_init: bool) -> None:
        self.bindings, _ = analysis.resolve_file(tables, package_init=package_init)
        self.environments: dict[str, Environment] = {}
        for table in tables.tables:
            if table.path == "":
                self.environments[""] = MODULE_ENVIRONMENT
            else:
                parent = analysis.parent_path(table.path)
                self.environments[table.path] = child_environment(
                    parent,
                    self.bindings[parent],
                    self.environments[parent],
                    table.path,
                    table.kind,
                )


def _buffer_key(
    context: RequestContext, tables: FileTables | None, line: int, column: int, name: str
) -> DefKey | None:
    """What the name loaded at (line, UTF-8 column) of the buffer refers to."""
    if tables is None:
        return None
    db = context.db
    resolved = _Resolved(tables, analysis.is_package_init(context.path))
    for table in tables.tables:
        positions = tables.positions[table.path]
        for load, where in enumerate(positions):
            if where != (line, column):
                continue
            environment = resolved.environments[table.path]
            enclosing = [resolved.bindings[f.path] for f in environment.frames]
            target = navigation.targets_of(
                table, resolved.bindings[table.path], environment, enclosing
            )[load]
            if target is None:
                return None
            scope_path, ordinal = target
            if ordinal < 0:
                return navigation.builtin_key(name)
            binding = tables.table(scope_path).bindings[ordinal]
            info = binding.import_info
            if info is None:
                if queries.file_tables(db, file_id(db, context.path)) is None:
                    return None
                return DefKey(navigation.BINDING, binding.name, context.path, scope_path, ordinal)
            module = _absolute(context, "." * info.level + info.module)
            if module is None:
                return None
            if binding.kind is BindingKind.SUBMODULE_IMPORT:
                return navigation.module_key(db, module.partition(".")[0])
            if binding.kind is BindingKind.FROM_IMPORT and info.member is not None:
                return navigation.module_member(db, module, info.member)
            return navigation.module_key(db, module)
    return None


def _scope_at(tables: FileTables, line: int, column: int) -> str:
    found = ""
    for path, (start_line, start_col, end_line, end_col) in tables.spans.items():
        inside = (start_line, start_col) <= (line, column) <= (end_line, end_col)
        if inside and len(path) >= len(found):
            found = path
    return found


def _visible(tables: FileTables, scope: str) -> dict[str, BindingKind]:
    resolved = _Resolved(tables, package_init=False)
    environment = resolved.environments.get(scope, MODULE_ENVIRONMENT)
    paths = [scope, *(frame.path for frame in environment.frames)]
    names: dict[str, BindingKind] = {}
    for path in paths:
        bindings: ScopeBindings = resolved.bindings[path]
        if path != scope and bindings.kind.name == "CLASS":
            continue
        for name, ordinal in bindings.final.items():
            if ordinal >= 0 and not name.endswith(".*") and not name.startswith(PLACEHOLDER):
                names.setdefault(name, bindings.kinds[ordinal])
    return names


__all__ = ["completion"]
