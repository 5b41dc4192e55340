"""The position-free facts extracted from one scope: the firewall between syntax and meaning.

A `ScopeTable` lists, in execution order, what a scope does with names: bindings, loads,
deletions, `global` declarations, `except ... as` blocks and the points where nested scopes
run. Nodes are named by per-scope ordinals, never by lines, so a table compares equal after
an edit that only moves code around; positions live in a separate, uncompared list.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ScopeKind(enum.Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    COMPREHENSION = "comprehension"

    @property
    def runs_deferred(self) -> bool:
        """Function bodies run after the module body (as pyflakes does), the others inline."""
        return self is ScopeKind.FUNCTION


class BindingKind(enum.IntEnum):
    BUILTIN = 0
    ARGUMENT = 1
    ASSIGNMENT = 2
    BINDING = 3  # loop targets, tuple unpacking, `with ... as`, match captures
    NAMED_EXPR = 4  # `x := ...`, which never replaces an existing binding
    ANNOTATION = 5  # `x: int` without a value: not a definition
    FUNCTION = 6
    CLASS = 7
    IMPORT = 8  # import a / import a.b as c
    SUBMODULE_IMPORT = 9  # import a.b (binds a)
    FROM_IMPORT = 10
    STAR_IMPORT = 11
    FUTURE_IMPORT = 12
    EXPORT = 13  # module-level `__all__ = [...]`
    GLOBAL = 14  # `global x` / `nonlocal x`

    @property
    def is_import(self) -> bool:
        return BindingKind.IMPORT <= self <= BindingKind.FUTURE_IMPORT


class Guard(enum.IntEnum):
    """Whether a load sits in the body of a `try` whose handlers catch NameError."""

    UNGUARDED = 0
    GUARDED = 1
    INHERITED = 2  # no `try` of its own: the enclosing scope's state at definition decides


@dataclass(frozen=True, slots=True)
class ImportInfo:
    """What an import binding refers to, position-free.

    `module` is the module as written (`..pkg` for relative imports, level counted in dots);
    `member` is the imported attribute for `from` imports, else None.
    """

    module: str
    level: int
    member: str | None
    full_name: str  # pyflakes' fullName: `a.b` for `import a.b`, `pkg.x` for `from pkg import x`
    display: str  # the name pyflakes prints in "imported but unused"
    has_alias: bool
    guarded: bool  # try/except ImportError, `if TYPE_CHECKING`, platform/version checks
    at_module_level: bool  # executed when the module is imported (not inside a def)
    # The first name bound by its `from m import a, b` statement (always True for
    # `import a, b`, whose names are separate modules): a missing `m` is reported once.
    starts_statement: bool = True


# Events, in execution order. Plain tuples keep tables cheap to build and to compare.
#   (BIND, name, binding_ordinal)
#   (LOAD, name, load_ordinal, flags)
#   (DELETE, name, load_ordinal, conditional)
#   (EXCEPT_ENTER, name) / (EXCEPT_EXIT, name)
#   (CHILD, child_path, guard_of_the_point)
BIND = 0
LOAD = 1
DELETE = 2
EXCEPT_ENTER = 3
EXCEPT_EXIT = 4
CHILD = 5

# Load flags.
DEFERRED = 1  # string annotation or postponed annotation: resolved after everything ran
POSTPONED = 2  # in a postponed annotation: bare annotations (`x: int`) count as defined
GUARD_SHIFT = 2  # flags >> GUARD_SHIFT is a Guard

Event = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Binding:
    name: str
    kind: BindingKind
    import_info: ImportInfo | None = None
    exported_names: tuple[str, ...] = ()  # for EXPORT: the names listed in this statement
    augmented: bool = False  # EXPORT from `__all__ += [...]`


@dataclass(frozen=True, slots=True)
class ScopeTable:
    path: str  # qualified path inside the file, "" for the module
    kind: ScopeKind
    bindings: tuple[Binding, ...]  # indexed by binding ordinal
    events: tuple[Event, ...]
    load_count: int


@dataclass(frozen=True, slots=True)
class FileTables:
    """Every scope of one file, in definition order, with where its nodes are.

    `positions[path][ordinal]` is the (line, column) of load ordinal `ordinal`; binding
    positions are in `binding_positions`. These are the only positions and are not compared.
    """

    tables: tuple[ScopeTable, ...]
    positions: dict[str, list[tuple[int, int]]]
    binding_positions: dict[str, list[tuple[int, int]]]
    future_annotations: bool
    global_names: frozenset[str]  # declared `global`/`nonlocal` in some non-module scope
    # Where each nested scope's node is: path -> (line, column, end line, end column), for
    # the language server (which scope a position is in). Not compared, like the others.
    spans: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def table(self, path: str) -> ScopeTable:
        for table in self.tables:
            if table.path == path:
                return table
        raise KeyError(path)
