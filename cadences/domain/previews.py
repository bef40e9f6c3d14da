"""The preview of a cadence e-mail with a real lead, and the rule it guards.

A preview renders a variant's subject and text for one lead of the cadence's team exactly as
that lead would receive it: the merge fields filled in, "(광고)" before the subject when the
team's cadence mail is advertising, the unsubscribe footer on the text and the HTML. Unknown
merge fields, template code and an empty subject or text are errors of the preview; a lead
without an address is a note (the wording is fine, the step would skip that lead).

The rule: a cadence runs only e-mail that was previewed without error in its present wording.
- Activating a cadence is refused while an e-mail variant of its current version has no
  preview (a `VariantPreview` of its subject and text's digest on that cadence).
- Saving steps of a cadence that is active is refused likewise: the new steps would run at
  once, so their e-mail must have been previewed first.
Changing a single character of a subject or a text asks for a new preview; saving the same
wording again, or as a new version, keeps the preview. A draft saves unpreviewed e-mail.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead
from sdr_ops.models import Role, StaffingRecord, Team, User

from .. import mailing, merge
from ..models import Cadence, CadenceSettings, EmailVariant, Step, VariantPreview

SEARCH_LIMIT = 100


def digest(subject: str, body: str) -> str:
    """The digest of a wording, as a form cleans it (stripped, one kind of line end)."""
    wording = f"{subject.strip()}\0{body.strip()}".replace("\r\n", "\n")
    return hashlib.sha256(wording.encode()).hexdigest()


def team_leads(team: Team):
    """The leads owned by the team's SDRs today."""
    sdrs = (
        StaffingRecord.objects.active_on(timezone.localdate())
        .filter(team=team, role=Role.SDR)
        .values("person_id")
    )
    return Lead.objects.filter(owner__in=sdrs)


def pick_lead(team: Team, search: str = "") -> Lead | None:
    """The lead a preview renders for: the first lead of the team (by id) whose name, company
    or address holds the search, leads with an address first; None when none matches."""
    leads = team_leads(team).select_related("account", "owner")
    search = search.strip()[:SEARCH_LIMIT]
    if search:
        leads = leads.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
            | Q(account__name__icontains=search)
        )
    return leads.order_by(Case(When(email="", then=1), default=0), "pk").first()


@dataclass
class Preview:
    subject: str = ""
    text: str = ""
    html: str = ""
    lead: Lead | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the lead, not the wording

    @property
    def ok(self) -> bool:
        return not self.errors


def render(team: Team, subject: str, body: str, lead: Lead | None) -> Preview:
    """The e-mail as the lead would receive it, with the errors that keep it from being sent."""
    preview = Preview(lead=lead)
    for text in (subject, body):
        try:
            merge.check(text)
        except ValidationError as error:
            preview.errors += [m for m in error.messages if m not in preview.errors]
    if not subject.strip() or not body.strip():
        preview.errors.append(_("An e-mail needs a subject and a text."))
    if lead is None:
        preview.errors.append(_("No lead of the team to preview with."))
        return preview
    if not lead.email:
        preview.notes.append(_("This lead has no e-mail address: the step would skip it."))
    values = merge.values_for(lead, lead.owner)
    link = mailing.unsubscribe_url(0, lead.email or "preview@invalid")
    preview.subject, preview.text, preview.html = mailing.finished_parts(
        *mailing.merged(subject, body, values),
        link=link,
        advertising=CadenceSettings.of(team).advertising,
    )
    return preview


def preview(cadence: Cadence, subject: str, body: str, *, lead: Lead | None, by: User) -> Preview:
    """Renders the wording for the lead and, when it has no error, records that it was
    previewed on the cadence (idempotent)."""
    shown = render(cadence.team, subject, body, lead)
    if shown.ok:
        VariantPreview.objects.get_or_create(
            cadence=cadence, digest=digest(subject, body), defaults={"lead": lead, "by": by}
        )
    return shown


def unpreviewed(cadence: Cadence, wordings: list[tuple[int, str, str, str]]) -> list[str]:
    """Of the (step number, label, subject, text) given, those the cadence has no preview of,
    as messages (one query)."""
    if not wordings:
        return []
    seen = set(
        VariantPreview.objects.filter(
            cadence=cadence, digest__in=[digest(s, b) for _n, _l, s, b in wordings]
        ).values_list("digest", flat=True)
    )
    return [
        _("Step %(n)s, variant %(label)s: preview the e-mail first (it is new or was changed).")
        % {"n": number, "label": label}
        for number, label, subject, body in wordings
        if digest(subject, body) not in seen
    ]


def current_wordings(cadence: Cadence) -> list[tuple[int, str, str, str]]:
    """The e-mail variants of the cadence's current version (one query)."""
    return list(
        EmailVariant.objects.filter(
            step__version__cadence=cadence,
            step__version__number=cadence.version,
            step__type=Step.Type.EMAIL,
        )
        .order_by("step__position", "label")
        .values_list("step__position", "label", "subject", "body")
    )


def check_previewed(cadence: Cadence, wordings=None) -> None:
    """ValidationError naming each e-mail variant not previewed (see the module's rule)."""
    missing = unpreviewed(cadence, current_wordings(cadence) if wordings is None else wordings)
    if missing:
        raise ValidationError(missing)


def preview_current(cadence: Cadence, *, lead: Lead | None, by: User) -> list[Preview]:
    """Previews every e-mail variant of the current version with the lead."""
    return [
        preview(cadence, subject, body, lead=lead, by=by)
        for _n, _l, subject, body in current_wordings(cadence)
    ]
