"""Leads made and fixed by hand: one created with its company, its fields edited, and the
lead list's bulk moves (reassigning owners, adding to a day's call list).

A lead made here passes the same rules as an imported one (an e-mail or a phone, the
duplicate rule of leads/imports.py), and every field changed is recorded, one audit event a
field. The bulk moves are set-based: a fixed number of statements whatever the number of
leads, their audit events written in one INSERT.
"""

import datetime

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.access import manages, sdrs_managed_by
from sdr_ops.models import AuditEvent, Role, StaffingRecord, User

from ..imports import create_leads, is_duplicate
from ..models import Account, CallList, CallListEntry, Lead

# The fields of a lead a person edits (the company and the owner have their own handling).
EDITABLE = ("first_name", "last_name", "email", "phone", "title", "source")
PHONE_REGION = "KR"


def check_phone(raw: str, *, field: str = "phone") -> str:
    """The number as written, when phonenumbers knows it for a real one (Korean formats read
    without the country code); "" for none. ValidationError otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            {field: _("%(raw)s is not a valid phone number.") % {"raw": raw[:40]}}
        )
    return raw


def _check_owner(owner: User, by: User) -> None:
    """A lead belongs to an active SDR: the SDR themselves, or one the manager manages."""
    if owner.role != Role.SDR or not owner.is_active:
        raise ValidationError({"owner": _("The owner must be an SDR.")})
    if owner.pk != by.pk and not manages(by, owner.pk):
        raise PermissionDenied


def account_named(name: str, *, segment: str) -> Account:
    """The account of that name (whatever its case), made with the segment when new."""
    name = name.strip()
    account = Account.objects.filter(name__iexact=name).order_by("pk").first()
    if account is not None:
        return account
    if not segment:
        raise ValidationError({"segment": _("A new company needs its segment.")})
    return Account.objects.create(name=name, segment=segment)


def _check_contact(company: str, email: str, phone: str, *, exclude: int | None) -> None:
    if not email and not phone:
        raise ValidationError({"email": _("An e-mail or a phone number is needed.")})
    if is_duplicate(company, email, phone, exclude=exclude):
        raise ValidationError(
            {
                "email": _("%(company)s already has a lead with this e-mail or phone number.")
                % {"company": company}
            }
        )


def _saved(write):
    """Runs the write in a savepoint: the database's duplicate rule, reached by two people
    saving the same lead at once, answers like the check before it."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        raise ValidationError(
            {"email": _("This company already has a lead with this e-mail or phone number.")}
        ) from error


@transaction.atomic
def create_lead(
    *,
    by: User,
    owner: User,
    company: str,
    segment: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    title: str = "",
    source: str,
) -> Lead:
    """A lead made by hand for `owner` (the SDR making it, or an SDR of the manager's team),
    at a company picked or made (with `segment` when new), in stage New, recorded as created.
    Refused (ValidationError) without an e-mail or a phone, with a phone that is no number,
    and for a duplicate: the import's rule, the same company with the same e-mail or phone."""
    _check_owner(owner, by)
    email, phone = email.strip().lower(), check_phone(phone)
    account = account_named(company, segment=segment)
    _check_contact(account.name, email, phone, exclude=None)
    lead = Lead(
        account=account,
        owner=owner,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        phone=phone,
        title=title.strip(),
        source=source,
        created_at=timezone.now(),
    )
    _saved(lambda: create_leads([lead], by=by, record=False))
    audit.record(
        audit.Subject.LEAD,
        lead.pk,
        audit.Action.LEAD_CREATED,
        by=by,
        lead_id=lead.pk,
        after=f"{lead} · {owner.email}",
    )
    return lead


