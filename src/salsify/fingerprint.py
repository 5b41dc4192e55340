"""Stable 128-bit fingerprints of values, identical across processes and runs.

A value is encoded canonically (a type tag, then its parts; sets and dicts sorted by
the encoding of their items) and hashed with BLAKE2b. Python's ``hash()`` is never used:
it is salted per process for strings. Values of types without a canonical encoding
have no fingerprint (``None``), and callers treat them as changed.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import struct
from typing import Any


class Unfingerprintable(Exception):
    pass


def fingerprint(value: Any) -> bytes | None:
    """The 16-byte fingerprint of ``value``, or None when it cannot be encoded."""
    out: list[bytes] = []
    try:
        _encode(value, out, 0)
    except (Unfingerprintable, RecursionError):
        return None
    return hashlib.blake2b(b"".join(out), digest_size=16).digest()


_MAX_DEPTH = 200


def _encode(value: Any, out: list[bytes], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise Unfingerprintable
    t = type(value)
    if value is None:
        out.append(b"N")
    elif t is bool:
        out.append(b"T" if value else b"F")
    elif t is int:
        data = str(value).encode()
        out.append(b"i%d:" % len(data) + data)
    elif t is float:
        out.append(b"f" + struct.pack("<d", value))
    elif t is str:
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s%d:" % len(data) + data)
    elif t is bytes:
        out.append(b"b%d:" % len(value) + value)
    elif t is tuple or t is list:
        out.append((b"t" if t is tuple else b"l") + b"%d:" % len(value))
        for item in value:
            _encode(item, out, depth + 1)
    elif t is frozenset or t is set or t is dict:
        parts = []
        items = value.items() if t is dict else ((v, None) for v in value)
        for k, v in items:
            part: list[bytes] = []
            _encode(k, part, depth + 1)
            if t is dict:
                _encode(v, part, depth + 1)
            parts.append(b"".join(part))
        parts.sort()
        tag = {frozenset: b"z", set: b"S", dict: b"d"}[t]
        out.append(tag + b"%d:" % len(parts))
        out.extend(parts)
    elif isinstance(value, enum.Enum):
        name = f"{t.__module__}.{t.__qualname__}.{value.name}".encode()
        out.append(b"e%d:" % len(name) + name)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = f"{t.__module__}.{t.__qualname__}".encode()
        fields = dataclasses.fields(value)
        out.append(b"D%d:" % len(name) + name + b"%d:" % len(fields))
        for f in fields:
            _encode(f.name, out, depth + 1)
            _encode(getattr(value, f.name), out, depth + 1)
    elif t.__module__ == "builtins" and t.__name__ == "complex":
        out.append(b"c" + struct.pack("<dd", value.real, value.imag))
    else:
        stable = getattr(value, "__salsify_fingerprint__", None)
        if stable is None:
            raise Unfingerprintable
        _encode(("@", f"{t.__module__}.{t.__qualname__}", stable()), out, depth + 1)
