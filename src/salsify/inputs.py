"""``@salsify.input``: the mutable state of a database, field by field.

Each value field of each input object is a ``Cell``. Reading a field inside a query
records the cell as a dependency; assigning a field (or ``.set(...)``) is a write that
starts a new revision. Key fields identify the object (``File.get(db, path=...)``) and
never change.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, dataclass_transform

from salsify.durability import Durability
from salsify.memo import Cell

if TYPE_CHECKING:
    from salsify.database import Database

T = TypeVar("T")
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: bool = False
    default: Any = _MISSING
    default_factory: Callable[[], Any] | None = None


def field(
    *, key: bool = False, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None
) -> Any:
    """Declare an input or interned field: ``key=True`` makes it part of the identity."""
    if default is not _MISSING and default_factory is not None:
        raise TypeError("salsify.field: give default or default_factory, not both")
    return FieldSpec(key=key, default=default, default_factory=default_factory)


class _ValueField:
    """Data descriptor of a value field: tracked reads, writes as new revisions."""

    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index

    def __get__(self, obj: InputBase | None, cls: type | None = None) -> Any:
        if obj is None:
            return self
        # Hot path of every input read.
        cell = obj._cells[self.index]
        db = obj._db
        if db._in_query:
            top = db._local.top
            if top is not None:
                top.deps.append(cell)
        return cell.value

    def __set__(self, obj: InputBase, value: Any) -> None:
        obj._db._apply_write(((obj._cells[self.index], value, None),), Durability.LOW)


class _KeyField:
    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index

    def __get__(self, obj: InputBase | None, cls: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._key[self.index]

    def __set__(self, obj: InputBase, value: Any) -> None:
        raise AttributeError(
            f"{type(obj).__name__}.{self.name} is a key field: it identifies the input "
            "and cannot be changed (create another input instead)"
        )


class InputBase:
    """Base class of every ``@salsify.input`` class."""

    __slots__ = ("__weakref__", "_cells", "_db", "_key")
    __salsify_owned__: ClassVar[bool] = True
    _value_fields: ClassVar[tuple[str, ...]] = ()
    _key_fields: ClassVar[tuple[str, ...]] = ()
    _field_order: ClassVar[tuple[str, ...]] = ()
    _specs: ClassVar[dict[str, FieldSpec]] = {}

    _db: Database
    _cells: tuple[Cell, ...]
    _key: tuple[Any, ...]

    def __init__(
        self, db: Database, *args: Any, durability: Durability = Durability.LOW, **kwargs: Any
    ) -> None:
        from salsify.database import Database

        cls = type(self)
        if not isinstance(db, Database):
            raise TypeError(
                f"{cls.__name__}(db, ...): the first argument must be a salsify.Database, "
                f"got {type(db).__name__}"
            )
        values = _bind_fields(cls, args, kwargs)
        level = Durability(durability)
        db._check_not_in_query(f"create a {cls.__name__} input")
        key = tuple(values[name] for name in cls._key_fields)
        object.__setattr__(self, "_db", db)
        object.__setattr__(self, "_key", key)
        index = db._inputs_by_key.setdefault(cls, {})
        if cls._key_fields:
            try:
                hash(key)
            except TypeError:
                raise TypeError(
                    f"{cls.__name__}: key fields must be hashable, got {key!r}"
                ) from None
            if key in index:
                raise ValueError(f"{cls.__name__} with {self._describe_key()} already exists")
        revision = db._revision + 1
        cells = tuple(
            Cell(values[name], revision, int(level), self, name) for name in cls._value_fields
        )
        object.__setattr__(self, "_cells", cells)
        # Creation is a write: a query that looked this key up and found nothing reads
        # the class's key cell, which this revision changes.
        key_cell = db._input_key_cells.get(cls)
        if key_cell is None:
            key_cell = db._input_key_cells[cls] = Cell(None, 0, int(Durability.LOW), cls, "<keys>")
        db._apply_write(((key_cell, None, None),), level)
        if cls._key_fields:
            index[key] = self

    def _describe_key(self) -> str:
        cls = type(self)
        return ", ".join(f"{n}={v!r}" for n, v in zip(cls._key_fields, self._key, strict=True))

    def __repr__(self) -> str:
        cls = type(self)
        if cls._key_fields:
            return f"{cls.__name__}({self._describe_key()})"
        return f"{cls.__name__}(#{id(self):x})"

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self)._specs:
            object.__setattr__(self, name, value)  # goes to the field descriptor
            return
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    @classmethod
    def get(cls: type[T], db: Database, **keys: Any) -> T | None:
        """The input with these key field values, or None. A miss is a tracked read."""
        kc: Any = cls
        if set(keys) != set(kc._key_fields):
            raise TypeError(
                f"{kc.__name__}.get() takes exactly the key fields "
                f"{list(kc._key_fields)}, got {sorted(keys)}"
            )
        key = tuple(keys[name] for name in kc._key_fields)
        found = db._inputs_by_key.get(cls, {}).get(key)
        if found is None and db._in_query:
            top = db._local.top
            if top is not None:
                key_cell = db._input_key_cells.get(cls)
                if key_cell is None:
                    key_cell = db._input_key_cells.setdefault(
                        cls, Cell(None, 0, int(Durability.LOW), cls, "<keys>")
                    )
                top.deps.append(key_cell)
        return found

    def set(self, *, durability: Durability | None = None, **fields: Any) -> None:
        """Write several value fields in one revision, optionally changing their durability.

        With no fields and a durability, changes the durability of every value field.
        """
        cls = type(self)
        for name in fields:
            if name not in cls._value_fields:
                kind = "a key field" if name in cls._key_fields else "not a field"
                raise TypeError(f"{cls.__name__}.set(): {name!r} is {kind}")
        level = None if durability is None else int(Durability(durability))
        if fields:
            updates = [
                (self._cells[cls._value_fields.index(name)], value, level)
                for name, value in fields.items()
            ]
        elif level is not None:
            updates = [(cell, cell.value, level) for cell in self._cells]
        else:
            return
        self._db._apply_write(updates, Durability.LOW)

    def durability_of(self, name: str) -> Durability:
        """The current durability of a value field."""
        cls = type(self)
        return Durability(self._cells[cls._value_fields.index(name)].durability)


def _bind_fields(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    order: tuple[str, ...] = cls._field_order
    if len(args) > len(order):
        raise TypeError(f"{cls.__name__}() takes {len(order)} fields, got {len(args)} positional")
    values: dict[str, Any] = dict(zip(order, args, strict=False))
    for name, value in kwargs.items():
        if name not in cls._specs:
            raise TypeError(f"{cls.__name__}() got an unexpected field {name!r}")
        if name in values:
            raise TypeError(f"{cls.__name__}() got field {name!r} twice")
        values[name] = value
    missing = []
    for name in order:
        if name not in values:
            spec: FieldSpec = cls._specs[name]
            if spec.default_factory is not None:
                values[name] = spec.default_factory()
            elif spec.default is not _MISSING:
                values[name] = spec.default
            else:
                missing.append(name)
    if missing:
        raise TypeError(f"{cls.__name__}() is missing field(s) {', '.join(map(repr, missing))}")
    return values


def collect_fields(cls: type, what: str) -> dict[str, FieldSpec]:
    """Field specs from a class body's annotations, in declaration order."""
    specs: dict[str, FieldSpec] = {}
    annotations = inspect.get_annotations(cls)
    for name in annotations:
        if name.startswith("_"):
            raise TypeError(f"{what} {cls.__name__}: field {name!r} must not start with '_'")
        declared = cls.__dict__.get(name, _MISSING)
        if isinstance(declared, FieldSpec):
            specs[name] = declared
        else:
            specs[name] = FieldSpec(default=declared)
    if not specs:
        raise TypeError(f"{what} {cls.__name__} declares no fields")
    return specs


