"""A survey's results as staff see them in the console: counts per choice (the export's own count,
civicline.domain.applications.surveys.survey_tally), labels in Japanese, never a typed answer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from civicline.domain.applications.surveys import survey_tally
from civicline.messages import text
from civicline.models.forms import FormDefinition, InputType, SurveyResponse
from civicline.models.survey_results import ChoiceCount, QuestionResults, SurveyResults


def survey_results(
    form: FormDefinition, responses: Iterable[SurveyResponse], as_of: datetime
) -> SurveyResults:
    seen, counts = survey_tally(form, responses)
    questions = tuple(
        QuestionResults(
            step_id=step.id,
            label=text(step.label or step.prompt),
            choices=tuple(
                ChoiceCount(value=choice.id, label=text(choice.label), count=counts[step.id][choice.id])
                for choice in step.choices
            ),
        )
        for step in form.steps
        if step.input is InputType.CHOICE
    )
    return SurveyResults(
        form_id=form.id, title=text(form.title), responses=seen, questions=questions, as_of=as_of
    )
