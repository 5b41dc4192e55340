"""Fixpoint iteration for query cycles (semantics 8 of ENGINE.md).

When a call re-enters a call still running on this thread, the re-entered call is the
cycle *head*. Without ``cycle_initial`` that is a ``CycleError``. With it:

1. the re-entrant call gets the head's provisional value (``cycle_initial(db, *args)``
   at first) and depends on the head's memo;
2. every query that finishes while the head runs is a *participant*: its value may rest
   on the provisional value;
3. when the head's body returns a value different from the provisional one, that value
   becomes the new provisional value, the participants are reset (moved out of the
   memo tables so they re-execute) and the body runs again; at most 200 iterations;
4. once equal, head and participants are final. They are remembered as one *cycle unit*:
   a later revision verifies the unit through the dependencies that leave it, and when
   one of those changed, re-executes the head from ``cycle_initial`` again.

Dependencies read in any iteration are kept (the frame's read list is never cleared),
so an input read only in early iterations still re-runs the cycle when it changes.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from salsify.backdate import EvictedValue
from salsify.errors import CycleError
from salsify.memo import ALL_INPUTS, ActiveQuery, Cell, Memo

if TYPE_CHECKING:
    from salsify.database import Database
    from salsify.query import QueryIngredient

MAX_ITERATIONS = 200


class CycleState:
    """Fixpoint bookkeeping kept on the head's frame while it iterates."""

    __slots__ = ("head_memo", "iterations", "outer", "participants", "provisional")

    def __init__(self, provisional: Any, head_memo: Memo, outer: ActiveQuery | None) -> None:
        self.provisional = provisional
        self.head_memo = head_memo
        self.iterations = 1
        self.outer = outer
        self.participants: list[Memo] = []


def enter_cycle(
    db: Database, ingredient: QueryIngredient, key: Any, frames: list[ActiveQuery]
) -> Any:
    """A re-entrant call of the running head ``frames[0]``: its provisional value."""
    head = frames[0]
    state = head.cycle
    db._entered_cycle = True
    if state is None:
        head_memo = _head_memo(db, ingredient, key)
        provisional = ingredient.cycle_initial(db, *ingredient.args_of(key))  # type: ignore[misc]
        state = head.cycle = CycleState(provisional, head_memo, head.head)
        head.head = head
    # Every frame between the head and this call now rests on the provisional value.
    for frame in frames[1:]:
        frame.head = head
    top = db._local.top
    if top is not None:
        top.deps.append(state.head_memo)
    return state.provisional


def _head_memo(db: Database, ingredient: QueryIngredient, key: Any) -> Memo:
    """The head's memo object, created as an empty placeholder on a first execution.

    Participants must depend on the head's memo before its first value exists; the
    placeholder lives in the evicted table, so nothing reads it as a value.
    """
    state = db._states[ingredient.index]
    memo = state.memos.get(key) or state.evicted.get(key)
    if memo is None:
        memo = Memo(ingredient, key, EvictedValue(None), 0, 0, 0, (MUST_RERUN,), None)
        state.evicted[key] = memo
    return memo


def iterate_again(db: Database, frame: ActiveQuery, value: Any) -> bool:
    """The head's body returned ``value``: run it again (True) or finish (False)."""
    from salsify.backdate import values_equal_plain

    state: CycleState = frame.cycle
    if values_equal_plain(frame.ingredient, state.provisional, value):
        return False
    if state.iterations >= MAX_ITERATIONS:
        reset_participants(db, state)
        call = frame.ingredient.describe_call(frame.key)
        raise CycleError(
            f"fixpoint of {call} did not converge after {MAX_ITERATIONS} iterations "
            f"(last values {state.provisional!r} then {value!r})",
            ((frame.ingredient.name, frame.ingredient.args_of(frame.key)),),
        )
    state.iterations += 1
    state.provisional = value
    reset_participants(db, state)
    frame.pushed = None  # only the final iteration's pushes count
    return True


