"""Replay one scope's own events: which binding each name has at each point of the scope.

`ScopeBindings` depends on one `ScopeTable` and nothing else, so it is recomputed only when
that scope's table changes. Lookups "at time t" see the state after events `[0, t)`; the
final state is time `FINAL`. Positions never appear.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from salsify.python.scope_model import (
    BIND,
    CHILD,
    DELETE,
    EXCEPT_ENTER,
    EXCEPT_EXIT,
    BindingKind,
    ScopeKind,
    ScopeTable,
)

FINAL = 1 << 40  # a time after every event of any scope
BUILTIN = -1  # the binding ordinal of a builtin (module scope only)
_DELETED = -2


@dataclass(frozen=True, slots=True)
class ScopeBindings:
    """The binding history of one scope, position-free and compared by value."""

    kind: ScopeKind
    changes: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]  # name -> (times, ordinals)
    final: dict[str, int]  # name -> binding ordinal (BUILTIN for untouched builtins: absent)
    kinds: tuple[BindingKind, ...]  # by binding ordinal
    created_at: tuple[int, ...]  # by binding ordinal: event index, -1 if never stored
    predecessor: tuple[int, ...]  # by binding ordinal: the binding it replaced, or -1
    star_names: tuple[str, ...]  # names of star-import bindings ("mod.*")
    alias_targets: dict[
        int, str
    ]  # aliased import ordinal -> its full name (`mp` -> `multiprocessing`)
    children: dict[str, tuple[int, int]]  # child path -> (time of its CHILD event, Guard there)
    undefined_deletes: tuple[int, ...]  # load ordinals of `del x` with no x in this scope
    export_names: tuple[str, ...] | None  # final `__all__` names, None when not a list
    builtins: frozenset[str]

    def lookup(self, name: str, time: int) -> int | None:
        """The binding ordinal `name` has before event `time`, or None when unbound."""
        if time >= FINAL:
            ordinal = self.final.get(name)
            if ordinal is None and name in self.builtins and name not in self.changes:
                return BUILTIN
            return ordinal
        history = self.changes.get(name)
        if history is None:
            return BUILTIN if name in self.builtins else None
        times, ordinals = history
        index = bisect.bisect_left(times, time)
        if index == 0:
            return BUILTIN if name in self.builtins else None
        ordinal = ordinals[index - 1]
        return None if ordinal == _DELETED else ordinal

    def kind_of(self, ordinal: int) -> BindingKind:
        return BindingKind.BUILTIN if ordinal == BUILTIN else self.kinds[ordinal]


def scope_bindings(table: ScopeTable, builtins: frozenset[str] = frozenset()) -> ScopeBindings:
    """Replay `table`'s events. `builtins` are the module scope's initial names."""
    kinds = tuple(binding.kind for binding in table.bindings)
    created = [-1] * len(kinds)
    predecessor = [-1] * len(kinds)
    state: dict[str, int] = {}
    # Builtins are the module scope's initial bindings; they stay out of `state` (which
    # would copy them per module) until a `del` removes one.
    initial = builtins if table.kind is ScopeKind.MODULE else frozenset()
    deleted_builtins: set[str] = set()

    def present(name: str) -> bool:
        return name in state or (name in initial and name not in deleted_builtins)

    history: dict[str, tuple[list[int], list[int]]] = {}
    children: dict[str, tuple[int, int]] = {}
    undefined_deletes: list[int] = []
    saved_by_except: list[int | None] = []
    export_names: dict[int, tuple[str, ...]] = {}
    star_names: list[str] = []

    def record(name: str, time: int, ordinal: int) -> None:
        entry = history.get(name)
        if entry is None:
            history[name] = ([time], [ordinal])
        else:
            entry[0].append(time)
            entry[1].append(ordinal)

    def store(name: str, ordinal: int, time: int) -> None:
        previous = state.get(name)
        if previous is not None and previous != BUILTIN:
            predecessor[ordinal] = previous
        state[name] = ordinal
        created[ordinal] = time
        record(name, time, ordinal)

    for time, event in enumerate(table.events):
        tag = event[0]
        if tag == BIND:
            name, ordinal = event[1], event[2]
            assert isinstance(name, str) and isinstance(ordinal, int)
            kind = kinds[ordinal]
            if kind is BindingKind.NAMED_EXPR:
                existing = state.get(name)
                replaces_annotation = (
                    existing is not None and kinds[existing] is BindingKind.ANNOTATION
                )
                if not present(name) or replaces_annotation:
                    store(name, ordinal, time)
            elif kind is BindingKind.ANNOTATION and present(name):
                continue  # an annotation does not replace a value
            elif kind is BindingKind.GLOBAL:
                state[name] = ordinal
                created[ordinal] = time
                record(name, time, ordinal)
            else:
                if kind is BindingKind.EXPORT:
                    binding = table.bindings[ordinal]
                    names = binding.exported_names
                    previous = state.get("__all__")
                    if binding.augmented and previous is not None and previous in export_names:
                        names = export_names[previous] + names
                    export_names[ordinal] = names
                elif kind is BindingKind.STAR_IMPORT and name not in star_names:
                    star_names.append(name)
                store(name, ordinal, time)
        elif tag == DELETE:
            name, load, conditional = event[1], event[2], event[3]
            assert isinstance(name, str) and isinstance(load, int)
            if conditional:
                continue
            if name in state:
                del state[name]
                record(name, time, _DELETED)
            elif present(name):
                deleted_builtins.add(name)
                record(name, time, _DELETED)
            else:
                undefined_deletes.append(load)
        elif tag == EXCEPT_ENTER:
            name, rebinding, handler_binding = event[1], event[2], event[3]
            assert isinstance(name, str) and isinstance(rebinding, int)
            assert isinstance(handler_binding, int)
            if present(name):
                store(name, rebinding, time)
            saved_by_except.append(state.pop(name, None))
            created[handler_binding] = time
            state[name] = handler_binding
            record(name, time, handler_binding)
        elif tag == EXCEPT_EXIT:
            name = event[1]
            assert isinstance(name, str)
            state.pop(name, None)
            saved = saved_by_except.pop()
            if saved is not None:
                state[name] = saved
            record(name, time, _DELETED if saved is None else saved)
        elif tag == CHILD:
            path, guard = event[1], event[2]
            assert isinstance(path, str) and isinstance(guard, int)
            children[path] = (time, guard)

    final_all = state.get("__all__")
    exports = export_names.get(final_all) if final_all is not None else None
    return ScopeBindings(
        kind=table.kind,
        changes={name: (tuple(t), tuple(o)) for name, (t, o) in history.items()},
        final=state,
        kinds=kinds,
        created_at=tuple(created),
        predecessor=tuple(predecessor),
        star_names=tuple(star_names),
        alias_targets={
            ordinal: binding.import_info.full_name
            for ordinal, binding in enumerate(table.bindings)
            if binding.import_info is not None and binding.import_info.has_alias
        },
        children=children,
        undefined_deletes=tuple(undefined_deletes),
        export_names=exports,
        builtins=initial,
    )
