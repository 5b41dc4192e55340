"""``@salsify.interned``: frozen records that are identical when their fields are equal.

Interned objects hash and compare by identity, so they are cheap memo keys, and a query
that returns one returns the *same* object across revisions when its fields are equal,
which makes backdating cheap (``is`` before ``==``). Interning is per database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, dataclass_transform

from salsify.inputs import FieldSpec, _bind_fields, _class_namespace, collect_fields, field

if TYPE_CHECKING:
    from salsify.database import Database

T = TypeVar("T")


class InternedBase:
    """Base class of every ``@salsify.interned`` class."""

    __slots__ = ("__weakref__", "_db", "_fields")
    __salsify_owned__: ClassVar[bool] = True
    _field_order: ClassVar[tuple[str, ...]] = ()
    _specs: ClassVar[dict[str, FieldSpec]] = {}
    _db: Database
    _fields: tuple[Any, ...]

    def __new__(cls, db: Database, *args: Any, **kwargs: Any) -> Any:
        from salsify.database import Database

        if not isinstance(db, Database):
            raise TypeError(
                f"{cls.__name__}(db, ...): the first argument must be a salsify.Database, "
                f"got {type(db).__name__}"
            )
        if not kwargs and len(args) == len(cls._field_order):
            key = (cls, *args)  # the common call: every field, positionally
            fields = args
        else:
            values = _bind_fields(cls, args, kwargs)
            fields = tuple(values[name] for name in cls._field_order)
            key = (cls, *fields)
        table = db._interned
        try:
            found = table.get(key)
        except TypeError:
            raise TypeError(
                f"{cls.__name__}: interned fields must be hashable, got {fields!r}"
            ) from None
        if found is not None:
            return found
        obj = object.__new__(cls)
        object.__setattr__(obj, "_db", db)
        object.__setattr__(obj, "_fields", fields)
        # setdefault: two threads interning the same fields get the same object.
        return table.setdefault(key, obj)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is interned and immutable")

    def __repr__(self) -> str:
        cls = type(self)
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(cls._field_order, self._fields, strict=True))
        return f"{cls.__name__}({inner})"

    def __reduce__(self) -> Any:
        raise TypeError(
            f"{type(self).__name__} is interned in one database and cannot be pickled directly"
        )


class _InternedField:
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, obj: InternedBase | None, cls: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._fields[self.index]


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def interned(cls: type[T]) -> type[T]:
    """Declare an interned record class: ``Name(db, "x", 1)`` is the same object each time."""
    specs = collect_fields(cls, "@salsify.interned")
    namespace = _class_namespace(cls, specs)
    namespace.update(_specs=specs, _field_order=tuple(specs))
    for i, name in enumerate(specs):
        namespace[name] = _InternedField(i)
    bases = tuple(b for b in cls.__bases__ if b is not object) or ()
    new_cls = type(cls.__name__, (*bases, InternedBase), namespace)
    return new_cls
