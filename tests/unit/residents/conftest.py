"""Fixtures of the residents domain tests."""

from __future__ import annotations

import pytest
from tests.unit.residents.residents_fakes import World, make_world


@pytest.fixture
def world() -> World:
    return make_world()
