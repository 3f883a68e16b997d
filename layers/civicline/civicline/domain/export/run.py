"""One export, start to finish: the request's mode chosen here, each mode in a module of its own, and
every mode's rows through the one path of publish.py (rows → file → link → result).

Everything streams: index pages are read one at a time, each page's applications decrypted, marked and
turned into rows, the rows encoded into chunks and the chunks uploaded as parts. Memory holds a page
and a part, whatever the number of applications.

Links: an on-demand export answers with a presigned link (staff invoked it with their own IAM
credentials). A scheduled export issues no link at all: nobody is there to receive it, and a link in a
notice would outlive its purpose in mailboxes. Its notice names the export id; staff get a link with
`make export LINK=<export id>`, which is audited like any other.
"""

from __future__ import annotations

from civicline.domain.applications.forms.definition import FormDefinitionError, load_form
from civicline.domain.export.errors import UnknownForm
from civicline.domain.export.link_reissue import reissue_link
from civicline.domain.export.ports import ExportPorts, Invocation
from civicline.domain.export.range_export import export_range
from civicline.domain.export.survey_export import export_survey
from civicline.domain.export.watermark_export import export_since_watermark
from civicline.models.export import ExportRequest, ExportResult, ExportTuning
from civicline.models.forms import FormDefinition, FormPurpose


def _form(form_id: str) -> FormDefinition:
    try:
        return load_form(form_id)
    except FormDefinitionError:
        raise UnknownForm(f"no form {form_id!r}") from None


def run_export(
    request: ExportRequest, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    """Export as `request` asks; returns what was done (with the link for staff requests)."""
    form = _form(request.form_id)
    if request.is_link:
        return reissue_link(request, form, ports, tuning, run)
    if form.purpose is FormPurpose.SURVEY:
        return export_survey(request, form, ports, tuning, run)
    if request.is_range:
        return export_range(request, form, ports, tuning, run)
    return export_since_watermark(request, form, ports, tuning, run)
