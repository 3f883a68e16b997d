"""Fixtures of the data-rights domain tests."""

from __future__ import annotations

import pytest
from tests.unit.data_rights.data_rights_fakes import RightsWorld, make_rights_world


@pytest.fixture
def world() -> RightsWorld:
    return make_rights_world()
