"""A survey's results for staff: responses counted per choice of every choice step, never free text."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)


class ChoiceCount(_Wire):
    value: str
    label: str
    count: int = Field(ge=0)


class QuestionResults(_Wire):
    step_id: str
    label: str
    choices: tuple[ChoiceCount, ...]


class SurveyResults(_Wire):
    """`GET /staff/api/surveys/{formId}/results` (docs/staff_api.md)."""

    form_id: str
    title: str
    responses: int = Field(ge=0)
    questions: tuple[QuestionResults, ...]
    as_of: datetime | None = None
