"""Lead import in the browser: upload, preview, then import all or nothing; a large file is
imported by a job on the worker, whose page shows its progress and then its result."""

import base64
import secrets

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sdr_ops.access import role_required
from sdr_ops.models import Role

from . import importer
from .access import import_job_for

MAX_BYTES = 5 * 1024 * 1024
SESSION_KEY = "lead_import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("leads.csv"),
        help_text=gettext_lazy("UTF-8 CSV with a header row, at most 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload


@role_required(Role.MANAGER)
def import_leads(request: HttpRequest) -> HttpResponse:
    """Upload shows a preview; confirming imports the previewed file, all or nothing."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("confirm"):
        # The preview is confirmed once, and only the one on this page (another tab may
        # have previewed another file since).
        stored = request.session.pop(SESSION_KEY, None)
        if not stored or stored.get("token") != request.POST.get("token"):
            messages.error(request, _("The preview has expired: upload the file again."))
            return redirect("lead-import")
        request.session.save()
        data = base64.b64decode(stored["data"])
        if importer.is_job(stored.get("rows", 0)):
            job = importer.queue_import(
                data, filename=stored["name"], rows=stored["rows"], by=request.user
            )
            return redirect("lead-import-job", pk=job.pk)
        result = importer.check_and_import(
            data, filename=stored["name"], by=request.user, zone=request.user.local_zone
        )
        if result.ok:
            messages.success(
                request,
                _("%(n)s leads imported, %(d)s duplicates left out.")
                % {"n": result.created, "d": len(result.duplicates)},
            )
            return redirect("lead-list")
        return render(request, "leads/import.html", {"form": UploadForm(), "result": result})
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = importer.check_leads(
            data, filename=upload.name, by=request.user, zone=request.user.local_zone
        )
        if result.ok:
            request.session[SESSION_KEY] = {
                "name": upload.name,
                "data": base64.b64encode(data).decode(),
                "rows": len(result.rows),
                "token": secrets.token_urlsafe(16),
            }
    return render(
        request,
        "leads/import.html",
        {
            "form": form,
            "result": result,
            "preview": result.rows[:20] if result else [],
            "token": request.session.get(SESSION_KEY, {}).get("token", ""),
        },
    )


@role_required(Role.MANAGER)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large import's progress, polled by htmx until it is finished, then its result."""
    job = import_job_for(request.user, pk)
    template = "leads/import_job_part.html" if request.htmx else "leads/import_job.html"
    return render(request, template, {"job": job})
