"""Shared fixtures: a fresh database and a recorder of its event stream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import salsify
from recording import Recorder


@pytest.fixture
def db() -> salsify.Database:
    return salsify.Database()


@pytest.fixture
def rec(db: salsify.Database) -> Iterator[Recorder]:
    recorder = Recorder(db)
    yield recorder
    recorder.subscription.close()
