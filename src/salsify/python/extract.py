"""Walk one module's AST once and build the `ScopeTable` of every scope in it.

The walk mirrors pyflakes' traversal order (assignment values before targets, decorators and
defaults in the enclosing scope, the first comprehension iterable outside the comprehension,
`try` bodies under their handlers' names) so that replaying the events in `resolve` reproduces
pyflakes' verdicts. Nothing here looks across scopes: that is `resolve`'s job.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from salsify.python.scope_model import (
    BIND,
    CHILD,
    DEFERRED,
    DELETE,
    EXCEPT_ENTER,
    EXCEPT_EXIT,
    GUARD_SHIFT,
    LOAD,
    POSTPONED,
    Binding,
    BindingKind,
    Event,
    FileTables,
    Guard,
    ImportInfo,
    ScopeKind,
    ScopeTable,
)

_NO_ANNOTATION = 0
_STRING_ANNOTATION = 1
_BARE_ANNOTATION = 2

TYPING_MODULES = frozenset({"typing", "typing_extensions"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_PLATFORM_NAMES = frozenset({"TYPE_CHECKING", "_mswindows", "_MS_WINDOWS", "_WINDOWS", "WINDOWS"})
_PLATFORM_ATTRIBUTES = frozenset({"TYPE_CHECKING", "platform", "version_info", "implementation"})

_SCOPE_NAMES = {
    ast.ListComp: "<listcomp>",
    ast.SetComp: "<setcomp>",
    ast.DictComp: "<dictcomp>",
    ast.GeneratorExp: "<genexpr>",
}


class _ScopeBuilder:
    __slots__ = (
        "binding_positions",
        "bindings",
        "child_counts",
        "events",
        "kind",
        "path",
        "positions",
    )

    def __init__(self, path: str, kind: ScopeKind) -> None:
        self.path = path
        self.kind = kind
        self.events: list[Event] = []
        self.bindings: list[Binding] = []
        self.positions: list[tuple[int, int]] = []
        self.binding_positions: list[tuple[int, int]] = []
        self.child_counts: dict[str, int] = {}

    def child_path(self, name: str) -> str:
        seen = self.child_counts.get(name, 0)
        self.child_counts[name] = seen + 1
        local = name if seen == 0 else f"{name}#{seen}"
        return local if not self.path else f"{self.path}.{local}"

    def add_binding(self, binding: Binding, position: tuple[int, int]) -> int:
        self.bindings.append(binding)
        self.binding_positions.append(position)
        return len(self.bindings) - 1

    def build(self) -> ScopeTable:
        return ScopeTable(
            self.path, self.kind, tuple(self.bindings), tuple(self.events), len(self.positions)
        )


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 1), getattr(node, "col_offset", 0))


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    line, column = _position(node)
    end_line = getattr(node, "end_lineno", None) or line
    end_column = getattr(node, "end_col_offset", None)
    return (line, column, end_line, column if end_column is None else end_column)


def _is_name_or_attr(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def exported_names(value: ast.AST | None) -> tuple[str, ...]:
    """The strings of an `__all__` value, as pyflakes reads them (lists and concatenations)."""
    names: list[str] = []

    def add(container: ast.List | ast.Tuple) -> None:
        for element in container.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                names.append(element.value)

    if isinstance(value, ast.List | ast.Tuple):
        add(value)
    elif isinstance(value, ast.BinOp):
        current: ast.BinOp = value
        while isinstance(current.right, ast.List | ast.Tuple):
            add(current.right)
            left = current.left
            if isinstance(left, ast.BinOp):
                current = left
            elif isinstance(left, ast.List | ast.Tuple):
                add(left)
                break
            else:
                break
    return tuple(names)


def _handler_names(node: ast.Try | ast.TryStar, *, attributes: bool) -> set[str]:
    names: set[str] = set()
    for handler in node.handlers:
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for exc_type in types:
            if isinstance(exc_type, ast.Name):
                names.add(exc_type.id)
            elif attributes and isinstance(exc_type, ast.Attribute):
                names.add(exc_type.attr)
    return names


def _catches_import_error(node: ast.Try | ast.TryStar) -> bool:
    if any(handler.type is None for handler in node.handlers):
        return True
    return bool(_handler_names(node, attributes=True) & _IMPORT_ERRORS)


def _is_platform_test(test: ast.expr) -> bool:
    """`if TYPE_CHECKING`, `if sys.platform ...`, `if sys.version_info ...`, `if os.name ...`."""
    # Runs on every `if`: an explicit stack with the common expression types unrolled is
    # several times cheaper than `ast.walk` (a generator over `iter_child_nodes`).
    stack: list[ast.AST] = [test]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if node.id in _PLATFORM_NAMES:  # type: ignore[attr-defined]
                return True
        elif kind is ast.Attribute:
            attr, value = node.attr, node.value  # type: ignore[attr-defined]
            if attr in _PLATFORM_ATTRIBUTES or (
                attr == "name" and type(value) is ast.Name and value.id == "os"
            ):
                return True
            stack.append(value)
        elif kind is ast.Compare:
            stack.append(node.left)  # type: ignore[attr-defined]
            stack.extend(node.comparators)  # type: ignore[attr-defined]
        elif kind is ast.BoolOp:
            stack.extend(node.values)  # type: ignore[attr-defined]
        elif kind is ast.UnaryOp:
            stack.append(node.operand)  # type: ignore[attr-defined]
        elif kind is not ast.Constant:
            stack.extend(ast.iter_child_nodes(node))
    return False


_DEFERRED_FLAGS = int(Guard.UNGUARDED) << GUARD_SHIFT | DEFERRED


class _Extractor:
    def __init__(self, tree: ast.Module) -> None:
        self.scopes: list[_ScopeBuilder] = []
        self.stack: list[_ScopeBuilder] = []
        self.annotation = _NO_ANNOTATION
        self.deferred = False
        self.guard = Guard.INHERITED
        self.conditional_depth = 0
        self.import_try_depth = 0
        self.platform_depth = 0
        self.function_depth = 0
        self.future_annotations = _has_future_annotations(tree)
        self.global_names: set[str] = set()
        self.typing_members, self.typing_modules = _typing_aliases(tree)
        self.store_kind = BindingKind.ASSIGNMENT
        self.position_override: tuple[int, int] | None = None
        self.spans: dict[str, tuple[int, int, int, int]] = {}
        self.handlers: dict[type[ast.AST], Callable[[Any], None]] = {}
        for node_type in _HANDLED:
            self.handlers[node_type] = getattr(self, "visit_" + node_type.__name__)

    # ---- infrastructure -------------------------------------------------------------

    @property
    def scope(self) -> _ScopeBuilder:
        return self.stack[-1]

    def visit(self, node: ast.AST | None) -> None:
        if node is None:
            return
        handler = self.handlers.get(type(node))
        if handler is None:
            self.visit_children(node)
        else:
            handler(node)

    def visit_children(self, node: ast.AST, omit: tuple[str, ...] = ()) -> None:
        # Hot: every node without a handler comes here. The fields that can hold nodes
        # are computed once per node type (`ctx` and the str/int fields are skipped).
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _CHILD_FIELDS[type(node)] = tuple(
                f for f in node._fields if f not in _LEAF_FIELDS
            )
        for field in fields:
            if omit and field in omit:
                continue
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                self.visit(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)

    def visit_all(self, nodes: list[Any]) -> None:
        for node in nodes:
            self.visit(node)

    def where(self, node: Any) -> tuple[int, int]:
        return self.position_override or (node.lineno, node.col_offset)

    @contextmanager
    def annotation_state(self, state: int) -> Iterator[None]:
        saved = self.annotation
        self.annotation = state
        try:
            yield
        finally:
            self.annotation = saved

    @contextmanager
    def new_scope(self, path: str, kind: ScopeKind) -> Iterator[_ScopeBuilder]:
        builder = _ScopeBuilder(path, kind)
        self.scopes.append(builder)
        self.stack.append(builder)
        saved_guard, saved_deferred = self.guard, self.deferred
        self.guard = Guard.INHERITED
        try:
            yield builder
        finally:
            self.stack.pop()
            self.guard, self.deferred = saved_guard, saved_deferred

    def open_child(self, name: str, kind: ScopeKind, node: ast.AST | None = None) -> str:
        path = self.scope.child_path(name)
        self.scope.events.append((CHILD, path, int(self.guard)))
        if node is not None:
            self.spans[path] = _span(node)
        return path

    # ---- events ---------------------------------------------------------------------

    def load(self, name: str, node: Any) -> None:
        # Hot: one call per name read (locals and no helper calls on purpose).
        scope = self.stack[-1]
        flags = _DEFERRED_FLAGS if self.deferred else self.guard << GUARD_SHIFT
        annotation = self.annotation
        if annotation == _STRING_ANNOTATION or (
            annotation == _BARE_ANNOTATION and self.future_annotations
        ):
            flags |= POSTPONED
        positions = scope.positions
        scope.events.append((LOAD, name, len(positions), flags))
        positions.append(self.position_override or (node.lineno, node.col_offset))

    def bind(self, binding: Binding, node: ast.AST, scope: _ScopeBuilder | None = None) -> None:
        target = scope or self.scope
        ordinal = target.add_binding(binding, self.where(node))
        target.events.append((BIND, binding.name, ordinal))

    def store(self, name: str, node: ast.AST, kind: BindingKind | None = None) -> None:
        kind = self.store_kind if kind is None else kind
        if kind is BindingKind.NAMED_EXPR:
            # PEP 572: bound in the nearest enclosing scope that is not a comprehension.
            for scope in reversed(self.stack):
                if scope.kind is not ScopeKind.COMPREHENSION:
                    break
            if scope is not self.scope:
                # Bound while the comprehension runs: before its CHILD event, so that the
                # comprehension's own loads see it (as they do in pyflakes).
                ordinal = scope.add_binding(Binding(name, kind), self.where(node))
                child = max(i for i, e in enumerate(scope.events) if e[0] == CHILD)
                scope.events.insert(child, (BIND, name, ordinal))
                return
        self.bind(Binding(name, kind), node)

    # ---- names ----------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        ctx = type(node.ctx)
        if ctx is ast.Load:
            self.load(node.id, node)
        elif ctx is ast.Store:
            self.store(node.id, node)
        else:
            scope = self.scope
            conditional = self.conditional_depth > 0
            scope.events.append((DELETE, node.id, len(scope.positions), conditional))
            scope.positions.append(self.where(node))

    def _store_targets(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        literal_unpacking = all(hasattr(t, "elts") for t in targets) and hasattr(value, "elts")
        for target in targets:
            if isinstance(target, ast.Name):
                self._store_simple(target, value, augmented=False)
            elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
                saved = self.store_kind
                self.store_kind = (
                    BindingKind.ASSIGNMENT if literal_unpacking else BindingKind.BINDING
                )
                self.visit(target)
                self.store_kind = saved
            else:
                self.visit(target)

    def _store_simple(self, target: ast.Name, value: ast.expr | None, *, augmented: bool) -> None:
        if target.id == "__all__" and self.scope.kind is ScopeKind.MODULE:
            names = exported_names(value)
            binding = Binding("__all__", BindingKind.EXPORT, None, names, augmented)
            self.bind(binding, target)
        else:
            self.store(target.id, target, BindingKind.ASSIGNMENT)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self._store_targets(node.targets, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.store(node.target.id, node.target, BindingKind.NAMED_EXPR)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.load(node.target.id, node.target)
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self._store_simple(node.target, node.value, augmented=True)
        else:
            self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotate(node.annotation)
        if node.value is not None:
            if self.is_typing(node.annotation, "TypeAlias"):
                with self.annotation_state(_BARE_ANNOTATION):
                    self.visit(node.value)
            else:
                self.visit(node.value)
        if isinstance(node.target, ast.Name):
            if node.value is None:
                self.store(node.target.id, node.target, BindingKind.ANNOTATION)
            else:
                self._store_simple(node.target, node.value, augmented=False)
        else:
            self.visit(node.target)

    def _visit_loop_target(self, target: ast.expr) -> None:
        saved = self.store_kind
        self.store_kind = BindingKind.BINDING
        self.visit(target)
        self.store_kind = saved

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._visit_loop_target(node.target)
        self.visit_all(node.body)
        self.visit_all(node.orelse)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.iter)
        self._visit_loop_target(node.target)
        self.visit_all(node.ifs)

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr)
        target = node.optional_vars
        if isinstance(target, ast.Name):
            self.store(target.id, target, BindingKind.ASSIGNMENT)
        elif target is not None:
            self._visit_loop_target(target)

    # ---- control flow ---------------------------------------------------------------

    def visit_If(self, node: ast.If | ast.While | ast.IfExp) -> None:
        platform = isinstance(node, ast.If) and _is_platform_test(node.test)
        self.conditional_depth += 1
        self.platform_depth += platform
        try:
            self.visit_children(node)
        finally:
            self.conditional_depth -= 1
            self.platform_depth -= platform

    visit_While = visit_If
    visit_IfExp = visit_If

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        saved_guard = self.guard
        # pyflakes names handlers by bare name only: `except builtins.NameError` does not count.
        guarded = "NameError" in _handler_names(node, attributes=False)
        self.guard = Guard.GUARDED if guarded else Guard.UNGUARDED
        catches_import_error = _catches_import_error(node)
        self.import_try_depth += catches_import_error
        try:
            self.visit_all(node.body)
        finally:
            self.import_try_depth -= catches_import_error
            self.guard = saved_guard
        self.visit_all(node.handlers)
        self.visit_all(node.orelse)
        self.visit_all(node.finalbody)

    visit_TryStar = visit_Try

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is None:
            self.visit_children(node)
            return
        scope = self.scope
        position = self.where(node)
        rebinding = scope.add_binding(Binding(node.name, BindingKind.ASSIGNMENT), position)
        binding = scope.add_binding(Binding(node.name, BindingKind.ASSIGNMENT), position)
        scope.events.append((EXCEPT_ENTER, node.name, rebinding, binding))
        self.visit(node.type)
        self.visit_all(node.body)
        scope.events.append((EXCEPT_EXIT, node.name))

    def visit_Return(self, node: ast.Return | ast.Yield | ast.YieldFrom | ast.Await) -> None:
        # pyflakes ignores the value of a return/yield outside a function.
        if self.scope.kind in (ScopeKind.MODULE, ScopeKind.CLASS):
            return
        self.visit(node.value)

    visit_Yield = visit_Return
    visit_YieldFrom = visit_Return
    visit_Await = visit_Return

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        if self.scope.kind is ScopeKind.MODULE:
            return
        for name in node.names:
            self.global_names.add(name)
            self.bind(Binding(name, BindingKind.GLOBAL), node)

    visit_Nonlocal = visit_Global

    # ---- match ----------------------------------------------------------------------

    def visit_MatchAs(self, node: ast.MatchAs | ast.MatchStar) -> None:
        if node.name is not None:
            self.store(node.name, node, BindingKind.ASSIGNMENT)
        self.visit_children(node)

    visit_MatchStar = visit_MatchAs

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest is not None:
            self.store(node.rest, node, BindingKind.ASSIGNMENT)
        self.visit_children(node)

    # ---- imports --------------------------------------------------------------------

    def _import_guarded(self) -> bool:
        return self.import_try_depth > 0 or self.platform_depth > 0

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if "." in alias.name and not alias.asname:
                name = alias.name.split(".")[0]
                kind = BindingKind.SUBMODULE_IMPORT
                has_alias = False
                display = alias.name
            else:
                name = alias.asname or alias.name
                kind = BindingKind.IMPORT
                has_alias = alias.name.split(".")[-1] != name
                display = alias.name + (f" as {name}" if has_alias else "")
            info = ImportInfo(
                module=alias.name,
                level=0,
                member=None,
                full_name=alias.name,
                display=display,
                has_alias=has_alias,
                guarded=self._import_guarded(),
                at_module_level=self.function_depth == 0,
            )
            self.bind(Binding(name, kind, info), alias)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        starts_statement = True
        for alias in node.names:
            name = alias.asname or alias.name
            if node.module == "__future__":
                kind = BindingKind.FUTURE_IMPORT
            elif alias.name == "*":
                if self.scope.kind is not ScopeKind.MODULE:
                    continue
                kind = BindingKind.STAR_IMPORT
                name = module + ".*"
            else:
                kind = BindingKind.FROM_IMPORT
            if kind is BindingKind.STAR_IMPORT:
                full_name = module
                display = f"from {module} import *" if module.endswith(".") else name
                has_alias = False
            else:
                sep = "" if module.endswith(".") else "."
                full_name = module + sep + alias.name
                has_alias = full_name.split(".")[-1] != name
                display = full_name + (f" as {name}" if has_alias else "")
            info = ImportInfo(
                module=node.module or "",
                level=node.level,
                member=None if alias.name == "*" else alias.name,
                full_name=full_name,
                display=display,
                has_alias=has_alias,
                guarded=self._import_guarded(),
                at_module_level=self.function_depth == 0,
                starts_statement=starts_statement,
            )
            starts_statement = False
            self.bind(Binding(name, kind, info), alias)

    # ---- scopes ---------------------------------------------------------------------

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        annotations: list[ast.expr | None] = []
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            annotations.append(arg.annotation)
        for wildcard in (args.vararg, args.kwarg):
            if wildcard is not None:
                annotations.append(wildcard.annotation)
        if not isinstance(node, ast.Lambda):
            annotations.append(node.returns)
        # Defaults are evaluated where the function is defined; annotations see its type
        # parameters (PEP 695), so they go inside the type-parameter scope.
        self.visit_all(args.defaults)
        self.visit_all([d for d in args.kw_defaults if d is not None])
        name = "<lambda>" if isinstance(node, ast.Lambda) else node.name
        with self.type_parameters(node, name):
            for annotation in annotations:
                if annotation is not None:
                    self.annotate(annotation)
            self._function_body(node, name)

    def _function_body(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, name: str
    ) -> None:
        args = node.args
        path = self.open_child(name, ScopeKind.FUNCTION, node)
        saved_try = self.import_try_depth
        self.import_try_depth = 0
        self.function_depth += 1
        try:
            with self.new_scope(path, ScopeKind.FUNCTION):
                for arg in [*args.posonlyargs, *args.args]:
                    self.bind(Binding(arg.arg, BindingKind.ARGUMENT), arg)
                if args.vararg is not None:
                    self.bind(Binding(args.vararg.arg, BindingKind.ARGUMENT), args.vararg)
                for arg in args.kwonlyargs:
                    self.bind(Binding(arg.arg, BindingKind.ARGUMENT), arg)
                if args.kwarg is not None:
                    self.bind(Binding(args.kwarg.arg, BindingKind.ARGUMENT), args.kwarg)
                if isinstance(node, ast.Lambda):
                    self.visit(node.body)
                else:
                    self.visit_all(node.body)
        finally:
            self.function_depth -= 1
            self.import_try_depth = saved_try

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.visit_all(node.decorator_list)
        self._function(node)
        self.bind(Binding(node.name, BindingKind.FUNCTION), node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.visit_all(node.decorator_list)
        with self.type_parameters(node, node.name):
            self.visit_all(node.bases)
            self.visit_all(node.keywords)
            path = self.open_child(node.name, ScopeKind.CLASS, node)
            with self.new_scope(path, ScopeKind.CLASS):
                self.visit_all(node.body)
        self.bind(Binding(node.name, BindingKind.CLASS), node)

    @contextmanager
    def type_parameters(self, node: ast.AST, name: str) -> Iterator[None]:
        """PEP 695 (3.12+): ``def f[T]``, ``class C[T]`` and ``type A[T] = ...`` open a
        scope holding the type parameters, seen by bounds, annotations, bases and body
        (a function-like scope: nested functions see it, unlike a class scope)."""
        params = getattr(node, "type_params", None)
        if not params:
            yield
            return
        path = self.open_child(f"<type parameters of {name}>", ScopeKind.FUNCTION, node)
        with self.new_scope(path, ScopeKind.FUNCTION):
            for param in params:
                self.bind(Binding(param.name, BindingKind.ARGUMENT), param)
            for param in params:
                for field in ("bound", "default_value"):
                    value = getattr(param, field, None)
                    if value is not None:
                        self.annotate(value)
            yield

    def visit_TypeAlias(self, node: Any) -> None:
        """``type A[T] = value``: binds A here; the value is evaluated lazily."""
        self.bind(Binding(node.name.id, BindingKind.ASSIGNMENT), node.name)
        with self.type_parameters(node, node.name.id):
            saved = self.deferred
            self.deferred = True
            try:
                self.visit(node.value)
            finally:
                self.deferred = saved

    def visit_ListComp(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        first = node.generators[0]
        self.visit(first.iter)
        path = self.open_child(_SCOPE_NAMES[type(node)], ScopeKind.COMPREHENSION, node)
        with self.new_scope(path, ScopeKind.COMPREHENSION):
            self._visit_loop_target(first.target)
            self.visit_all(first.ifs)
            for generator in node.generators[1:]:
                self.visit(generator)
            if isinstance(node, ast.DictComp):
                self.visit(node.key)
                self.visit(node.value)
            else:
                self.visit(node.elt)

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp
    visit_DictComp = visit_ListComp

    # ---- annotations and typing -----------------------------------------------------

    def annotate(self, annotation: ast.expr) -> None:
        """pyflakes' handleAnnotation: postponed under `from __future__ import annotations`."""
        saved_deferred = self.deferred
        if self.future_annotations:
            self.deferred = True
        try:
            with self.annotation_state(_BARE_ANNOTATION):
                self.visit(annotation)
        finally:
            self.deferred = saved_deferred

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str) or self.annotation == _NO_ANNOTATION:
            return
        try:
            tree = ast.parse(node.value)
        except (SyntaxError, ValueError):
            return
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
            return
        saved = (self.deferred, self.position_override)
        self.deferred = True
        self.position_override = self.position_override or _position(node)
        try:
            with self.annotation_state(_STRING_ANNOTATION):
                self.visit(tree.body[0].value)
        finally:
            self.deferred, self.position_override = saved

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            self.visit(key)
            self.visit(value)

    def is_typing(self, node: ast.AST, member: str | None) -> bool:
        """Whether `node` names `typing.<member>` (any member when `member` is None)."""
        if isinstance(node, ast.Name):
            real = self.typing_members.get(node.id)
            return real is not None and (member is None or real == member)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.typing_modules
        ):
            return member is None or node.attr == member
        return False

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _is_name_or_attr(node.value, "Literal"):
            self.visit(node.value)
            with self.annotation_state(_NO_ANNOTATION):
                self.visit(node.slice)
        elif _is_name_or_attr(node.value, "Annotated"):
            self.visit(node.value)
            elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else []
            if len(elements) < 2:
                self.visit(node.slice)
            else:
                self.visit(elements[0])
                with self.annotation_state(_NO_ANNOTATION):
                    self.visit_all(elements[1:])
        elif self.is_typing(node.value, None):
            with self.annotation_state(_BARE_ANNOTATION):
                self.visit_children(node)
        else:
            self.visit_children(node)

    def _as_annotation(self, nodes: list[Any]) -> None:
        with self.annotation_state(_BARE_ANNOTATION):
            self.visit_all(nodes)

    def _not_annotation(self, nodes: list[Any]) -> None:
        with self.annotation_state(_NO_ANNOTATION):
            self.visit_all(nodes)

    def _keywords(self, node: ast.Call, annotation_args: tuple[str, ...]) -> None:
        for keyword in node.keywords:
            if keyword.arg in annotation_args:
                self._as_annotation([keyword])
            else:
                self._not_annotation([keyword])

    def visit_Call(self, node: ast.Call) -> None:
        func, args = node.func, node.args
        if not self.is_typing(func, None):
            # The common case, decided once instead of once per typing helper below.
            self.visit_children(node)
        elif self.is_typing(func, "cast"):
            self._not_annotation([func])
            self._as_annotation(args[:1])
            self._not_annotation(args[1:])
            self._keywords(node, ("typ",))
        elif self.is_typing(func, "assert_type"):
            self._not_annotation([func, *args[:1]])
            self._as_annotation(args[1:])
            self._not_annotation(node.keywords)
        elif self.is_typing(func, "TypeVar"):
            self._not_annotation([func, *args[:1]])
            self._as_annotation(args[1:])
            self._keywords(node, ("bound", "default"))
        elif self.is_typing(func, "ParamSpec") or self.is_typing(func, "TypeVarTuple"):
            self._not_annotation([func, *args])
            self._keywords(node, ("bound", "default"))
        elif self.is_typing(func, "NewType"):
            self._not_annotation([func, *args[:1]])
            self._as_annotation(args[1:])
            self._keywords(node, ("tp",))
        elif self.is_typing(func, "TypedDict"):
            self._not_annotation([func, *args[:1]])
            if len(args) > 1 and isinstance(args[1], ast.Dict):
                for key, value in zip(args[1].keys, args[1].values, strict=True):
                    self._not_annotation([key])
                    self._as_annotation([value])
                self._not_annotation(args[2:])
            else:
                self._not_annotation(args[1:])
            self._as_annotation(node.keywords)
        elif self.is_typing(func, "NamedTuple"):
            self._not_annotation([func, *args[:1]])
            if len(args) > 1 and isinstance(args[1], ast.Tuple | ast.List):
                for element in args[1].elts:
                    if isinstance(element, ast.Tuple | ast.List):
                        self._not_annotation(element.elts[:1])
                        self._as_annotation(element.elts[1:])
                    else:
                        self._not_annotation([element])
                self._not_annotation(args[2:])
            else:
                self._not_annotation(args[1:])
            self._as_annotation(node.keywords)
        else:
            self.visit_children(node)


