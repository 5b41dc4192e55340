"""Inputs: fields, keys, lookups, writes, revisions (ENGINE.md rule 1)."""

from __future__ import annotations

import pytest

import salsify
from salsify import Durability


@salsify.input
class File:
    path: str = salsify.field(key=True)
    text: str
    version: int = 0


@salsify.input
class Counter:
    value: int


@salsify.input
class Listed:
    items: list[int] = salsify.field(default_factory=list)


log: list[str] = []


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    log.clear()


@salsify.query
def text_of(db: salsify.Database, file: File) -> str:
    log.append(f"text_of {file.path}")
    return file.text


@salsify.query
def version_of(db: salsify.Database, file: File) -> int:
    log.append(f"version_of {file.path}")
    return file.version


@salsify.query
def lookup(db: salsify.Database, path: str) -> str | None:
    log.append(f"lookup {path}")
    found = File.get(db, path=path)
    return None if found is None else found.text


def test_rule1_creating_and_writing_inputs_runs_no_query(db, rec):
    f = File(db, path="a.py", text="x = 1")
    text_of(db, f)
    rec.clear()
    log.clear()
    g = File(db, path="b.py", text="y = 2", durability=Durability.HIGH)
    f.text = "x = 2"
    f.set(text="x = 3", version=4)
    g.set(durability=Durability.LOW)
    db.synthetic_write(Durability.HIGH)
    Counter(db, 5)
    assert log == []
    assert rec.events == []


def test_fields_read_back_and_defaults(db):
    f = File(db, path="a.py", text="x")
    assert (f.path, f.text, f.version) == ("a.py", "x", 0)
    g = File(db, "b.py", "y", 3)  # positional in declaration order
    assert (g.path, g.text, g.version) == ("b.py", "y", 3)
    a, b = Listed(db), Listed(db)
    assert a.items == [] and a.items is not b.items


def test_missing_unknown_and_duplicate_field_arguments(db):
    with pytest.raises(TypeError, match="missing"):
        File(db, path="a.py")
    with pytest.raises(TypeError, match="unexpected"):
        File(db, path="a.py", text="", colour="red")
    with pytest.raises(TypeError, match="twice"):
        File(db, "a.py", path="a.py", text="")
    with pytest.raises(TypeError):
        File("not a db", path="a.py", text="")  # type: ignore[arg-type]


def test_get_returns_the_same_object_or_none(db):
    f = File(db, path="a.py", text="x")
    assert File.get(db, path="a.py") is f
    assert File.get(db, path="missing.py") is None
    with pytest.raises(TypeError, match="key fields"):
        File.get(db, text="x")
    other = salsify.Database()
    assert File.get(other, path="a.py") is None


def test_duplicate_key_is_a_value_error(db):
    File(db, path="a.py", text="x")
    with pytest.raises(ValueError, match=r"a\.py"):
        File(db, path="a.py", text="y")
    # The same key in another database is another input.
    File(salsify.Database(), path="a.py", text="y")


def test_inputs_without_key_fields_are_distinct(db):
    a, b = Counter(db, 1), Counter(db, 1)
    assert a is not b and a != b
    assert len({a, b}) == 2


def test_key_fields_are_read_only_and_unknown_attributes_rejected(db):
    f = File(db, path="a.py", text="x")
    with pytest.raises(AttributeError, match="key field"):
        f.path = "b.py"
    with pytest.raises(AttributeError):
        f.colour = "red"  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="key field"):
        f.set(path="b.py")
    with pytest.raises(TypeError, match="not a field"):
        f.set(colour="red")


def test_each_write_starts_one_revision(db):
    start = db.revision
    f = File(db, path="a.py", text="x")
    assert db.revision == start + 1  # creation is a write
    f.text = "y"
    assert db.revision == start + 2
    f.set(text="z", version=1)  # several fields, one revision
    assert db.revision == start + 3
    f.text = "z"  # equal value: still a write
    assert db.revision == start + 4
    db.synthetic_write(Durability.LOW)
    assert db.revision == start + 5
    f.set()  # nothing to write
    assert db.revision == start + 5


def test_durability_at_creation_is_kept_by_attribute_writes(db):
    f = File(db, path="a.py", text="x", durability=Durability.HIGH)
    assert f.durability_of("text") == Durability.HIGH
    f.text = "y"
    assert f.durability_of("text") == Durability.HIGH
    f.set(text="z", durability=Durability.MEDIUM)
    assert f.durability_of("text") == Durability.MEDIUM
    assert f.durability_of("version") == Durability.HIGH  # only the fields written
    f.set(durability=Durability.LOW)  # no fields: every value field
    assert f.durability_of("text") == f.durability_of("version") == Durability.LOW
    assert f.text == "z"


def test_reads_are_per_field(db, rec):
    f = File(db, path="a.py", text="x")
    assert text_of(db, f) == "x"
    assert version_of(db, f) == 0
    log.clear()
    f.version = 1
    assert text_of(db, f) == "x"
    assert version_of(db, f) == 1
    assert log == ["version_of a.py"]


def test_a_lookup_miss_is_a_tracked_read(db):
    assert lookup(db, "a.py") is None
    assert lookup(db, "a.py") is None
    assert log == ["lookup a.py"]
    File(db, path="a.py", text="found")
    assert lookup(db, "a.py") == "found"
    assert log == ["lookup a.py", "lookup a.py"]


def test_reading_outside_a_query_is_not_tracked(db, rec):
    f = File(db, path="a.py", text="x")
    assert f.text == "x"
    assert rec.events == []


def test_inputs_hash_by_identity_and_repr_names_the_key(db):
    f = File(db, path="a.py", text="x")
    assert repr(f) == "File(path='a.py')"
    d = {f: 1}
    f.text = "changed"
    assert d[f] == 1