def reset_participants(db: Database, state: CycleState) -> None:
    """Move provisional memos out of the tables so they re-execute."""
    for memo in state.participants:
        evict_for_rerun(db, memo)
    state.participants.clear()


# A dependency that always reads as changed: a memo holding it can only be re-executed.
MUST_RERUN = Cell(None, sys.maxsize, 0, "<fixpoint>", "provisional value")
MUST_RERUN.inputs = ALL_INPUTS


def evict_for_rerun(db: Database, memo: Memo) -> None:
    """Take a provisional memo out of its table and make verification re-execute it."""
    table = db._states[memo.ingredient.index]
    if table.memos.get(memo.key) is memo:
        del table.memos[memo.key]
        table.evicted[memo.key] = memo
    mark_must_rerun(memo)


def mark_must_rerun(memo: Memo) -> None:
    """Make the next verification of ``memo`` fail at once (its value stays for backdating)."""
    memo.deps = (MUST_RERUN,)
    memo.verified_at = 0
    memo.durability = 0
    memo.inputs = ALL_INPUTS


def participant_finished(frame: ActiveQuery, memo: Memo) -> None:
    head = frame.head
    if head is not None and head is not frame:
        head.cycle.participants.append(memo)


def head_finished(db: Database, frame: ActiveQuery, memo: Memo) -> None:
    """The head converged: record the unit, hand it to an enclosing head if any."""
    state: CycleState = frame.cycle
    members = (memo, *state.participants)
    # Members read each other's provisional values: each one's durability and input
    # summary must cover the whole unit, or a shortcut could validate one alone.
    durability = min(m.durability for m in members)
    inputs = 0
    for member in members:
        inputs |= member.inputs
    for member in members:
        member.durability = durability
        member.inputs = inputs
    forget_unit(db, memo)
    units = db._cycle_units
    for member in members:
        old_head = units.pop(member, None)
        if old_head is not None and old_head is not memo:
            forget_unit(db, old_head)
        units[member] = memo
    db._cycle_members[memo] = members
    outer = state.outer
    if outer is not None and outer.cycle is not None:
        outer.cycle.participants.extend(members)


def forget_unit(db: Database, head_memo: Memo) -> None:
    for member in db._cycle_members.pop(head_memo, ()):
        if db._cycle_units.get(member) is head_memo:
            del db._cycle_units[member]


def unit_boundary(db: Database, head_memo: Memo) -> Memo:
    """A stand-in memo whose dependencies are those leaving the cycle unit.

    Verifying it verifies the whole unit: members share ``verified_at`` (they were
    finished in the same revision), and what they read inside the unit cannot change
    unless something outside it did.
    """
    members = db._cycle_members.get(head_memo, (head_memo,))
    inside = {id(m) for m in members}
    outside: dict[Any, None] = {}
    durability = head_memo.durability
    for member in members:
        durability = min(durability, member.durability)
        for dep in member.deps:
            if id(dep) not in inside:
                outside[dep] = None
    verified_at = min(m.verified_at for m in members)
    inputs = 0
    for member in members:
        inputs |= member.inputs
    return Memo(
        head_memo.ingredient,
        head_memo.key,
        None,
        verified_at,
        head_memo.changed_at,
        durability,
        tuple(outside),
        None,
        inputs,
    )


def verify_unit(db: Database, head_memo: Memo) -> None:
    """Bring a whole cycle unit to the current revision (re-running the head if stale)."""
    from salsify.fetch import refresh_stale
    from salsify.verify import deep_verify

    members = db._cycle_members.get(head_memo, (head_memo,))
    revision = db._revision
    if all(m.verified_at == revision for m in members):
        return
    boundary = unit_boundary(db, head_memo)
    if deep_verify(db, boundary):
        # A walk refreshed the boundary's input summary (what leaves the unit may have
        # re-executed with new reads): it is every member's summary.
        for member in members:
            member.inputs = boundary.inputs
            member.verified_at = revision
        return
    for member in members:
        if member is not head_memo:
            evict_for_rerun(db, member)
    forget_unit(db, head_memo)
    refresh_stale(db, head_memo)
