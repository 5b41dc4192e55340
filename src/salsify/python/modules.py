"""Module names and module resolution over directory listings, as plain functions.

Resolution follows CPython's path finder closely enough for a checker: built-in modules
first, then each search directory in order (a regular package, then an extension module,
then a source module), namespace packages when only bare directories were found, frozen
modules last. Built-in, compiled and namespace modules resolve as *opaque*: they exist,
but we have no source for them. A submodule of a plain module (`os.path`) is opaque too.
"""

from __future__ import annotations

import _imp
import enum
import importlib.machinery
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)
BUILTIN_MODULES = frozenset(sys.builtin_module_names)

Listing = Callable[[str], frozenset[str] | None]


class ModuleKind(enum.Enum):
    SOURCE = "source"
    PACKAGE = "package"
    NAMESPACE = "namespace"
    COMPILED = "compiled"
    BUILTIN = "builtin"
    OPAQUE = "opaque"  # exists at run time, but not as a file we can read (os.path)
    MISSING = "missing"

    @property
    def has_source(self) -> bool:
        return self in (ModuleKind.SOURCE, ModuleKind.PACKAGE)

    @property
    def is_package(self) -> bool:
        return self in (ModuleKind.PACKAGE, ModuleKind.NAMESPACE)


@dataclass(frozen=True, slots=True)
class Resolution:
    kind: ModuleKind
    path: str | None = None  # the source file for SOURCE and PACKAGE
    search_dirs: tuple[str, ...] = ()  # where submodules are looked for (packages)


MISSING = Resolution(ModuleKind.MISSING)


def module_name_for(path: str, roots: Sequence[str]) -> str | None:
    """The dotted module name of `path` under the first root that contains it."""
    for root in roots:
        relative = os.path.relpath(path, root)
        if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            continue
        parts = relative[: -len(".py")].split(os.sep) if relative.endswith(".py") else None
        if not parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)
    return None


def absolute_module(importer: str, is_package: bool, module: str, level: int) -> str | None:
    """Make `from <level dots><module> import ...` absolute; None when it escapes the top."""
    if level == 0:
        return module
    package = importer if is_package else importer.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not module):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) if base else None


def find_in_directories(name: str, directories: Sequence[str], listing: Listing) -> Resolution:
    """Look for module `name` (one component) in `directories`, CPython's order."""
    namespace_dirs: list[str] = []
    for directory in directories:
        entries = listing(directory)
        if entries is None:
            continue
        if name + "/" in entries:
            package_dir = os.path.join(directory, name)
            package_entries = listing(package_dir)
            if package_entries is not None and "__init__.py" in package_entries:
                init = os.path.join(package_dir, "__init__.py")
                return Resolution(ModuleKind.PACKAGE, init, (package_dir,))
            namespace_dirs.append(package_dir)
        for suffix in EXTENSION_SUFFIXES:
            if name + suffix in entries:
                return Resolution(ModuleKind.COMPILED)
        if name + ".py" in entries:
            return Resolution(ModuleKind.SOURCE, os.path.join(directory, name + ".py"))
    if namespace_dirs:
        return Resolution(ModuleKind.NAMESPACE, None, tuple(namespace_dirs))
    return MISSING


def resolve_top_level(name: str, directories: Sequence[str], listing: Listing) -> Resolution:
    if name in BUILTIN_MODULES:
        return Resolution(ModuleKind.BUILTIN)
    found = find_in_directories(name, directories, listing)
    if found.kind is ModuleKind.MISSING and _imp.is_frozen(name):
        return Resolution(ModuleKind.BUILTIN)
    return found


def resolve_submodule(parent: Resolution, name: str, listing: Listing) -> Resolution:
    """Resolve `<parent>.<name>` given how the parent resolved."""
    if parent.kind is ModuleKind.MISSING:
        return MISSING
    if parent.kind.is_package:
        return find_in_directories(name, parent.search_dirs, listing)
    return Resolution(ModuleKind.OPAQUE)