def _class_namespace(cls: type, specs: dict[str, FieldSpec]) -> dict[str, Any]:
    namespace = {
        k: v
        for k, v in cls.__dict__.items()
        if k not in specs and k not in ("__dict__", "__weakref__")
    }
    namespace["__slots__"] = ()
    return namespace


@dataclass_transform(field_specifiers=(field,))
def input(cls: type[T]) -> type[T]:
    """Declare an input class; fields are declared like a dataclass's."""
    specs = collect_fields(cls, "@salsify.input")
    key_fields = tuple(n for n, s in specs.items() if s.key)
    value_fields = tuple(n for n, s in specs.items() if not s.key)
    if not value_fields:
        raise TypeError(f"@salsify.input {cls.__name__} needs at least one value field")
    namespace = _class_namespace(cls, specs)
    namespace.update(
        _specs=specs,
        _key_fields=key_fields,
        _value_fields=value_fields,
        _field_order=tuple(specs),
    )
    for i, name in enumerate(key_fields):
        namespace[name] = _KeyField(name, i)
    for i, name in enumerate(value_fields):
        namespace[name] = _ValueField(name, i)
    bases = tuple(b for b in cls.__bases__ if b is not object) or ()
    new_cls = type(cls.__name__, (*bases, InputBase), namespace)
    return new_cls
