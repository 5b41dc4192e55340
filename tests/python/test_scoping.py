"""Scoping rules, as pyflakes applies them (each case also checked against pyflakes)."""

from __future__ import annotations

import ast
import textwrap

import pytest
from checker_helpers import findings, undefined, unused
from pyflakes import checker, messages


def pyflakes_findings(source: str, path: str = "mod.py") -> set[tuple[str, str]]:
    tree = ast.parse(textwrap.dedent(source))
    codes = {
        messages.UndefinedName: "F821",
        messages.UnusedImport: "F401",
        messages.ImportStarUsage: "F405",
    }
    found = set()
    for message in checker.Checker(tree, filename=path).messages:
        code = codes.get(type(message))
        if code is not None:
            found.add((code, str(message.message_args[0])))
    return found


CASES = {
    "class scope invisible to methods": (
        """
        class A:
            x = 1
            def f(self):
                return x
        """,
        {("F821", "x")},
    ),
    "class scope visible to its comprehensions (pyflakes)": (
        """
        class A:
            xs = [1]
            ys = [x for x in xs]
            zs = [xs for _ in range(3)]
        """,
        set(),
    ),
    "comprehension variables do not leak": (
        """
        squares = [n * n for n in range(3)]
        print(n)
        """,
        {("F821", "n")},
    ),
    "functions see later module names": (
        """
        def f():
            return later
        later = 1
        """,
        set(),
    ),
    "module code does not see later names": (
        """
        print(later)
        later = 1
        """,
        {("F821", "later")},
    ),
    "class bodies run inline": (
        """
        class A:
            y = later
        later = 1
        """,
        {("F821", "later")},
    ),
    "global declaration defines the name": (
        """
        def setup():
            global configured
            configured = True
        def use():
            return configured
        """,
        set(),
    ),
    "nonlocal": (
        """
        def outer():
            count = 0
            def inner():
                nonlocal count
                count += 1
            return inner
        """,
        set(),
    ),
    "conditional definitions count": (
        """
        import sys
        if sys.platform == "win32":
            def helper(): pass
        helper()
        """,
        set(),
    ),
    "del removes a name": (
        """
        x = 1
        del x
        print(x)
        """,
        {("F821", "x")},
    ),
    "del in a conditional branch keeps it": (
        """
        x = 1
        if x:
            del x
        print(x)
        """,
        set(),
    ),
    "except ... as e is unbound after the handler": (
        """
        try:
            pass
        except ValueError as e:
            print(e)
        print(e)
        """,
        {("F821", "e")},
    ),
    "try/except NameError suppresses": (
        """
        try:
            unicode
        except NameError:
            unicode = str
        """,
        set(),
    ),
    "string annotations are resolved at the end": (
        """
        def f(x: "Later") -> "Missing": ...
        class Later: ...
        """,
        {("F821", "Missing")},
    ),
    "future annotations are postponed": (
        """
        from __future__ import annotations
        def f(x: Later) -> None: ...
        class Later: ...
        """,
        set(),
    ),
    "bare annotations are not definitions": (
        """
        x: int
        print(x)
        """,
        {("F821", "x")},
    ),
    "class body dunders": (
        """
        class A:
            where = __module__, __qualname__
        """,
        set(),
    ),
    "module dunders are builtins": (
        """
        print(__file__, __name__, __doc__, __builtins__, __spec__)
        """,
        set(),
    ),
    "__class__ inside methods": (
        """
        class A:
            def f(self):
                return __class__
        """,
        set(),
    ),
    "star import makes unknown names F405": (
        """
        from os.path import *
        join("a", "b")
        """,
        {("F405", "join")},
    ),
    "__all__ marks imports used": (
        """
        import os, sys
        __all__ = ["os"]
        """,
        {("F401", "sys")},
    ),
    "__future__ imports are never unused": (
        """
        from __future__ import annotations
        """,
        set(),
    ),
    "try/except ImportError alternatives": (
        """
        try:
            import json
        except ImportError:
            json = None
        """,
        set(),
    ),
    "aliases report the full statement": (
        """
        import os.path as p
        from collections import OrderedDict as OD
        """,
        {("F401", "os.path as p"), ("F401", "collections.OrderedDict as OD")},
    ),
    "submodule import uses the package name": (
        """
        import xml.dom
        xml.dom.minidom
        """,
        set(),
    ),
    "imports used in functions": (
        """
        import os
        def f():
            return os.sep
        """,
        set(),
    ),
    "locals() does not mark imports used (pyflakes)": (
        """
        def f():
            import os
            return locals()
        """,
        {("F401", "os")},
    ),
    "walrus in a comprehension binds outside": (
        """
        def f(data):
            total = [(d := x) * d for x in data]
            return d, total
        """,
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scoping_rule(name: str) -> None:
    source, expected = CASES[name]
    assert findings(source) == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_scoping_rule_agrees_with_pyflakes(name: str) -> None:
    source, _ = CASES[name]
    assert findings(source) == pyflakes_findings(source)


def test_path_is_defined_only_in_package_init() -> None:
    assert undefined("print(__path__)", "pkg/__init__.py") == set()
    assert undefined("print(__path__)", "pkg/mod.py") == {"__path__"}


def test_syntax_error_is_e999() -> None:
    assert findings("def f(:\n") == {("E999", "")}


def test_rebinding_a_used_import_keeps_it_used() -> None:
    source = """
    import os
    os.getcwd()
    import os
    """
    assert unused(source) == set()


PEP_695_SOURCE = """
from typing import Callable

def identity[T](value: T) -> T:
    return value

def bounded[F: Callable[..., object]](method: F, /) -> F:
    return method

class Box[T]:
    def get(self) -> T:
        def inner() -> T:
            return self.item
        return inner()

type Pair[K] = tuple[K, Later]

class Later: ...

print(T)
"""


@pytest.mark.skipif(not hasattr(ast, "TypeAlias"), reason="PEP 695 syntax needs 3.12")
def test_pep695_type_parameters_are_scoped() -> None:
    assert findings(PEP_695_SOURCE) == {("F821", "T")}
    assert pyflakes_findings(PEP_695_SOURCE) == {("F821", "T")}
