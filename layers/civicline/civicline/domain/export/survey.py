"""A survey's results for staff: how many responses chose each choice, as CSV rows without personal data.

Only choice steps are counted. Free-text answers (ご意見・ご要望) can name people or addresses, so they
never leave the table through this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from civicline.domain.applications.surveys import survey_tally
from civicline.domain.export.csv_stream import CsvRow
from civicline.messages import text
from civicline.models.forms import FormDefinition, InputType, SurveyResponse

SURVEY_HEADER = ("設問", "選択肢", "件数")
RESPONSES_ROW = "回答数"


def survey_count_rows(form: FormDefinition, responses: Iterable[SurveyResponse]) -> Iterator[CsvRow]:
    """The number of responses, then one row per choice of every choice step, in the form's order
    (choices never chosen show 0)."""
    seen, counts = survey_tally(form, responses)
    yield CsvRow(cells=(RESPONSES_ROW, "", str(seen)))
    for step in form.steps:
        if step.input is not InputType.CHOICE:
            continue
        question = text(step.label or step.prompt)
        for choice in step.choices:
            yield CsvRow(cells=(question, text(choice.label), str(counts[step.id][choice.id])))
