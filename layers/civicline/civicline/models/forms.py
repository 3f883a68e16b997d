"""Forms as data, and what a finished form becomes (an Application, a SurveyResponse).

A form definition (civicline/forms/*.yaml) is validated here for shape; references between its parts
and to the message catalogue are checked by `civicline.domain.applications.forms.definition`. A
resident's conversation through a form, in progress, is `models.form_conversation`.

Answers are personal data: every model that carries them hides them from `repr`, so a stray log line
or exception shows ids only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civicline.models.language import DEFAULT_LANGUAGE, JAPANESE_READERS, Language

STEP_ID_PATTERN = r"^[a-z][a-z0-9_]{0,15}$"
CHOICE_ID_PATTERN = r"^[a-z0-9_]{1,16}$"
FORM_ID_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
# Quick replies allow 13 items; labels are checked against LINE's 20 characters once resolved.
MAX_CHOICES = 13
MAX_CHOICE_LABEL = 20

# What one answer can be once normalised: text, a number, yes/no, nothing (skipped), or a few named parts
# (a postal code with its town, a phone number in two formats).
AnswerValue = str | int | bool | dict[str, str] | None


class InputType(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    NAME = "name"
    KANA = "kana"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    PHONE = "phone"
    NUMBER = "number"
    DATE = "date"
    CONFIRM = "confirm"


class FormPurpose(StrEnum):
    APPLICATION = "application"  # becomes an Application on the intake queue
    SURVEY = "survey"  # becomes a SurveyResponse


class SurveyAnswers(StrEnum):
    """How many answers a survey keeps per resident (docs/forms.md; the ward confirms the choice)."""

    ONE_PER_RESIDENT = "one_per_resident"  # answering again replaces the resident's earlier answer
    EVERY_TIME = "every_time"  # every completed survey is kept as its own response


class Option(BaseModel):
    """A kind of the form or a choice of a step: an id for postbacks and storage, a catalogue key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=CHOICE_ID_PATTERN)
    label: str = Field(min_length=1, description="message key of the label (≤ 20 characters)")


class When(BaseModel):
    """Ask a step only when an earlier answer (or the form's kind, field `kind`) is one of `in`."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    field: str
    in_: tuple[str, ...] = Field(alias="in", min_length=1)


class OtherReaders(BaseModel):
    """How a step reads to a resident who does not read Japanese (e.g. the katakana reading of a name:
    optional for them, and its prompt says why it helps)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str | None = Field(default=None, description="message key of the question for them")
    optional: bool | None = None


class Step(BaseModel):
    """One question.

    `params` and `prefix` name parts of earlier answers as `step_id.part` (e.g. `postal_code.area`);
    a step that names another depends on it, and loses its answer when that one changes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=STEP_ID_PATTERN)
    input: InputType
    prompt: str = Field(min_length=1, description="message key of the question")
    prompt_by_kind: dict[str, str] = Field(default_factory=dict)
    label: str | None = Field(
        default=None, description="message key naming the field on the confirmation card and 修正 list"
    )
    optional: bool = False
    when: When | None = None
    choices: tuple[Option, ...] = ()
    max_length: int | None = Field(default=None, ge=1, le=1000)
    min_value: int | None = None
    max_value: int | None = None
    params: dict[str, str] = Field(default_factory=dict)
    prefix: str | None = None
    on_no: str | None = Field(default=None, description="confirm steps: step to ask again on いいえ")
    accept_service_numbers: bool = Field(
        default=False,
        description="phone steps: also accept フリーダイヤル / ナビダイヤル (0120, 0570…): docs/forms.md",
    )
    other_readers: OtherReaders | None = Field(
        default=None, description="the step for residents who do not read Japanese: docs/forms.md"
    )

    @model_validator(mode="after")
    def _choices_fit_the_input(self) -> Step:
        if self.input is InputType.CHOICE:
            if not 1 <= len(self.choices) <= MAX_CHOICES:
                raise ValueError(f"step {self.id}: a choice step needs 1–{MAX_CHOICES} choices")
            if len({c.id for c in self.choices}) != len(self.choices):
                raise ValueError(f"step {self.id}: choice ids repeat")
        elif self.choices:
            raise ValueError(f"step {self.id}: only choice steps have choices")
        if self.on_no is not None and self.input is not InputType.CONFIRM:
            raise ValueError(f"step {self.id}: on_no belongs to confirm steps")
        if self.prefix is not None and self.input is not InputType.ADDRESS:
            raise ValueError(f"step {self.id}: prefix belongs to address steps")
        if self.accept_service_numbers and self.input is not InputType.PHONE:
            raise ValueError(f"step {self.id}: accept_service_numbers belongs to phone steps")
        return self

    def prompt_for(self, kind: str | None) -> str:
        return self.prompt_by_kind.get(kind or "", self.prompt)

    def references(self) -> set[str]:
        """Step ids this step reads answers from."""
        refs = {ref.split(".", 1)[0] for ref in self.params.values()}
        if self.prefix:
            refs.add(self.prefix.split(".", 1)[0])
        if self.on_no:
            refs.add(self.on_no)
        if self.when and self.when.field != "kind":
            refs.add(self.when.field)
        return refs


class EditionRule(BaseModel):
    """広報新宿 editions: delivery starts (or, for a stop kind, ends) `lead_days` after the request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_days: int = Field(default=10, ge=0, le=120)
    stop_kinds: tuple[str, ...] = ()


class FormDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=FORM_ID_PATTERN)
    version: int = Field(ge=1)
    purpose: FormPurpose
    title: str = Field(min_length=1, description="message key of the form's name")
    intro: str | None = Field(default=None, description="message key said before the first question")
    completed: str | None = Field(default=None, description="message key said on submission")
    ttl_hours: int = Field(default=24, ge=1, le=168)
    kinds: tuple[Option, ...] = ()
    kind_prompt: str | None = None
    editions: EditionRule | None = None
    survey_answers: SurveyAnswers = Field(
        default=SurveyAnswers.ONE_PER_RESIDENT, description="surveys only: see SurveyAnswers"
    )
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> FormDefinition:
        step_ids = [s.id for s in self.steps]
        if len(set(step_ids)) != len(step_ids):
            raise ValueError(f"form {self.id}: step ids repeat")
        if len({k.id for k in self.kinds}) != len(self.kinds):
            raise ValueError(f"form {self.id}: kind ids repeat")
        if len(self.kinds) > MAX_CHOICES:
            raise ValueError(f"form {self.id}: at most {MAX_CHOICES} kinds")
        if self.kinds and not self.kind_prompt:
            raise ValueError(f"form {self.id}: a form with kinds needs kind_prompt")
        return self

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def has_step(self, step_id: str) -> bool:
        return any(s.id == step_id for s in self.steps)

    def for_reader(self, language: str) -> FormDefinition:
        """The form as a resident reading `language` gets it: steps' `other_readers` applied outside
        Japanese. The same ids and order, so a conversation carries over when the language changes."""
        if language in JAPANESE_READERS or not any(step.other_readers for step in self.steps):
            return self
        steps = tuple(_for_other_readers(step) for step in self.steps)
        return self.model_copy(update={"steps": steps})


def _for_other_readers(step: Step) -> Step:
    variant = step.other_readers
    if variant is None:
        return step
    changes: dict[str, object] = {}
    if variant.prompt is not None:
        changes["prompt"] = variant.prompt
        changes["prompt_by_kind"] = {}
    if variant.optional is not None:
        changes["optional"] = variant.optional
    return step.model_copy(update=changes)


class ApplicantAnswers(BaseModel):
    """The answers of an application, typed. Personal data: field-encrypted by intake."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=50)  # as on the residence card: any script
    # The katakana reading: optional for residents who do not read Japanese (forms' other_readers).
    kana: str | None = Field(default=None, min_length=1, max_length=50)
    postal_code: str = Field(pattern=r"^\d{3}-\d{4}$")
    address: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+[1-9]\d{6,14}$", description="E.164")
    reason: str | None = Field(default=None, max_length=200)


# Fixed so a submission id can be recomputed anywhere from the same user and conversation.
SUBMISSION_NAMESPACE = uuid.UUID("6f1c8a52-4b7e-5d2a-9c61-0e2f3b4a5d6c")


def survey_response_id_for(user_id: str, form_id: str) -> str:
    """One id per resident and survey: a later answer replaces the earlier one (ONE_PER_RESIDENT)."""
    return str(uuid.uuid5(SUBMISSION_NAMESPACE, f"{user_id}:survey:{form_id}"))


def submission_id_for(user_id: str, conversation_id: str) -> str:
    """The same resident and conversation always give the same id, so a redelivered 確定 is one submission."""
    return str(uuid.uuid5(SUBMISSION_NAMESPACE, f"{user_id}:{conversation_id}"))


class Application(BaseModel):
    """A completed application, sent from the conversation worker to the intake queue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    submission_id: str
    user_id: str
    form_id: str = Field(pattern=FORM_ID_PATTERN)
    form_version: int = Field(ge=1)
    kind: str
    answers: ApplicantAnswers = Field(repr=False)
    first_edition: date | None = None
    last_edition: date | None = None
    submitted_at: datetime
    # The applicant's language: their notice is written in it, and staff see it (CSV 言語) to reply.
    language: Language = DEFAULT_LANGUAGE


class SurveyResponse(BaseModel):
    """A survey's answers, linked to the resident's id and nothing else about them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    response_id: str
    user_id: str
    form_id: str = Field(pattern=FORM_ID_PATTERN)
    form_version: int = Field(ge=1)
    answers: dict[str, str | int | bool | None] = Field(repr=False)
    submitted_at: datetime
