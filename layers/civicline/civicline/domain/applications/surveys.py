"""Survey answers: stored once, the choices in clear for staff's per-choice counts, typed answers sealed.

Typed answers are personal data, decided: a 200-character ご意見 is where residents write their name,
address, phone number or illness (a review found exactly that). So every answer to a step that is not
a choice is sealed under the PII key at intake, as applicants' answers are, and only its length stays
in clear, for 「登録情報の確認」. Nothing reads the sealed text back today (the survey export counts
choices only); it is kept, rather than dropped at intake, because the ward's record items name アンケート
の回答 and staff may be given a reader later. Every response expires (`purge_at`, the deployment's
survey retention); 「登録情報の削除」 removes the sealed text and unlinks the choices at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from civicline.domain.applications.forms.definition import FormDefinitionError, load_form
from civicline.domain.applications.forms.submission import choice_counts
from civicline.domain.applications.ports import FreeTextSealer, SurveyStore
from civicline.domain.applications.records import SurveyRecord
from civicline.models.forms import FormDefinition, InputType, SurveyResponse

# The template's SurveyRetentionDays default: a year of 広報新宿 issues to compare.
DEFAULT_SURVEY_RETENTION = timedelta(days=365)

Answers = Mapping[str, str | int | bool | None]
Choices = dict[str, str | int | bool | None]


def _choice_steps(form_id: str) -> frozenset[str]:
    """The form's choice steps; an unknown form has none, so all its answers are sealed."""
    try:
        form = load_form(form_id)
    except FormDefinitionError:
        return frozenset()
    return frozenset(step.id for step in form.steps if step.input is InputType.CHOICE)


def split_answers(form_id: str, answers: Answers) -> tuple[Choices, dict[str, str]]:
    """(choices, typed answers): what may stay in clear, and what is sealed (skipped steps dropped)."""
    choice_steps = _choice_steps(form_id)
    choices = {step: value for step, value in answers.items() if step in choice_steps}
    typed = {
        step: str(value) for step, value in answers.items() if step not in choice_steps and value is not None
    }
    return choices, typed


class SurveyIntake:
    """Stores survey responses once, typed answers sealed, each with its expiry."""

    def __init__(
        self,
        store: SurveyStore,
        sealer: FreeTextSealer,
        retention: timedelta = DEFAULT_SURVEY_RETENTION,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._retention = retention
        self._clock = clock

    def record(self, response: SurveyResponse) -> SurveyRecord:
        choices, typed = split_answers(response.form_id, response.answers)
        received_at = self._clock()
        return SurveyRecord(
            response=response.model_copy(update={"answers": choices}),
            received_at=received_at,
            purge_at=received_at + self._retention,
            free_text=self._sealer.seal_free_text(typed, response.response_id, response.form_id)
            if typed
            else None,
            free_text_lengths=MappingProxyType({step: len(value) for step, value in typed.items()}),
        )

    def receive(self, response: SurveyResponse) -> bool:
        """True when stored now, False when a redelivery found it already stored (nothing else to do)."""
        return self._store.add_survey(self.record(response))


def survey_counts(form: FormDefinition, responses: Iterable[SurveyResponse]) -> dict[str, dict[str, int]]:
    """Per choice step, how many responses chose each choice (every choice listed, even at 0)."""
    return choice_counts(form, responses)


def survey_tally(
    form: FormDefinition, responses: Iterable[SurveyResponse]
) -> tuple[int, dict[str, dict[str, int]]]:
    """How many responses were read (of any form), and their `survey_counts`: in one pass, as the
    responses may be a stream read only once."""
    seen = 0

    def counted() -> Iterator[SurveyResponse]:
        nonlocal seen
        for response in responses:
            seen += 1
            yield response

    counts = survey_counts(form, counted())
    return seen, counts
