"""Survey answers: stored once, linked to the resident's id and nothing else; counted per choice for staff."""

from __future__ import annotations

from collections.abc import Iterable

from civicline.domain.applications.forms.submission import choice_counts
from civicline.domain.applications.ports import SurveyStore
from civicline.models.forms import FormDefinition, SurveyResponse


def record_survey(store: SurveyStore, response: SurveyResponse) -> bool:
    """True when stored now, False when a redelivery found it already stored (nothing else to do)."""
    return store.add_survey(response)


def survey_counts(form: FormDefinition, responses: Iterable[SurveyResponse]) -> dict[str, dict[str, int]]:
    """Per choice step, how many responses chose each choice (every choice listed, even at 0)."""
    return choice_counts(form, responses)