# Fields that never hold a node worth visiting: an expression context, or a plain str/int.
_LEAF_FIELDS = frozenset(
    {
        "ctx",
        "id",
        "attr",
        "arg",
        "name",
        "module",
        "level",
        "names",
        "is_async",
        "kind",
        "conversion",
        "lineno",
        "type_comment",
        "simple",
        "n",
        "s",
    }
)
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}

_HANDLED: tuple[type[ast.AST], ...] = (
    *((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()),  # type: ignore[attr-defined,unused-ignore]
    ast.Name,
    ast.Assign,
    ast.NamedExpr,
    ast.AugAssign,
    ast.AnnAssign,
    ast.For,
    ast.AsyncFor,
    ast.comprehension,
    ast.withitem,
    ast.If,
    ast.While,
    ast.IfExp,
    ast.Try,
    ast.TryStar,
    ast.ExceptHandler,
    ast.Return,
    ast.Yield,
    ast.YieldFrom,
    ast.Await,
    ast.Global,
    ast.Nonlocal,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.GeneratorExp,
    ast.DictComp,
    ast.Constant,
    ast.Dict,
    ast.Subscript,
    ast.Call,
)


def _has_future_annotations(tree: ast.Module) -> bool:
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            if any(alias.name == "annotations" for alias in statement.names):
                return True
        elif not (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            return False
    return False


def _typing_aliases(tree: ast.Module) -> tuple[dict[str, str], frozenset[str]]:
    """Names bound to typing members (local name -> member) and names bound to typing itself.

    Only module-level statements (and the bodies of module-level `if`/`try`) are looked at:
    that is where typing is imported in practice, and it keeps this a cheap pass.
    """
    members: dict[str, str] = {}
    modules: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.ImportFrom) and node.module in TYPING_MODULES and not node.level:
            for alias in node.names:
                members[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in TYPING_MODULES:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.If | ast.Try | ast.TryStar):
            pending.extend(node.body)
            pending.extend(node.orelse)
            if not isinstance(node, ast.If):
                pending.extend(node.finalbody)
                for handler in node.handlers:
                    pending.extend(handler.body)
    return members, frozenset(modules)


def extract_tables(tree: ast.Module) -> FileTables:
    """Every scope's table for one parsed module (one walk over the tree)."""
    extractor = _Extractor(tree)
    with extractor.new_scope("", ScopeKind.MODULE):
        extractor.visit_all(tree.body)
    builders = extractor.scopes
    return FileTables(
        tables=tuple(builder.build() for builder in builders),
        positions={builder.path: builder.positions for builder in builders},
        binding_positions={builder.path: builder.binding_positions for builder in builders},
        future_annotations=extractor.future_annotations,
        global_names=frozenset(extractor.global_names),
        spans=extractor.spans,
    )
