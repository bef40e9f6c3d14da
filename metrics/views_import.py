"""The history import in the browser, for managers (their team) and admins (any team)."""

from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sdr_ops.access import role_required
from sdr_ops.csvfiles import Problems, read_zip
from sdr_ops.models import Role

from . import history

MAX_BYTES = 25 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class HistoryFilesField(forms.FileField):
    """One or more uploads: the CSV files by their names, or a .zip holding them."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        return [super(HistoryFilesField, self).clean(upload, initial) for upload in uploads]


class HistoryUploadForm(forms.Form):
    files = HistoryFilesField(
        label=gettext_lazy("Files"),
        help_text=gettext_lazy(
            "staff.csv, leads.csv, activities.csv, handoffs.csv and opportunities.csv (any of "
            "them), or one .zip holding them; UTF-8, at most 25 MB in all."
        ),
    )

    def clean_files(self) -> dict[str, bytes]:
        uploads = self.cleaned_data["files"]
        if sum(upload.size for upload in uploads) > MAX_BYTES:
            raise forms.ValidationError(
                _("The files are larger than 25 MB in all: import them with the command.")
            )
        files: dict[str, bytes] = {}
        problems = Problems()
        for upload in uploads:
            name = upload.name.lower()
            if name.endswith(".zip"):
                found = read_zip(
                    PurePosixPath(upload.name).name,
                    upload.read(),
                    max_bytes=MAX_BYTES,
                    problems=problems,
                )
            elif name.endswith(".csv"):
                found = {PurePosixPath(upload.name).name: upload.read()}
            else:
                raise forms.ValidationError(
                    _("%(name)s is neither a .csv nor a .zip file.") % {"name": upload.name}
                )
            for member, data in found.items():
                if member in files:
                    problems.add(member, 1, "-", _("two files of this name in the upload"))
                files[member] = data
        if problems.count:
            raise forms.ValidationError(problems.report())
        if not files:
            raise forms.ValidationError(_("The upload holds no CSV file."))
        return files


@role_required(Role.MANAGER)
def import_history(request: HttpRequest) -> HttpResponse:
    """Checks the files whole; with "import", writes them all or nothing."""
    team = None if request.user.is_admin else request.user.current_team
    if team is None and not request.user.is_admin:
        raise Http404
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    plan = written = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "import":
            with transaction.atomic():
                plan = history.import_files(form.cleaned_data["files"], team=team)
                # The import marked the stored weeks it touched (metrics.freshness), whose
                # recomputation is queued on commit: nothing more to ask for here.
                if plan.ok:
                    written = plan.written
            if plan.ok:
                messages.success(request, _("The history is imported."))
        else:
            plan = history.check(form.cleaned_data["files"], team=team)
    found = (
        {
            "staff": len(plan.staff),
            "leads": len(plan.leads),
            "activities": len(plan.activities),
            "handoffs": len(plan.handoffs),
            "opportunities": len(plan.opportunities),
        }
        if plan and plan.ok
        else {}
    )
    labels = {
        "staff": _("People and their staffing records"),
        "leads": _("Leads"),
        "activities": _("Activities"),
        "handoffs": _("Handoffs"),
        "opportunities": _("Opportunities"),
    }
    rows = [
        {"name": labels[name], "found": n, "written": written.get(name) if written else None}
        for name, n in found.items()
    ]
    return render(
        request,
        "metrics/import.html",
        {"form": form, "plan": plan, "rows": rows, "written": written, "team": team},
    )
