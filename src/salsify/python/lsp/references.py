"""`textDocument/references`: project-wide, through per-file name indexes.

`file_references(file, key)` is memoized per file: after an edit only the changed files'
`name_occurrences` re-run (the others are verified), and files that never mention the name
are skipped by the cheap `file_names` filter. The loop checks the request's cancellation
token between files.
"""

from __future__ import annotations

from lsprotocol import types

from salsify.python import navigation, queries
from salsify.python.inputs import file_id
from salsify.python.lsp.context import RequestContext, key_at_position


def references(
    context: RequestContext, position: types.Position, include_declaration: bool
) -> list[types.Location]:
    db = context.db
    key = key_at_position(context, position)
    if key is None:
        return []
    files = list(queries.project_files(db))
    if context.path not in {f.path for f in files}:
        files.append(file_id(db, context.path))
    declaration = navigation.def_location(db, key)
    found: list[types.Location] = []
    seen: set[tuple[str, int, int]] = set()
    for file in files:
        context.token.check()
        for occurrence in navigation.file_references(db, file, key):
            where = navigation.occurrence_location(db, file, occurrence)
            if (where[0], where[1], where[2]) in seen:
                continue
            seen.add((where[0], where[1], where[2]))
            is_declaration = declaration is not None and where[:3] == declaration[:3]
            if is_declaration and not include_declaration:
                continue
            found.append(context.location(where))
    return found