@transaction.atomic
def update_lead(
    lead: Lead,
    *,
    by: User,
    company: str | None = None,
    segment: str = "",
    owner: User | None = None,
    **changes,
) -> list[str]:
    """Saves the fields given (of EDITABLE, the company, the owner) and records each one that
    changed, with its before and after. The same rules as a new lead hold (contact, phone,
    duplicates, an owner of the editor's team). The row is locked, so two people editing at
    once are applied one after the other. Returns the names of the fields that changed."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    locked = Lead.objects.select_for_update().select_related("account", "owner").get(pk=lead.pk)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
    if "phone" in changes:
        changes["phone"] = check_phone(changes["phone"])
    changes = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    before = {name: getattr(locked, name) for name in EDITABLE}
    before.update(company=locked.account.name, owner=locked.owner.email)
    account = locked.account
    if company is not None and company.strip().lower() != locked.account.name.lower():
        account = account_named(company, segment=segment)
    if owner is not None and owner.pk != locked.owner_id:
        _check_owner(owner, by)
        locked.owner = owner
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.account = account
    _check_contact(account.name, locked.email, locked.phone, exclude=locked.pk)
    after = {name: getattr(locked, name) for name in EDITABLE}
    after.update(company=account.name, owner=locked.owner.email)
    changed = [name for name in after if after[name] != before[name]]
    if not changed:
        return []
    _saved(lambda: locked.save(update_fields=[*EDITABLE, "account", "owner"]))
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.LEAD,
            locked.pk,
            audit.Action.EDITED,
            by=by,
            lead_id=locked.pk,
            field=name,
            before=before[name],
            after=after[name],
        )
        for name in changed
    )
    for name in (*EDITABLE, "account", "owner"):
        setattr(lead, name, getattr(locked, name))
    return changed


@transaction.atomic
def reassign_many(leads: QuerySet[Lead], *, by: User, to: User) -> int:
    """Gives the leads to another SDR of the manager's team (an admin: any SDR): one UPDATE,
    the audit events (owner, before and after) in one INSERT; their planned entries on lists
    of days to come leave the old owners' lists. Returns how many changed owner."""
    if not (by.is_admin or sdrs_managed_by(by).filter(pk=to.pk).exists()):
        raise ValidationError({"owner": _("Choose an SDR of your team.")})
    if to.role != Role.SDR or not to.is_active:
        raise ValidationError({"owner": _("The owner must be an SDR.")})
    moving = leads.exclude(owner=to).select_for_update(of=("self",))
    rows = list(moving.values_list("pk", "owner__email"))
    if not rows:
        return 0
    ids = [pk for pk, _email in rows]
    CallListEntry.objects.filter(
        lead_id__in=ids,
        status=CallListEntry.Status.PLANNED,
        call_list__day__gt=timezone.localdate(),
    ).delete()
    Lead.objects.filter(pk__in=ids).update(owner=to)
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.LEAD,
            pk,
            audit.Action.EDITED,
            by=by,
            lead_id=pk,
            field="owner",
            before=email,
            after=to.email,
        )
        for pk, email in rows
    )
    return len(rows)


def _ensure_lists(leads: QuerySet[Lead], day: datetime.date) -> None:
    """Makes the day's (empty) list of each owner of the leads who has none yet, on the team
    of their SDR staffing record active that day (the nightly build fills it later)."""
    records = (
        StaffingRecord.objects.active_on(day)
        .filter(role=Role.SDR, person__in=leads.values("owner_id"))
        .exclude(person__call_lists__day=day)
        .values_list("person_id", "team_id")
    )
    CallList.objects.bulk_create(
        [CallList(sdr_id=sdr, team_id=team, day=day) for sdr, team in dict(records).items()],
        ignore_conflicts=True,
    )


@transaction.atomic
def add_many_to_list(leads: QuerySet[Lead], *, by: User, day: datetime.date) -> int:
    """Adds the leads to their owners' lists for `day`, by hand, as `calllists.add_to_list`
    does one: at the end of the list, never a lead that asked not to be called, never twice.
    One INSERT ... SELECT for every lead, its audit events in one INSERT. Returns how many
    were added."""
    _ensure_lists(leads, day)
    selected, params = leads.values("pk").query.sql_with_params()
    sql = f"""
        INSERT INTO leads_calllistentry
            (call_list_id, lead_id, position, rule_id, reason, added_by_hand, status, skip_reason,
             moved)
        SELECT cl.id, l.id,
               COALESCE((SELECT MAX(e.position) FROM leads_calllistentry e
                         WHERE e.call_list_id = cl.id), 0)
               + ROW_NUMBER() OVER (PARTITION BY cl.id ORDER BY l.id),
               NULL, %s, %s, 'planned', '', %s
        FROM leads_lead l
        JOIN leads_calllist cl ON cl.sdr_id = l.owner_id AND cl.day = %s
        WHERE l.id IN ({selected})
          AND NOT l.do_not_call
          AND NOT EXISTS (SELECT 1 FROM leads_calllistentry e
                          WHERE e.call_list_id = cl.id AND e.lead_id = l.id)
        RETURNING lead_id, call_list_id
    """
    values = [
        _("Added by hand"),
        True,
        False,
        connection.ops.adapt_datefield_value(day),
        *params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        added = cursor.fetchall()
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.LEAD,
            lead_id,
            audit.Action.LISTED,
            by=by,
            lead_id=lead_id,
            field="call_list",
            after=day.isoformat(),
        )
        for lead_id, _list_id in added
    )
    return len(added)
