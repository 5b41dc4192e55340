"""Depth (rule 12): a chain of 10,000 queries executes and re-verifies under the
interpreter's default settings. Each scenario runs in a fresh interpreter, so that no
recursion limit raised by an earlier test (or by pytest) can help it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import salsify

PRELUDE = """
import sys
import salsify
from salsify import Durability

assert sys.getrecursionlimit() == 1000, sys.getrecursionlimit()
N = 10_000

@salsify.input
class Bottom:
    value: int

events = []
def kinds(kind):
    return [e for e in events if isinstance(e, kind)]
"""


def run(body: str) -> None:
    script = PRELUDE + textwrap.dedent(body) + "\nprint('ok')\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_rule12_chain_of_10000_executes_reverifies_and_reexecutes():
    run(
        """
        @salsify.query
        def parity(db, bottom):
            if bottom.value < 0:
                raise ValueError("negative")
            return bottom.value % 2

        @salsify.query
        def link(db, i, bottom):
            if i == N:
                return parity(db, bottom)
            return link(db, i + 1, bottom) + 1

        db = salsify.Database()
        db.on_event(events.append)
        b = Bottom(db, 1)
        assert link(db, 0, b) == N + 1                      # executes, 10,001 levels deep
        assert len(kinds(salsify.Executed)) == N + 2

        events.clear()
        b.value = 3                                         # parity backdates:
        assert link(db, 0, b) == N + 1                      # the chain is only verified
        assert [e.query for e in kinds(salsify.Executed)] == [parity]
        assert len(kinds(salsify.Validated)) == N + 1

        events.clear()
        b.value = 4                                         # every link changes:
        assert link(db, 0, b) == N                          # re-executed bottom-up
        executed = kinds(salsify.Executed)
        assert len(executed) == N + 2
        assert executed[0].query is parity and executed[1].args == (N, b)
        assert executed[-1].args == (0, b)

        b.value = -1                                        # an error 10,000 levels down
        try:
            link(db, 0, b)
        except ValueError:
            pass
        else:
            raise AssertionError("no error")
        b.value = 6
        assert link(db, 0, b) == N

        db.synthetic_write(Durability.HIGH)
        assert link(db, 0, b) == N
        """
    )


def test_rule12_chain_reexecutes_top_down_and_as_methods():
    run(
        """
        class Chain(salsify.Database):
            @salsify.query
            def link(self, i, bottom):
                if bottom.value < 0 or i == N:  # read first: each link is stale by itself
                    return i
                return self.link(i + 1, bottom)

        db = Chain()
        db.on_event(events.append)
        b = Bottom(db, 0)
        assert db.link(0, b) == N
        events.clear()
        b.value = 1  # re-execution recurses from the top down, 10,000 levels again
        assert db.link(0, b) == N
        assert len(kinds(salsify.Executed)) == N + 1
        assert kinds(salsify.Executed)[0].query is Chain.link
        """
    )


def test_rule12_in_process_chain(db):
    n = 3000

    @salsify.input
    class Leaf:
        value: int

    @salsify.query
    def link(db: salsify.Database, i: int, leaf: Leaf) -> int:
        return leaf.value if i == n else link(db, i + 1, leaf) + 1

    leaf = Leaf(db, 0)
    assert link(db, 0, leaf) == n
    leaf.value = 1
    assert link(db, 0, leaf) == n + 1
