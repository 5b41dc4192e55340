"""Name resolution with pyflakes' rules, one scope at a time.

A scope's loads are resolved against its own binding history and an *environment*: the
enclosing scopes, each seen at the time the scope runs. Function bodies run deferred (after
the whole module, as in pyflakes) and so see the final state of every enclosing scope;
class bodies and comprehensions run inline and see their parent as it was at their
definition. Class scopes are invisible from nested functions, visible from comprehensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from salsify.python.bindings import BUILTIN, FINAL, ScopeBindings
from salsify.python.scope_model import (
    DEFERRED,
    GUARD_SHIFT,
    LOAD,
    POSTPONED,
    BindingKind,
    Guard,
    ScopeKind,
    ScopeTable,
)

CLASS_BODY_NAMES = frozenset({"__module__", "__qualname__"})


@dataclass(frozen=True, slots=True)
class Frame:
    """An enclosing scope as a nested scope sees it: which scope, and at which time."""

    path: str
    time: int


@dataclass(frozen=True, slots=True)
class Environment:
    frames: tuple[Frame, ...]  # innermost first, the module last
    guarded: bool  # a NameError handler around the point where this scope runs


MODULE_ENVIRONMENT = Environment((), guarded=False)


def child_environment(
    parent_path: str,
    parent: ScopeBindings,
    parent_environment: Environment,
    child_path: str,
    child_kind: ScopeKind,
) -> Environment:
    """The environment of a nested scope, from its parent's."""
    if child_kind.runs_deferred:
        outer = (Frame(frame.path, FINAL) for frame in parent_environment.frames)
        frames = (Frame(parent_path, FINAL), *outer)
        return Environment(frames, guarded=False)
    time, guard = parent.children[child_path]
    guard_at_point = Guard(guard)
    guarded = guard_at_point is Guard.GUARDED or (
        guard_at_point is Guard.INHERITED and parent_environment.guarded
    )
    return Environment((Frame(parent_path, time), *parent_environment.frames), guarded)


@dataclass(frozen=True, slots=True)
class ScopeResolution:
    """What one scope's loads resolved to. Load ordinals, binding ordinals and times only."""

    undefined: tuple[int, ...]  # load ordinals: F821
    star_usages: tuple[tuple[int, str], ...]  # (load ordinal, star modules): F405
    uses: frozenset[tuple[str, int, int]]  # (scope path, binding ordinal, time in that scope)


def resolve_scope(
    table: ScopeTable,
    own: ScopeBindings,
    environment: Environment,
    enclosing: Sequence[ScopeBindings],
    *,
    is_package_init: bool,
) -> ScopeResolution:
    """Resolve every load of `table`. `enclosing[i]` are the bindings of `environment.frames[i]`."""
    undefined: list[int] = []
    star_usages: list[tuple[int, str]] = []
    uses: set[tuple[str, int, int]] = set()
    path = table.path
    own_kind = table.kind
    frames = environment.frames
    for time, event in enumerate(table.events):
        if event[0] != LOAD:
            continue
        name, load, flags = event[1], event[2], event[3]
        assert isinstance(name, str) and isinstance(load, int) and isinstance(flags, int)
        deferred = bool(flags & DEFERRED)
        postponed = bool(flags & POSTPONED)
        chain: list[tuple[str, ScopeBindings, int]] = [(path, own, FINAL if deferred else time)]
        for frame, bindings in zip(frames, enclosing, strict=True):
            chain.append((frame.path, bindings, FINAL if deferred else frame.time))

        can_access_class_vars: bool | None = None
        star_imported = False
        found = False
        for scope_path, bindings, at in chain:
            if bindings.kind is ScopeKind.CLASS:
                if name == "__class__":
                    found = True
                    break
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
                if ordinal != BUILTIN:
                    uses.add((scope_path, ordinal, at))
                    target = bindings.alias_targets.get(ordinal)
                    if target is not None:
                        # pyflakes: using `mp` (import multiprocessing as mp) also uses a
                        # binding named `multiprocessing`, if there is one.
                        aliased = bindings.lookup(target, at)
                        if aliased is not None and aliased != BUILTIN:
                            uses.add((scope_path, aliased, at))
                found = True
                break
            if bindings.star_names and not star_imported:
                star_imported = any(bindings.lookup(s, at) is not None for s in bindings.star_names)
            if can_access_class_vars is not False:
                can_access_class_vars = bindings.kind is ScopeKind.COMPREHENSION
        if found:
            continue
        if star_imported:
            modules: list[str] = []
            for scope_path, bindings, at in chain:
                for star in bindings.star_names:
                    ordinal = bindings.lookup(star, at)
                    if ordinal is not None and ordinal != BUILTIN:
                        uses.add((scope_path, ordinal, at))
                        modules.append(star[:-2])
            star_usages.append((load, ", ".join(sorted(modules))))
            continue
        if name == "__path__" and is_package_init:
            continue
        if name in CLASS_BODY_NAMES and own_kind is ScopeKind.CLASS:
            continue
        guard = Guard(flags >> GUARD_SHIFT)
        if guard is Guard.GUARDED or (guard is Guard.INHERITED and environment.guarded):
            continue
        undefined.append(load)
    return ScopeResolution(tuple(undefined), tuple(star_usages), frozenset(uses))


def unused_imports(
    tables: Sequence[ScopeTable],
    bindings: Sequence[ScopeBindings],
    resolutions: Sequence[ScopeResolution],
) -> list[tuple[str, int]]:
    """(scope path, binding ordinal) of every import pyflakes reports as unused (F401).

    An import is used when a load resolved to it, or when it replaced a binding of the same
    name that had been used before (pyflakes carries `used` over on rebinding).
    """
    earliest: dict[str, dict[int, int]] = {table.path: {} for table in tables}
    for resolution in resolutions:
        for path, ordinal, time in resolution.uses:
            seen = earliest[path]
            if time < seen.get(ordinal, FINAL + 1):
                seen[ordinal] = time
    module = bindings[0]
    exports = frozenset(module.export_names or ())
    if module.star_names and any(module.lookup(name, FINAL) is None for name in exports):
        for star in module.star_names:
            star_ordinal = module.final.get(star)
            if star_ordinal is not None:
                earliest[""][star_ordinal] = 0
    unused: list[tuple[str, int]] = []
    for table, scope in zip(tables, bindings, strict=True):
        if table.kind not in (ScopeKind.MODULE, ScopeKind.FUNCTION):
            continue
        if not any(kind.is_import for kind in scope.kinds):
            continue
        used = earliest[table.path]
        order = sorted(range(len(scope.kinds)), key=scope.created_at.__getitem__)
        for ordinal in order:
            created = scope.created_at[ordinal]
            if created < 0:
                continue
            kind = scope.kinds[ordinal]
            if kind in (BindingKind.GLOBAL, BindingKind.FUTURE_IMPORT):
                used[ordinal] = created
                continue
            before = scope.predecessor[ordinal]
            if before >= 0 and used.get(before, FINAL + 1) < created:
                used[ordinal] = min(used.get(ordinal, FINAL + 1), created)
        for name, ordinal in scope.final.items():
            kind = scope.kinds[ordinal]
            if not kind.is_import or kind is BindingKind.FUTURE_IMPORT:
                continue
            if ordinal in used or (name in exports and table.kind is ScopeKind.MODULE):
                continue
            unused.append((table.path, ordinal))
    return unused
