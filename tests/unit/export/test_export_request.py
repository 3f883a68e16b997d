"""The export event: scheduler payloads, JST days, the link expiry ceiling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from civicline.models.export import ExportEncoding, ExportRequest, ExportTrigger, ExportTuning


def test_scheduler_payloads_are_scheduled_exports_of_the_default_form() -> None:
    for payload in ({"trigger": "schedule"}, {"source": "schedule"}):
        request = ExportRequest.model_validate(payload)
        assert request.trigger is ExportTrigger.SCHEDULE
        assert request.form_id == "koho_delivery"
        assert request.encoding is ExportEncoding.UTF8_BOM
        assert not request.is_range


def test_dates_are_whole_jst_days() -> None:
    request = ExportRequest.model_validate({"from": "2026-11-01", "to": "2026-11-27", "encoding": "cp932"})
    assert request.from_ == datetime(2026, 10, 31, 15, 0, tzinfo=UTC)
    assert request.to == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 11-27 included
    assert request.encoding is ExportEncoding.CP932


def test_a_range_needs_both_ends_in_order() -> None:
    with pytest.raises(ValidationError):
        ExportRequest.model_validate({"from": "2026-11-01"})
    with pytest.raises(ValidationError):
        ExportRequest.model_validate({"from": "2026-11-27", "to": "2026-11-01"})


def test_link_expiry_has_a_hard_ceiling() -> None:
    assert ExportRequest.model_validate({"linkExpirySeconds": 3600}).link_expiry_seconds == 3600
    with pytest.raises(ValidationError):
        ExportRequest.model_validate({"linkExpirySeconds": 3601})
    with pytest.raises(ValidationError):
        ExportTuning.model_validate({"EXPORT_LINK_EXPIRY_SECONDS": "86400"})
    assert ExportTuning.model_validate({}).link_expiry_seconds == 900


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        ExportRequest.model_validate({"formId": "koho_delivery", "bucket": "elsewhere"})
