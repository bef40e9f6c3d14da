"""The rows of the lead list and of Today's queue, written in Python rather than by the
template engine: the same HTML as the loops they stand for (Today's without the template's
indentation), for a fraction of the CPU (the engine resolves and escapes every variable
through several layers of nodes; here each row is one format string). docs/performance.md
has the figures.

Each value is escaped as `{{ }}` would put it; each label is translated once per call, each
link comes from `route_of` (looked up once per call), each choice label from the table
`label` keeps. Templates call them where the loop stood:
`{% lead_list_rows page.object_list %}`, `{% queue_entries entries %}`, and on the brief
`{% activity_timeline activities %}`, `{% stage_timeline stages %}`.

`{% lead_list_fragment "name" part ... %}...{% endlead_list_fragment %}` is the lead list's
cached fragment (sdr_ops.fragments), rendered every time for an admin.
"""

import html

from django import template
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leads.models import Account, Activity, CallListEntry, Lead, StageChange
from sdr_ops import words
from sdr_ops.templatetags.fragments import FragmentNode
from sdr_ops.templatetags.rows import choice_labels, route, route_of

register = template.Library()


def escape(value) -> str:
    """What `{{ value }}` writes: Django's `escape` without its lazy-text wrapper, which
    cost more than the escaping itself at a few hundred values a page."""
    return html.escape(str(value))


_LEAD_ROW = (
    '\n            <tr data-lead="{pk}">'
    '\n              <td data-label="{t_select}"><input type="checkbox" name="leads" value="{pk}"'
    ' form="bulk" aria-label="{t_select} {name}"></td>'
    '\n              <td data-label="{t_lead}"><a href="{brief}">{name}</a>{dnc}<br>'
    '<small class="muted">{title}</small></td>'
    '\n              <td data-label="{t_company}"><a href="{account_url}">{account}</a></td>'
    '\n              <td data-label="{t_segment}">{segment}</td>'
    '\n              <td data-label="{t_source}">{source}</td>'
    '\n              <td data-label="{t_stage}"><span class="pill">{stage}</span></td>'
    '\n              <td data-label="{t_owner}">{owner}</td>'
    '\n              <td data-label="{t_touch}">{touch}</td>'
    "\n            </tr>\n          "
)


def iso(moment) -> str:
    """`{{ moment|date:'c' }}`: the moment in the current time zone, ISO 8601."""
    return timezone.localtime(moment).isoformat()


@register.simple_tag
def lead_list_rows(leads) -> str:
    """The lead list's rows (`leads`: with `account`, `owner` and `last_touch` loaded)."""
    language = get_language()
    segments = choice_labels(Account, "segment", language)
    sources = choice_labels(Lead, "source", language)
    stages = choice_labels(Lead, "stage", language)
    t = {
        "t_select": escape(_("Select")),
        "t_lead": escape(_("Lead")),
        "t_company": escape(_("Company")),
        "t_segment": escape(_("Segment")),
        "t_source": escape(_("Source")),
        "t_stage": escape(_("Stage")),
        "t_owner": escape(_("Owner")),
        "t_touch": escape(_("Last touch")),
    }
    dnc = f' <span class="pill pill-bad">{escape(_("Do not call"))}</span>'
    never = escape(_("never"))
    brief_of, account_of = route_of("lead-brief", 1), route_of("account", 1)
    out = []
    for lead in leads:
        account = lead.account
        touch = lead.last_touch
        out.append(
            _LEAD_ROW.format(
                pk=lead.pk,
                name=f"{escape(lead.first_name)} {escape(lead.last_name)}",
                brief=brief_of(lead.pk),
                dnc=dnc if lead.do_not_call else "",
                title=escape(lead.title),
                account_url=account_of(lead.account_id),
                account=escape(account.name),
                segment=escape(segments.get(account.segment, account.segment)),
                source=escape(sources.get(lead.source, lead.source)),
                stage=escape(stages.get(lead.stage, lead.stage)),
                owner=escape(lead.owner),
                touch=(
                    f'<time datetime="{iso(touch)}">{escape(words.ago(touch))}</time>'
                    if touch
                    else never
                ),
                **t,
            )
        )
    return mark_safe("".join(out))


