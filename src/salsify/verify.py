"""Verification: is a memo from an earlier revision still valid? (salsa's maybe_changed_after)

First the durability shortcut: a memo whose durability level saw no change since it was
verified is valid in O(1). Otherwise a *deep* walk checks its dependencies in the order
they were read and stops at the first one that changed after the memo was verified.
A derived dependency is itself verified first (and re-executed when stale), so changed
queries re-execute bottom-up and backdating can stop the walk from going further up.

The walk is iterative: an explicit stack of (memo, next dependency index) replaces
recursion, so a chain of any length verifies under the default recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from salsify.errors import Cancelled
from salsify.events import Validated
from salsify.memo import Cell, Memo

if TYPE_CHECKING:
    from salsify.database import Database


def deep_verify(db: Database, root: Memo) -> bool:
    """Bring ``root`` to the current revision without executing it, if possible.

    Returns True when ``root`` is valid now (its ``verified_at`` is then the current
    revision); False when it must be re-executed by the caller. Stale dependencies met
    on the way are re-executed here.
    """
    units = db._cycle_units
    revision = db._revision
    last_changed = db._last_changed
    push = db._push
    if last_changed[root.durability] <= root.verified_at or (
        push is not None and push.is_clean(root)
    ):
        mark_validated(db, root, revision, deep=False)
        return True
    written_since = db._written_since
    if not root.inputs & db._inputs_written_since(root.verified_at):
        # No cell below it was written since it was verified (its input summary).
        mark_validated(db, root, revision, deep=False)
        return True

    # Hot loop: written with locals and without helper calls on the common branches.
    # The memo being decided keeps an iterator over its deps; a suspended parent is a
    # (memo, deps iterator, verified_at) frame that resumes exactly where it stopped,
    # so nothing is re-read when a child returns. Validations are inlined (the
    # counters and the event of ``mark_validated``).
    states = db._states
    listeners = db._validated_listeners
    stack: list[tuple[Memo, Iterator[Any], int]] = []
    # Memos on the walk's stack, to step over dependency cycles. Only fixpoint iteration
    # records those: a database that never entered a cycle needs no set.
    track = db._entered_cycle
    on_stack: set[Memo] = {root}  # Memo keeps identity hashing: a cheap membership test
    unresolved: set[Memo] = set()
    rerun = db._rerun if db._rerun_revision == revision else None
    memo = root
    deps: Iterator[Any] = iter(root.deps)
    verified_at = root.verified_at
    while True:
        descended = False
        stale = False
        cause: Any = _ERROR_BELOW
        if rerun is not None and memo in rerun:
            # Re-executing a dependency raised earlier in this revision: re-run.
            stale = True
            if memo.deps:
                cause = memo.deps[0]
        else:
            for dep in deps:
                if dep.__class__ is Cell:
                    if dep.changed_at > verified_at:
                        stale = True
                        cause = dep
                        break
                    continue
                if dep.verified_at != revision:
                    if last_changed[dep.durability] <= dep.verified_at or (
                        push is not None and push.is_clean(dep)
                    ):
                        # Unchanged since verified; or live and unreached by any write.
                        dep.verified_at = revision
                        states[dep.ingredient.index].validations_shallow += 1
                        if listeners:
                            _emit_validated(db, dep, deep=False)
                    elif units and dep in units:
                        verify_unit(db, units[dep])
                    elif not dep.inputs & (
                        written_since.get(dep.verified_at)
                        or db._inputs_written_since(dep.verified_at)
                    ):
                        # Its input summary vouches for it: no walk below it.
                        dep.verified_at = revision
                        states[dep.ingredient.index].validations_shallow += 1
                        if listeners:
                            _emit_validated(db, dep, deep=False)
                    elif unresolved and dep in unresolved:
                        stale = True
                        cause = dep
                        break
                    elif track and dep in on_stack:
                        # A dependency cycle recorded by fixpoint iteration: its members
                        # are being decided by this very walk; the others decide it.
                        continue
                    else:
                        # Leaf queries (reading only inputs) are most memos of a typical
                        # graph: when every dep is an unchanged cell, decide the memo
                        # here without pushing a frame; otherwise descend into it.
                        dep_verified_at = dep.verified_at
                        for read in dep.deps:
                            if read.__class__ is not Cell or read.changed_at > dep_verified_at:
                                stack.append((memo, deps, verified_at))
                                if track:
                                    on_stack.add(dep)
                                memo = dep
                                deps = iter(memo.deps)
                                verified_at = dep_verified_at
                                descended = True
                                break
                        else:
                            if rerun is not None and dep in rerun:
                                # Not decided here: the general path re-runs it.
                                stack.append((memo, deps, verified_at))
                                if track:
                                    on_stack.add(dep)
                                memo = dep
                                deps = iter(memo.deps)
                                verified_at = dep_verified_at
                                descended = True
                            else:
                                dep.verified_at = revision
                                states[dep.ingredient.index].validations_deep += 1
                                if listeners:
                                    _emit_validated(db, dep, deep=True)
                        if descended:
                            break
                if dep.changed_at > verified_at:
                    stale = True
                    cause = dep
                    break
        if descended:
            continue
        # ``memo`` is decided (stale, or none of its deps changed). Hand it to its
        # parent, which is stale in turn when the child changed after the parent's
        # verification; otherwise the parent resumes its own deps.
        while True:
            if track:
                on_stack.discard(memo)
            if stale:
                db._why[memo] = (cause, revision)
                if not stack:
                    return False
                try:
                    refresh_stale(db, memo)
                except Cancelled:
                    raise
                except Exception:
                    # Its body raised, and errors are not memoized. Every reader on the
                    # walk must now re-execute, so that the error travels through their
                    # bodies (which may catch it) as in a from-scratch run. Marking them
                    # makes each one's verification O(1) when the root's body calls
                    # down again.
                    if db._rerun_revision != revision:
                        db._rerun_revision = revision
                        db._rerun = set()
                    db._rerun.update(frame[0] for frame in stack)
                    return False
                if memo.verified_at != revision:
                    # It re-entered a fixpoint head running above this walk and only
                    # got the provisional value: its readers here are stale.
                    unresolved.add(memo)
            else:
                # Its dependencies may have re-executed with new reads since it was last
                # verified (and been backdated): refresh its input summary so it still
                # covers every cell below it.
                inputs = 0
                for dep in memo.deps:
                    inputs |= dep.inputs
                memo.inputs = inputs
                memo.verified_at = revision
                states[memo.ingredient.index].validations_deep += 1
                if listeners:
                    _emit_validated(db, memo, deep=True)
                if not stack:
                    return True
            child = memo
            memo, deps, verified_at = stack.pop()
            cause = child
            if child.verified_at != revision:
                if units and child in units:
                    verify_unit(db, units[child])
                    stale = child.changed_at > verified_at
                else:
                    stale = True  # unresolved (see above)
            else:
                stale = child.changed_at > verified_at
            if not stale:
                break


def _emit_validated(db: Database, memo: Memo, *, deep: bool) -> None:
    ingredient = memo.ingredient
    db._emit(Validated(ingredient.wrapper, ingredient.args_of(memo.key), deep))


_ERROR_BELOW = "a dependency raised while being re-executed"


def mark_validated(db: Database, memo: Memo, revision: int, *, deep: bool) -> None:
    """``memo`` is valid in ``revision`` without executing: count it and tell listeners."""
    memo.verified_at = revision
    state = db._states[memo.ingredient.index]
    if deep:
        state.validations_deep += 1
    else:
        state.validations_shallow += 1
    if db._validated_listeners:
        _emit_validated(db, memo, deep=deep)


# Bound at the end: these modules import this one.
from salsify.cycles import verify_unit  # noqa: E402
from salsify.fetch import refresh_stale  # noqa: E402
