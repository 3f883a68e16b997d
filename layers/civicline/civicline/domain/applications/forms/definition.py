"""Form definitions: load them from civicline/forms/*.yaml and check what pydantic alone cannot.

Checked here: references between steps point backwards at steps that exist (and at parts their answers
have), branching names real kinds and choices, every message key is in the catalogue, and labels fit
LINE's quick replies. A form that fails is a deployment bug, so `load_form` raises at once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from civicline import messages
from civicline.domain.applications.forms.inputs import ANSWER_PARTS
from civicline.models.forms import (
    MAX_CHOICE_LABEL,
    MAX_CHOICES,
    ApplicantAnswers,
    FormDefinition,
    FormPurpose,
    InputType,
    Step,
)

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"
# Keys every form's conversation uses, whatever its steps.
ENGINE_KEYS = (
    "forms.cancelled",
    "forms.expired",
    "forms.outdated",
    "forms.confirm.prompt",
    "forms.edit.prompt",
    "forms.summary.kind",
    "forms.switch.prompt",
    "forms.switch.kept",
    "forms.notice.stale",
    "forms.notice.resumed",
    "forms.notice.no_back",
    "forms.notice.confirm_choose",
    "forms.label.cancel",
    "forms.label.back",
    "forms.label.skip",
    "forms.label.submit",
    "forms.label.edit",
    "forms.label.yes",
    "forms.label.no",
    "forms.label.pick_date",
    "forms.label.switch_yes",
    "forms.label.switch_no",
    "forms.command.cancel",
    "forms.command.back",
    "forms.command.skip",
    "forms.command.submit",
    "forms.command.edit",
    "forms.command.yes",
    "forms.command.no",
    "forms.value.none",
    "forms.value.raw",
    "forms.value.yes",
    "forms.value.no",
    "forms.value.postal_code",
    "forms.value.date",
    "forms.error.choose",
    "forms.error.required",
    "forms.error.yes_no",
    "forms.error.type_text",
    # what the input types say is wrong
    "forms.error.empty",
    "forms.error.too_long",
    "forms.error.emoji",
    "forms.error.control",
    "forms.error.name_digits",
    "forms.error.kana_only",
    "forms.error.postal_format",
    "forms.error.postal_outside",
    "forms.error.phone",
    "forms.error.phone_service",
    "forms.error.address_number",
    "forms.error.number",
    "forms.error.number_range",
    "forms.error.date",
)


class FormDefinitionError(ValueError):
    """A form definition is inconsistent (names the form and the problem, never answers)."""


def form_ids() -> list[str]:
    return sorted(path.stem for path in FORMS_DIR.glob("*.yaml"))


# Cached: immutable data read from the package, not a client or a setting.
@cache
def load_form(form_id: str) -> FormDefinition:
    path = FORMS_DIR / f"{form_id}.yaml"
    if not path.is_file():
        raise FormDefinitionError(f"no form {form_id!r}")
    form = FormDefinition.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    if form.id != form_id:
        raise FormDefinitionError(f"{path.name} defines form {form.id!r}")
    check_form(form)
    return form


def check_form(form: FormDefinition) -> None:
    """Raise FormDefinitionError on the first inconsistency found."""
    problems = [*_reference_problems(form), *_catalogue_problems(form), *_purpose_problems(form)]
    if problems:
        raise FormDefinitionError(f"form {form.id}: " + "; ".join(problems))


def _reference_problems(form: FormDefinition) -> list[str]:
    problems: list[str] = []
    kind_ids = {k.id for k in form.kinds}
    earlier: dict[str, Step] = {}
    for step in form.steps:
        problems += _read_problems(step, earlier)
        problems += _branch_problems(step, earlier, kind_ids)
        if step.on_no is not None and step.on_no not in earlier:
            problems.append(f"step {step.id}: on_no {step.on_no!r} is not an earlier step")
        if not set(step.prompt_by_kind) <= kind_ids:
            problems.append(f"step {step.id}: prompt_by_kind names unknown kinds")
        if step.input is InputType.CONFIRM and step.optional:
            problems.append(f"step {step.id}: a confirm step cannot be skipped")
        earlier[step.id] = step
    if form.editions is not None and not set(form.editions.stop_kinds) <= kind_ids:
        problems.append("editions.stop_kinds names unknown kinds")
    editable = [s for s in form.steps if s.label and s.input is not InputType.CONFIRM]
    if len(editable) > MAX_CHOICES - 2:
        problems.append(f"at most {MAX_CHOICES - 2} labelled steps fit the 修正 list")
    return problems


def _read_problems(step: Step, earlier: dict[str, Step]) -> list[str]:
    """`params` and `prefix` name earlier steps, and parts their answers have."""
    problems = []
    for ref in [*step.params.values(), *([step.prefix] if step.prefix else [])]:
        step_id, _, part_name = ref.partition(".")
        source = earlier.get(step_id)
        if source is None:
            problems.append(f"step {step.id} reads {step_id!r}, which is not an earlier step")
        elif part_name and part_name not in ANSWER_PARTS.get(source.input, frozenset()):
            problems.append(f"step {step.id} reads part {part_name!r}, which {step_id} has not")
        elif not part_name and source.input in ANSWER_PARTS:
            problems.append(f"step {step.id} must name a part of {step_id}")
    return problems


def _branch_problems(step: Step, earlier: dict[str, Step], kind_ids: set[str]) -> list[str]:
    """`when` names the kind or an earlier choice step, with values it can have."""
    if step.when is None:
        return []
    source = earlier.get(step.when.field)
    if step.when.field == "kind":
        allowed = kind_ids
    elif source is not None and source.input is InputType.CHOICE:
        allowed = {c.id for c in source.choices}
    else:
        return [f"step {step.id}: when names {step.when.field!r}, not kind or an earlier choice"]
    if not set(step.when.in_) <= allowed:
        return [f"step {step.id}: when lists values that {step.when.field} cannot have"]
    return []


def _catalogue_problems(form: FormDefinition) -> list[str]:
    keys = [form.title, *ENGINE_KEYS]
    keys += [key for key in (form.intro, form.kind_prompt) if key]
    if form.completed and form.purpose is FormPurpose.APPLICATION:
        # one thank-you per kind: `<completed>.<kind>` (see submission.application_reply)
        keys += [f"{form.completed}.{kind.id}" for kind in form.kinds]
    elif form.completed:
        keys.append(form.completed)
    labels = [k.label for k in form.kinds]
    for step in form.steps:
        keys += [step.prompt, *step.prompt_by_kind.values()]
        if step.other_readers is not None and step.other_readers.prompt:
            keys.append(step.other_readers.prompt)
        labels += [c.label for c in step.choices] + ([step.label] if step.label else [])
    problems = []
    for key in [*keys, *labels]:
        try:
            messages.entry(key)
        except messages.CatalogueError:
            problems.append(f"message {key!r} is missing")
    for key in labels:
        try:
            if len(messages.text(key)) > MAX_CHOICE_LABEL:
                problems.append(f"label {key!r} is longer than {MAX_CHOICE_LABEL} characters")
        except messages.CatalogueError:
            continue
    return problems


def _purpose_problems(form: FormDefinition) -> list[str]:
    if form.purpose is not FormPurpose.APPLICATION:
        return []
    kept = {s.id for s in form.steps if s.input is not InputType.CONFIRM}
    fields = ApplicantAnswers.model_fields
    problems = [f"step {step_id} has no field in ApplicantAnswers" for step_id in sorted(kept - set(fields))]
    required = {name for name, info in fields.items() if info.is_required()}
    problems += [f"no step answers the required field {name}" for name in sorted(required - kept)]
    return problems