class LeadListFragment(FragmentNode):
    """The lead list's body cached under the viewer's team's data version, but for an admin:
    an admin's list shows every team's leads (and those of SDRs on no team), whose writes
    do not move the version of the admin's own team, so it is rendered every time."""

    def render(self, context):
        request = context.get("request")
        user = getattr(request, "user", None)
        if user is None or getattr(user, "is_admin", False):
            return self.nodelist.render(context)
        return super().render(context)


@register.tag("lead_list_fragment")
def lead_list_fragment(parser, token):
    """`{% lead_list_fragment "name" part ... %}`: `{% fragment %}`'s parts (what the HTML
    depends on beyond the viewer, their team's version, language, time zone and the minute)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% lead_list_fragment %} takes a name and its parts")
    nodelist = parser.parse(("endlead_list_fragment",))
    parser.delete_first_token()
    return LeadListFragment(
        parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]], nodelist
    )


def _csrf_input(context) -> str:
    """`{% csrf_token %}`: the hidden input with the request's token."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


@register.simple_tag(takes_context=True)
def queue_entries(context, entries) -> str:
    """Today's (or tomorrow's) entries of the call list, one `<li>` each, the markup of the
    loop they replace without its indentation. From the context: `mode`, `day`,
    `call_list`, `skip_form` and `failed_entry` (the entry whose skip was refused)."""
    language = get_language()
    segments = choice_labels(Account, "segment", language)
    statuses = choice_labels(CallListEntry, "status", language)
    mode, call_list = context.get("mode"), context.get("call_list")
    today = mode == "today"
    day = formats.date_format(context.get("day"), "SHORT_DATE_FORMAT")
    skip_form, failed = context.get("skip_form"), context.get("failed_entry")
    max_length = skip_form.fields["reason"].max_length if skip_form is not None else ""
    csrf = _csrf_input(context)
    t_up, t_down, t_skip = escape(_("Move up")), escape(_("Move down")), escape(_("Skip"))
    t_call, t_why, t_remove = escape(_("Call")), escape(_("Why skip?")), escape(_("Remove"))
    t_never, t_skipped = escape(_("never touched")), escape(_("Skipped:"))
    callback_for, last_touch = _("callback for %(when)s"), _("last touch %(when)s")
    call_of, brief_of = route_of("lead-call", 1), route_of("lead-brief", 1)
    out = []
    for entry in entries:
        lead, pk, status = entry.lead, entry.pk, entry.status
        call_url = call_of(entry.lead_id)
        planned = status == "planned"
        lines = [
            f'<li class="entry status-{escape(status)}" tabindex="-1" data-entry="{pk}"'
            + (f' data-call-url="{call_url}"' if today and planned else "")
            + ">",
            f'<span class="pos">{entry.position}</span>',
            '<div class="who">',
            f'<a href="{brief_of(entry.lead_id)}">'
            f"{escape(lead.first_name)} {escape(lead.last_name)}</a>",
            f'<small class="muted">{escape(lead.title)} · {escape(lead.account.name)} · '
            f"{escape(segments.get(lead.account.segment, lead.account.segment))}</small>",
        ]
        callback = ""
        if lead.callback_at:
            local = timezone.localtime(lead.callback_at)
            if formats.date_format(local, "SHORT_DATE_FORMAT") == day:
                when = formats.time_format(local, "TIME_FORMAT")
            else:
                when = formats.date_format(local, "SHORT_DATETIME_FORMAT")
            callback = (
                f' <strong class="callback-at">{callback_for % {"when": escape(when)}}</strong>'
            )
        touch = entry.last_touch
        lines.append(f'<small><span class="pill">{escape(entry.reason)}</span>{callback}')
        lines.append(
            (last_touch % {"when": escape(words.ago(touch))} if touch else t_never) + "</small>"
        )
        if status == "skipped":
            lines.append(f'<small class="muted">{t_skipped} {escape(entry.skip_reason)}</small>')
        lines += ["</div>", '<div class="actions">']
        if planned:
            if today:
                lines.append(f'<a class="button" href="{call_url}">{t_call}</a>')
            move = route("call-list-move", call_list.pk, pk)
            lines += [
                f'<form method="post" action="{move}" hx-post="{move}">{csrf}',
                f'<button type="submit" name="direction" value="up" class="small"'
                f' title="{t_up}" aria-label="{t_up}">↑</button>',
                f'<button type="submit" name="direction" value="down" class="small"'
                f' title="{t_down}" aria-label="{t_down}">↓</button>',
                "</form>",
            ]
            if today:
                skip = route("call-list-skip", call_list.pk, pk)
                lines += [
                    '<details class="skip"'
                    + (" open" if pk == failed else "")
                    + f"><summary>{t_skip}</summary>",
                    f'<form method="post" action="{skip}" hx-post="{skip}">{csrf}',
                    f'<label for="skip-{pk}">{t_why}</label>',
                ]
                if pk == failed:
                    value = skip_form["reason"].value()
                    errors = skip_form.errors.get("reason") or skip_form.non_field_errors()
                    lines += [
                        f'<input id="skip-{pk}" name="reason" required maxlength="{max_length}"'
                        f' value="{escape("" if value is None else value)}" aria-invalid="true"'
                        f' aria-describedby="skip-{pk}-errors">',
                        f'<div class="field-errors" id="skip-{pk}-errors" role="alert">'
                        f"{conditional_escape(errors)}</div>",
                    ]
                else:
                    lines.append(
                        f'<input id="skip-{pk}" name="reason" required maxlength="{max_length}">'
                    )
                lines += [
                    f'<button type="submit" class="small">{t_skip}</button>',
                    "</form>",
                    "</details>",
                ]
            else:
                remove = route("call-list-remove", call_list.pk, pk)
                lines += [
                    f'<form method="post" action="{remove}" hx-post="{remove}">{csrf}',
                    f'<button type="submit" class="small secondary">{t_remove}</button>',
                    "</form>",
                ]
        else:
            lines.append(f'<span class="pill">{escape(statuses.get(status, status))}</span>')
        lines += ["</div>", "</li>"]
        out.append("\n" + "\n".join(lines))
    return mark_safe("".join(out) + "\n")


