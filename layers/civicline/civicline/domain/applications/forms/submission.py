"""What a completed form becomes: an Application for intake or a SurveyResponse, and the reply saying so."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from civicline.domain.applications.forms.editions import first_edition, last_edition
from civicline.domain.applications.forms.inputs import stored_value
from civicline.domain.applications.forms.reply import Completed, FormReply, Message
from civicline.models.forms import (
    ApplicantAnswers,
    Application,
    FormDefinition,
    FormPurpose,
    InputType,
    SurveyAnswers,
    SurveyResponse,
    submission_id_for,
    survey_response_id_for,
)
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.ward_time import ward_date


def _flat_answers(form: FormDefinition, completed: Completed) -> dict[str, str | int | bool | None]:
    return {
        step.id: stored_value(step, completed.answers[step.id])
        for step in form.steps
        if step.id in completed.answers and step.input is not InputType.CONFIRM
    }


def _check(form: FormDefinition, completed: Completed, purpose: FormPurpose) -> None:
    if completed.form_id != form.id or form.purpose is not purpose:
        raise ValueError(f"form {completed.form_id} is not a {purpose} of {form.id}")


def build_application(
    form: FormDefinition,
    completed: Completed,
    user_id: str,
    now: datetime,
    lead_days: int | None = None,
    *,
    language: Language = DEFAULT_LANGUAGE,
) -> Application:
    """The application for the intake queue; `lead_days` (if given) overrides the form's; `language`:
    the applicant's, for their notice and for staff (the CSV's 言語)."""
    _check(form, completed, FormPurpose.APPLICATION)
    if completed.kind is None:
        raise ValueError(f"form {form.id}: an application needs a kind")
    first = last = None
    if form.editions is not None:
        lead = form.editions.lead_days if lead_days is None else lead_days
        today = ward_date(now)
        if completed.kind in form.editions.stop_kinds:
            last = last_edition(today, lead)
        else:
            first = first_edition(today, lead)
    return Application(
        submission_id=submission_id_for(user_id, completed.conversation_id),
        user_id=user_id,
        form_id=form.id,
        form_version=completed.form_version,
        kind=completed.kind,
        answers=ApplicantAnswers.model_validate(_flat_answers(form, completed)),
        first_edition=first,
        last_edition=last,
        submitted_at=now,
        language=language,
    )


def application_reply(form: FormDefinition, application: Application) -> FormReply:
    """Thanks, and from (or up to) which edition: keys `<completed>.<kind>` with the edition's date."""
    base = form.completed or "forms.completed"
    edition = application.first_edition or application.last_edition
    params: dict[str, str | int] = {}
    if edition is not None:
        params = {"year": edition.year, "month": edition.month, "day": edition.day}
    return FormReply(Message(f"{base}.{application.kind}", params))


def build_survey_response(
    form: FormDefinition, completed: Completed, user_id: str, now: datetime
) -> SurveyResponse:
    _check(form, completed, FormPurpose.SURVEY)
    one_per_resident = form.survey_answers is SurveyAnswers.ONE_PER_RESIDENT
    return SurveyResponse(
        response_id=survey_response_id_for(user_id, form.id)
        if one_per_resident
        else submission_id_for(user_id, completed.conversation_id),
        user_id=user_id,
        form_id=form.id,
        form_version=completed.form_version,
        answers=_flat_answers(form, completed),
        submitted_at=now,
    )


def survey_reply(form: FormDefinition) -> FormReply:
    return FormReply(Message(form.completed or "forms.completed.survey"))


def choice_counts(form: FormDefinition, responses: Iterable[SurveyResponse]) -> dict[str, dict[str, int]]:
    """For staff: how many responses chose each choice, per choice step (every choice listed, even at 0)."""
    choice_steps = [s for s in form.steps if s.input is InputType.CHOICE]
    counts = {step.id: Counter[str]() for step in choice_steps}
    for response in responses:
        if response.form_id != form.id:
            continue
        for step in choice_steps:
            value = response.answers.get(step.id)
            if isinstance(value, str):
                counts[step.id][value] += 1
    return {step.id: {c.id: counts[step.id][c.id] for c in step.choices} for step in choice_steps}
