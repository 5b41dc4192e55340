"""`Workspace`: a project on disk fed into a salsify database, checked on demand.

Project files and directories are LOW durability inputs, settings MEDIUM, and the search
paths (stdlib, site-packages) HIGH. Edits come in through `set_text` / `remove` (an editor's
overlay or a watcher's event) or `rescan` (compare the disk with what the inputs hold).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

import salsify
from salsify import Durability
from salsify.python import queries
from salsify.python.diagnostic import Diagnostic
from salsify.python.filesystem import (
    SKIPPED_DIRECTORIES,
    default_search_paths,
    import_root,
    listing_of,
    read_source,
    walk_directories,
)
from salsify.python.inputs import (
    Directory,
    SourceFile,
    get_directory,
    get_project_files,
    get_settings,
    get_source_file,
    new_directory,
    new_project_files,
    new_settings,
    new_source_file,
    set_fields,
)

Progress = Callable[[int, int], None]


class Workspace:
    """A checked project: `roots` are directories (every `.py` below) or single files."""

    def __init__(self, roots: Sequence[str], *, search_paths: Sequence[str] | None = None) -> None:
        self.db = salsify.Database()
        self._targets = tuple(os.path.abspath(root) for root in roots)
        for target in self._targets:
            if not os.path.exists(target):
                raise FileNotFoundError(f"no such file or directory: {target}")
        import_roots: list[str] = []
        for target in self._targets:
            directory = target if os.path.isdir(target) else os.path.dirname(target)
            root = import_root(directory)
            if root not in import_roots:
                import_roots.append(root)
        self.roots = tuple(import_roots)
        if search_paths is None:
            search = default_search_paths(exclude=self.roots)
        else:
            search = tuple(os.path.abspath(p) for p in search_paths)
        self.search_paths = search
        self._stamps: dict[str, tuple[int, int]] = {}
        self._project: set[str] = set()

        project_listings = self._scan_project()
        for directory, entries in project_listings.items():
            new_directory(self.db, directory, entries, Durability.LOW)
        for search_path in self.search_paths:
            self._list_search_path(search_path)
        for path in sorted(self._project):
            result = read_source(path)
            self._stamps[path] = _stamp(path)
            new_source_file(self.db, path, result.text, result.problem, Durability.LOW)
        new_settings(self.db, self.roots, self.search_paths)
        new_project_files(self.db, tuple(sorted(self._project)))

    # ---- checking ------------------------------------------------------------------

    def check(self, progress: Progress | None = None) -> dict[str, list[Diagnostic]]:
        """Diagnostics of every project file (path -> diagnostics sorted by position)."""
        # A cold check builds hundreds of thousands of long-lived memos: see
        # salsify.tuned_gc for why the collector is held back while it runs.
        with salsify.tuned_gc():
            files = queries.project_files(self.db)
            if progress is not None:
                for done, file in enumerate(files, 1):
                    queries.file_diagnostics(self.db, file)
                    progress(done, len(files))
            diagnostics = queries.project_diagnostics(self.db)
        return {path: list(found) for path, found in diagnostics}

    # ---- edits ---------------------------------------------------------------------

    def set_text(self, path: str, text: str) -> None:
        """Give `path` this text (an edit, an editor overlay, or a new file)."""
        path = os.path.abspath(path)
        source = get_source_file(self.db, path)
        if source is None:
            new_source_file(self.db, path, text, None, Durability.LOW)
        else:
            set_fields(source, text=text, problem=None)
        self._ensure_listed(path)
        if path.endswith(".py") and self._in_targets(path) and path not in self._project:
            self._project.add(path)
            self._publish_project()

    def remove(self, path: str) -> None:
        """`path` no longer exists."""
        path = os.path.abspath(path)
        source = get_source_file(self.db, path)
        if source is not None and (source.text is not None or source.problem is not None):
            set_fields(source, text=None, problem=None)
        self._stamps.pop(path, None)
        directory = get_directory(self.db, os.path.dirname(path))
        name = os.path.basename(path)
        if directory is not None:
            entries = directory.entries - {name, name + "/"}
            if entries != directory.entries:
                set_fields(directory, entries=entries)
        if path in self._project:
            self._project.discard(path)
            self._publish_project()

    def rescan(self, changed: Iterable[str] = ()) -> None:
        """Bring the inputs in line with the disk. `changed` paths are re-read regardless."""
        forced = {os.path.abspath(p) for p in changed}
        self._rescan_search_directories(forced)
        listings = self._scan_project_listings()
        for directory, entries in listings.items():
            existing = get_directory(self.db, directory)
            if existing is None:
                new_directory(self.db, directory, entries, Durability.LOW)
            elif existing.entries != entries:
                set_fields(existing, entries=entries)
        for directory in list(self._known_project_directories()):
            if directory not in listings:
                existing = get_directory(self.db, directory)
                if existing is not None and existing.entries:
                    set_fields(existing, entries=frozenset())
        files = {
            os.path.join(directory, entry)
            for directory, entries in listings.items()
            for entry in entries
            if entry.endswith(".py")
        }
        files = {f for f in files if self._in_targets(f)}
        for path in sorted(self._project - files):
            self.remove(path)
        for path in sorted(files):
            stamp = _stamp(path)
            if path in self._project and path not in forced and self._stamps.get(path) == stamp:
                continue
            self._stamps[path] = stamp
            result = read_source(path)
            source = get_source_file(self.db, path)
            if source is None:
                new_source_file(self.db, path, result.text, result.problem, Durability.LOW)
            elif source.text != result.text or source.problem != result.problem:
                set_fields(source, text=result.text, problem=result.problem)
        if files != self._project:
            self._project = files
            self._publish_project()

    def set_search_paths(self, search_paths: Sequence[str]) -> None:
        """Search for imports in these directories (after the project roots) from now on."""
        paths = tuple(os.path.abspath(p) for p in search_paths)
        for path in paths:
            if path not in self.search_paths:
                self._list_search_path(path)
        self.search_paths = paths
        settings = get_settings(self.db)
        if settings is not None and settings.search_paths != paths:
            set_fields(settings, search_paths=paths)

    def _list_search_path(self, search_path: str) -> None:
        """Directory inputs (HIGH: they rarely change) for a search path's packages."""
        for directory, entries in walk_directories(search_path, packages_only=True):
            existing = get_directory(self.db, directory)
            if existing is None:
                new_directory(self.db, directory, entries, Durability.HIGH)
            elif existing.entries != entries:
                set_fields(existing, entries=entries)

    def _rescan_search_directories(self, changed: Iterable[str]) -> None:
        """A watcher reported changes below a search path: refresh those listings."""
        for path in changed:
            for search_path in self.search_paths:
                if _is_below(path, search_path) and not any(_is_below(path, r) for r in self.roots):
                    directory = path if os.path.isdir(path) else os.path.dirname(path)
                    if _is_below(directory, search_path):
                        self._list_search_path(directory)
                    break

    def load_external(self, path: str) -> bool:
        """Make a file outside the project an input (read from disk, on demand: the language
        server's navigation into the stdlib). HIGH durability below a search path. Returns
        whether an input was created."""
        path = os.path.abspath(path)
        if get_source_file(self.db, path) is not None:
            return False
        result = read_source(path)
        below_search = any(_is_below(path, p) for p in self.search_paths) and not any(
            _is_below(path, r) for r in self.roots
        )
        durability = Durability.HIGH if below_search else Durability.LOW
        new_source_file(self.db, path, result.text, result.problem, durability)
        return True

    def is_project_file(self, path: str) -> bool:
        return os.path.abspath(path) in self._project

    # ---- helpers -------------------------------------------------------------------

    def _scan_project(self) -> dict[str, frozenset[str]]:
        listings = self._scan_project_listings()
        for directory, entries in listings.items():
            for entry in entries:
                path = os.path.join(directory, entry)
                if entry.endswith(".py") and self._in_targets(path):
                    self._project.add(path)
        return listings

    def _scan_project_listings(self) -> dict[str, frozenset[str]]:
        """Listings of the target directories (recursively), of a file target's directory,
        and of the package directories between a target and its import root."""
        listings: dict[str, frozenset[str]] = {}
        for target in self._targets:
            if os.path.isdir(target):
                for directory, entries in walk_directories(target, packages_only=False):
                    listings.setdefault(directory, entries)
                directory = target
            else:
                directory = os.path.dirname(target)
                found = listing_of(directory)
                if found is not None:
                    listings.setdefault(directory, found)
            root = import_root(directory)
            while directory != root:
                directory = os.path.dirname(directory)
                above = listing_of(directory)
                if above is not None:
                    listings.setdefault(directory, above)
        return listings

    def _known_project_directories(self) -> Iterable[str]:
        seen = {os.path.dirname(p) for p in self._project}
        return sorted(seen)

    def _in_targets(self, path: str) -> bool:
        for target in self._targets:
            if path == target:
                return True
            if os.path.isdir(target) or not target.endswith(".py"):
                relative = os.path.relpath(path, target)
                if not relative.startswith(os.pardir) and not _has_skipped_part(relative):
                    return True
        return False

    def _ensure_listed(self, path: str) -> None:
        """Add `path` (and its parent directories) to the directory inputs."""
        child = os.path.basename(path)
        directory = os.path.dirname(path)
        while True:
            existing = get_directory(self.db, directory)
            if existing is None:
                entries = listing_of(directory) or frozenset()
                new_directory(self.db, directory, entries | {child}, Durability.LOW)
            elif child not in existing.entries:
                set_fields(existing, entries=existing.entries | {child})
            else:
                return
            parent = os.path.dirname(directory)
            if parent == directory or not any(_is_below(directory, r) for r in self.roots):
                return
            child, directory = os.path.basename(directory) + "/", parent

    def _publish_project(self) -> None:
        project = get_project_files(self.db)
        paths = tuple(sorted(self._project))
        if project is None:
            new_project_files(self.db, paths)
        elif project.paths != paths:
            set_fields(project, paths=paths)


def _stamp(path: str) -> tuple[int, int]:
    try:
        status = os.stat(path)
    except OSError:
        return (-1, -1)
    return (status.st_mtime_ns, status.st_size)


def _is_below(path: str, root: str) -> bool:
    relative = os.path.relpath(path, root)
    return not relative.startswith(os.pardir)


def _has_skipped_part(relative: str) -> bool:
    return any(
        part in SKIPPED_DIRECTORIES or (part.startswith(".") and part not in (".", ".."))
        for part in relative.split(os.sep)[:-1]
    )


__all__ = ["Directory", "SourceFile", "Workspace"]
