"""Interning: identical objects for equal fields, frozen, identity-hashed, per database."""

from __future__ import annotations

import pickle

import pytest

import salsify


@salsify.interned
class Name:
    text: str
    arity: int = 0


@salsify.input
class Source:
    text: str


@salsify.query
def first_name(db: salsify.Database, s: Source) -> Name:
    return Name(db, s.text.split()[0])


@salsify.query
def describe(db: salsify.Database, name: Name) -> str:
    return f"{name.text}/{name.arity}"


def test_equal_fields_give_the_identical_object(db):
    a = Name(db, "x", 1)
    assert Name(db, "x", 1) is a
    assert Name(db, text="x", arity=1) is a
    assert Name(db, "x", arity=1) is a
    assert Name(db, "x", 2) is not a
    assert Name(db, "x") is Name(db, "x", 0)
    assert (a.text, a.arity) == ("x", 1)


def test_interned_objects_are_immutable(db):
    a = Name(db, "x")
    with pytest.raises(AttributeError):
        a.text = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a.other = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del a.text  # type: ignore[misc]
    assert a.text == "x"


def test_interned_objects_hash_by_identity_and_are_keys(db):
    a = Name(db, "x")
    assert hash(a) == object.__hash__(a)
    assert a == Name(db, "x") and a != Name(db, "y")
    assert {a: 1}[Name(db, "x")] == 1
    assert describe(db, a) == "x/0"
    assert repr(a) == "Name(text='x', arity=0)"


def test_interning_is_per_database(db):
    other = salsify.Database()
    assert Name(db, "x") is not Name(other, "x")


def test_interned_of_another_database_is_rejected_as_argument(db):
    other = salsify.Database()
    with pytest.raises(salsify.MisuseError, match="another database"):
        describe(db, Name(other, "x"))


def test_unhashable_fields_are_a_type_error(db):
    with pytest.raises(TypeError, match="hashable"):
        Name(db, ["x"])  # type: ignore[arg-type]


def test_a_query_returning_an_interned_value_is_backdated(db, rec):
    s = Source(db, "alpha beta")
    n = first_name(db, s)
    s.text = "alpha gamma"
    assert first_name(db, s) is n
    assert rec.backdated() == [("first_name", (s,))]


def test_interned_objects_refuse_pickling(db):
    with pytest.raises(TypeError, match="interned"):
        pickle.dumps(Name(db, "x"))


def test_interned_requires_a_database():
    with pytest.raises(TypeError, match=r"salsify\.Database"):
        Name("db", "x")  # type: ignore[arg-type]
