"""Queries: memoization (rule 2), arguments, methods, options."""

from __future__ import annotations

import pytest

import salsify


@salsify.input
class Number:
    value: int


log: list[tuple[object, ...]] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


@salsify.query
def double(db: salsify.Database, n: Number) -> int:
    """Twice the number."""
    log.append(("double", n))
    return 2 * n.value


@salsify.query
def scaled(db: salsify.Database, n: Number, factor: int = 3, *, offset: int = 0) -> int:
    log.append(("scaled", factor, offset))
    return n.value * factor + offset


@salsify.query
def constant(db: salsify.Database) -> str:
    log.append(("constant",))
    return "c"


@salsify.query
def total(db: salsify.Database, numbers: tuple[Number, ...]) -> int:
    log.append(("total", len(numbers)))
    return sum(double(db, n) for n in numbers)


class Compiler(salsify.Database):
    def __init__(self, unit: int) -> None:
        super().__init__()
        self.unit = unit  # plain configuration, fixed for the database's life

    @salsify.query
    def weight(self, n: Number) -> int:
        log.append(("weight", n))
        return n.value * self.unit

    @salsify.query
    def heavy(self, n: Number) -> bool:
        log.append(("heavy", n))
        return self.weight(n) > 10


def test_rule2_a_body_runs_once_per_arguments_and_revision(db, rec):
    n = Number(db, 4)
    assert [double(db, n) for _ in range(3)] == [8, 8, 8]
    assert log == [("double", n)]
    assert rec.executed() == [("double", (n,))]
    m = Number(db, 5)
    assert double(db, m) == 10 and double(db, n) == 8
    assert log == [("double", n), ("double", m)]


def test_no_query_runs_until_called(db):
    Number(db, 1)
    assert log == []


def test_defaults_and_keyword_only_arguments_share_memos(db):
    n = Number(db, 2)
    assert scaled(db, n) == 6
    assert scaled(db, n, 3) == 6
    assert scaled(db, n, factor=3, offset=0) == 6
    assert log == [("scaled", 3, 0)]
    assert scaled(db, n, 3, offset=1) == 7
    assert scaled(db, n, offset=1) == 7
    assert log == [("scaled", 3, 0), ("scaled", 3, 1)]


def test_query_without_arguments(db, rec):
    assert constant(db) == constant(db) == "c"
    assert log == [("constant",)]
    assert rec.executed() == [("constant", ())]


def test_tuples_of_inputs_are_keys(db):
    a, b = Number(db, 1), Number(db, 2)
    assert total(db, (a, b)) == 6
    assert total(db, (a, b)) == 6
    b.value = 5
    assert total(db, (a, b)) == 12
    assert log.count(("total", 2)) == 2
    assert log.count(("double", a)) == 1


def test_methods_on_database_subclasses(rec):
    db = Compiler(unit=3)
    recorder = db.on_event(rec.events.append)
    n = Number(db, 4)
    assert db.heavy(n) is True
    assert db.heavy(n) is True
    assert Compiler.weight(db, n) == 12  # the plain function, called with the database
    assert log == [("heavy", n), ("weight", n)]
    n.value = 1
    assert db.heavy(n) is False
    executed = [(e.query, e.args) for e in rec.events if isinstance(e, salsify.Executed)]
    assert executed[:2] == [(Compiler.heavy, (n,)), (Compiler.weight, (n,))]
    recorder.close()
    # Each database has its own memos.
    other = Compiler(unit=1)
    m = Number(other, 4)
    assert other.heavy(m) is False


def test_subclass_that_skips_database_init_gets_a_clear_error():
    class Broken(salsify.Database):
        def __init__(self) -> None:
            pass

        @salsify.query
        def q(self) -> int:
            return 1

    with pytest.raises(salsify.MisuseError, match=r"Database\.__init__"):
        Broken().q()


def test_first_argument_must_be_a_database():
    with pytest.raises(TypeError, match=r"salsify\.Database"):
        constant("not a database")  # type: ignore[arg-type]


def test_the_decorated_function_keeps_its_identity():
    assert double.__name__ == "double"
    assert double.__qualname__ == "double"
    assert double.__doc__ == "Twice the number."
    assert double.__module__ == __name__
    assert callable(double.__wrapped__)


@pytest.mark.parametrize(
    "options",
    [
        {"lru": -1},
        {"lru": "3"},
        {"lru": 2.5},
        {"lru": True},
        {"eq": 1},
        {"eq": "=="},
        {"cycle_initial": 0},
        {"persist": 1},
        {"persist": "yes"},
        {"version": 2},
        {"colour": "red"},
    ],
)
def test_bad_options_raise_type_error(options):
    with pytest.raises(TypeError):

        @salsify.query(**options)
        def q(db: salsify.Database, x: int) -> int:
            return x


def test_good_options_are_accepted(db):
    @salsify.query(lru=0, eq=False, cycle_initial=lambda db, x: 0, persist=True, version="2")
    def q1(db: salsify.Database, x: int) -> int:
        return x

    @salsify.query(lru=None, eq=lambda old, new: old == new, persist=False, version=None)
    def q2(db: salsify.Database, x: int) -> int:
        return x

    assert q1(db, 1) == 1 and q2(db, 2) == 2


@pytest.mark.parametrize(
    "fn",
    [
        lambda: None,  # no database parameter
        lambda *dbs: None,
        lambda db, *args: None,
        lambda db, **kwargs: None,
        lambda db, _s_key: None,  # reserved prefix
    ],
)
def test_bad_signatures_raise_type_error(fn):
    with pytest.raises(TypeError):
        salsify.query(fn)


def test_only_functions_are_queries():
    with pytest.raises(TypeError):
        salsify.query(42)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        salsify.query(len)  # type: ignore[arg-type]


def test_a_lambda_can_be_a_query(db):
    square = salsify.query(lambda db, x: x * x)
    assert square(db, 3) == 9
