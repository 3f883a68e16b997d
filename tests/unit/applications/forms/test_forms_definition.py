"""Form definitions: the shipped forms load, and inconsistent ones are refused at load time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from civicline import messages
from civicline.domain.applications.forms import definition
from civicline.domain.applications.forms.definition import (
    FormDefinitionError,
    check_form,
    form_ids,
    load_form,
)
from civicline.models.forms import FormDefinition

LAYER = Path(definition.__file__).resolve().parents[3]


def _survey(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "id": "test_survey",
        "version": 1,
        "purpose": "survey",
        "title": "forms.survey.title",
        "steps": [
            {
                "id": "satisfaction",
                "input": "choice",
                "prompt": "forms.survey.satisfaction.prompt",
                "label": "forms.survey.field.satisfaction",
                "choices": [
                    {"id": "5", "label": "forms.survey.satisfaction.5"},
                    {"id": "1", "label": "forms.survey.satisfaction.1"},
                ],
            },
            {"id": "comment", "input": "text", "prompt": "forms.survey.comment.prompt", "optional": True},
        ],
    }
    form.update(overrides)
    return form


def _problem_of(data: dict[str, Any]) -> str:
    with pytest.raises((FormDefinitionError, ValidationError)) as refused:
        check_form(FormDefinition.model_validate(data))
    return str(refused.value)


def test_the_shipped_forms_load() -> None:
    assert form_ids() == ["koho_delivery", "koho_survey"]
    koho = load_form("koho_delivery")
    assert [k.id for k in koho.kinds] == ["new", "change_address", "stop"]
    assert [s.id for s in koho.steps] == [
        "name",
        "kana",
        "postal_code",
        "area_ok",
        "address",
        "phone",
        "reason",
    ]
    assert load_form("koho_survey").purpose == "survey"


def test_a_valid_definition_passes() -> None:
    check_form(FormDefinition.model_validate(_survey()))


def test_a_step_cannot_read_a_later_step() -> None:
    data = _survey()
    data["steps"][0]["params"] = {"x": "comment"}
    assert "not an earlier step" in _problem_of(data)


def test_branching_must_name_values_the_field_can_have() -> None:
    data = _survey()
    data["steps"][1]["when"] = {"field": "satisfaction", "in": ["9"]}
    assert "cannot have" in _problem_of(data)


def test_branching_on_an_unknown_field_is_refused() -> None:
    data = _survey()
    data["steps"][1]["when"] = {"field": "nothing", "in": ["x"]}
    assert "not kind or an earlier choice" in _problem_of(data)


def test_a_missing_message_key_is_named() -> None:
    data = _survey()
    data["steps"][1]["prompt"] = "forms.survey.no_such_prompt"
    assert "forms.survey.no_such_prompt" in _problem_of(data)


def test_a_label_too_long_for_a_quick_reply_is_refused() -> None:
    data = _survey()
    data["steps"][0]["choices"][0]["label"] = "forms.koho.intro"  # a sentence, not a label
    assert "longer than 20" in _problem_of(data)


def test_more_than_thirteen_choices_do_not_fit_quick_replies() -> None:
    data = _survey()
    data["steps"][0]["choices"] = [{"id": f"c{i}", "label": "forms.survey.satisfaction.5"} for i in range(14)]
    assert "1–13 choices" in _problem_of(data)


def test_repeated_step_ids_are_refused() -> None:
    data = _survey()
    data["steps"][1]["id"] = "satisfaction"
    assert "step ids repeat" in _problem_of(data)


def test_a_part_must_exist_on_the_step_it_names() -> None:
    data = yaml.safe_load((LAYER / "forms" / "koho_delivery.yaml").read_text(encoding="utf-8"))
    data["steps"][3]["params"] = {"area": "postal_code.prefecture"}
    assert "part 'prefecture'" in _problem_of(data)


def test_an_application_needs_steps_for_every_applicant_field() -> None:
    data = yaml.safe_load((LAYER / "forms" / "koho_delivery.yaml").read_text(encoding="utf-8"))
    data["steps"] = [s for s in data["steps"] if s["id"] != "phone"]
    assert "required field phone" in _problem_of(data)


def test_unknown_keys_in_a_definition_are_refused() -> None:
    with pytest.raises(ValidationError):
        FormDefinition.model_validate(_survey(colour="blue"))


def test_every_forms_message_key_named_in_code_is_in_the_catalogue() -> None:
    # Given the engine's source / Then every literal "forms.…" key it can say is in the Japanese catalogue
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (LAYER / "domain" / "applications" / "forms").glob("*.py")
    )
    keys = set(re.findall(r"\"(forms\.[a-z_.]+)\"", source)) - {"forms.completed"}
    assert keys
    catalogue = messages.catalogue("ja")
    assert sorted(k for k in keys if k not in catalogue) == []
