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

from typing import TYPE_CHECKING

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
    from salsify.cycles import verify_unit
    from salsify.fetch import refresh_stale

    units = db._cycle_units
    revision = db._revision
    last_changed = db._last_changed
    push = db._push
    if last_changed[root.durability] <= root.verified_at or (
        push is not None and push.is_clean(root)
    ):
        _validated(db, root, revision, deep=False)
        return True

    # Hot loop: written with locals and without helper calls on the common branches.
    memos: list[Memo] = [root]
    positions: list[int] = [0]
    on_stack: set[int] = {id(root)}
    unresolved: set[int] = set()
    rerun = db._rerun if db._rerun_revision == revision else None
    while memos:
        memo = memos[-1]
        i = positions[-1]
        deps = memo.deps
        verified_at = memo.verified_at
        n = len(deps)
        stale = False
        descend: Memo | None = None
        if rerun is not None and memo in rerun:
            # Re-executing a dependency raised earlier in this revision: re-run.
            stale = True
            n = 0
        while i < n:
            dep = deps[i]
            if dep.__class__ is Cell:
                if dep.changed_at > verified_at:
                    stale = True
                    break
            else:
                if dep.verified_at != revision:
                    if last_changed[dep.durability] <= dep.verified_at or (
                        push is not None and push.is_clean(dep)
                    ):
                        # Unchanged since verified; or live and unreached by any write.
                        _validated(db, dep, revision, deep=False)
                    elif units and dep in units:
                        verify_unit(db, units[dep])
                    elif unresolved and id(dep) in unresolved:
                        stale = True
                        break
                    elif id(dep) in on_stack:
                        # A dependency cycle recorded by fixpoint iteration: its members
                        # are being decided by this very walk; the others decide it.
                        i += 1
                        continue
                    else:
                        descend = dep
                        break
                if dep.changed_at > verified_at:
                    stale = True
                    break
            i += 1
        if descend is not None:
            positions[-1] = i
            memos.append(descend)
            positions.append(0)
            on_stack.add(id(descend))
            continue
        memos.pop()
        positions.pop()
        on_stack.discard(id(memo))
        if stale:
            db._why[memo] = (deps[i] if i < len(deps) else _ERROR_BELOW, revision)
            if not memos:
                return False
            try:
                refresh_stale(db, memo)
            except Cancelled:
                raise
            except Exception:
                # Its body raised, and errors are not memoized. Every reader on the walk
                # must now re-execute, so that the error travels through their bodies
                # (which may catch it) as in a from-scratch run. Marking them makes each
                # one's verification O(1) when the root's body calls down again.
                if db._rerun_revision != revision:
                    db._rerun_revision = revision
                    db._rerun = set()
                db._rerun.update(memos)
                return False
            if memo.verified_at != revision:
                # It re-entered a fixpoint head running above this walk and only got
                # the provisional value: its readers here are stale.
                unresolved.add(id(memo))
        else:
            _validated(db, memo, revision, deep=True)
    return True


_ERROR_BELOW = "a dependency raised while being re-executed"


def _validated(db: Database, memo: Memo, revision: int, *, deep: bool) -> None:
    memo.verified_at = revision
    state = db._states[memo.ingredient.index]
    if deep:
        state.validations_deep += 1
    else:
        state.validations_shallow += 1
    if db._listeners:
        ingredient = memo.ingredient
        db._emit(Validated(ingredient.wrapper, ingredient.args_of(memo.key), deep))
