from __future__ import annotations

import pytest
from tests.unit.staff_api.staff_api_fakes import StaffApi, staff_api


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> StaffApi:
    return staff_api(monkeypatch)