def short(moment) -> str:
    """`{{ moment|date:"SHORT_DATETIME_FORMAT" }}`."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@register.simple_tag
def activity_timeline(activities) -> str:
    """The brief's activities, newest first, one `<li>` each (`activities`: with `sdr`
    loaded), the markup of the loop they replace."""
    language = get_language()
    types = choice_labels(Activity, "type", language)
    outcomes = choice_labels(Activity, "outcome", language)
    callback_for = _("callback for %(when)s")
    out = []
    for activity in activities:
        started, kind, outcome = activity.started_at, activity.type, activity.outcome
        line = f"{escape(types.get(kind, kind))} · {escape(outcomes.get(outcome, outcome))}"
        if activity.duration_seconds:
            line += f" · {escape(words.duration(activity.duration_seconds))}"
        line += f" · {escape(activity.sdr)}"
        if activity.callback_at:
            line += f" · {callback_for % {'when': escape(short(activity.callback_at))}}"
        notes = f"<br><small>{escape(activity.notes)}</small>" if activity.notes else ""
        out.append(
            f'\n          <li data-activity="{escape(kind)}"><time datetime="{iso(started)}">'
            f"{escape(short(started))}</time>\n            {line}"
            f"\n            {notes}</li>\n        "
        )
    if not out:
        out.append(f'\n          <li class="muted">{escape(_("Not touched yet."))}</li>\n        ')
    return mark_safe("".join(out))


@register.simple_tag
def stage_timeline(changes) -> str:
    """The brief's stage history, newest first, one `<li>` each (`changes`: with `by`
    loaded), the markup of the loop it replaces."""
    language = get_language()
    to_stages = choice_labels(StageChange, "to_stage", language)
    from_stages = choice_labels(StageChange, "from_stage", language)
    out = []
    for change in changes:
        moved = escape(to_stages.get(change.to_stage, change.to_stage))
        if change.from_stage:
            moved = f"{escape(from_stages.get(change.from_stage, change.from_stage))} → {moved}"
        if change.reason:
            moved += f" ({escape(change.reason)})"
        if change.by:
            moved += f" · {escape(change.by)}"
        out.append(
            f'\n          <li><time datetime="{iso(change.at)}">{escape(short(change.at))}</time>'
            f"\n            {moved}</li>\n        "
        )
    return mark_safe("".join(out))
