"""The dashboards' longest loops written in Python rather than by the template engine, the
same HTML as the loops they stand for (tests/test_dashboard_rows.py keeps the loops and
compares): the qualification evidence's rows, the week picker's options, and the rows of the
"as a table" tables of the 12 weeks. Each value is written as `{{ }}` would write it
(localized, then escaped), each route reversed and each label translated once per call.
docs/performance.md has the figures.

`{% evidence_rows evidence team week %}`, `{% week_options week_choices week.label %}`,
`{% headcount_rows series team %}`, `{% ratio_rows series team %}`,
`{% drift_rows series team %}`, `{% activity_rows series %}`,
`{% funnel_steps current.stage_conversion %}`, `{% funnel_week_rows series %}`,
`{% funnel_rows current team week %}`, `{% drift_deals drifts team %}`.
"""

import functools
import html
from urllib.parse import quote

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date, floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leads.models import Stage
from sdr_ops.templatetags.money import format_amount, format_percent
from sdr_ops.templatetags.rows import route_of

register = template.Library()


def escape(value) -> str:
    """Django's `escape` without its lazy-text wrapper (as leads.templatetags.lead_rows)."""
    return html.escape(str(value))


def shown(value) -> str:
    """What `{{ value }}` writes for a number or a text: localized, then escaped unless
    marked safe."""
    if type(value) is int:
        return _integer(value, get_language())
    value = localize(value)
    return str(value.__html__()) if hasattr(value, "__html__") else escape(value)


# The same few counts and shares fill every row of every request: each is written once per
# process and language (and again after a setting changes, as Django's own format cache).


@functools.lru_cache(maxsize=4096)
def _integer(value: int, language: str | None) -> str:
    return escape(localize(value))


@functools.lru_cache(maxsize=4096)
def _float_percent(share: str, language: str | None) -> str:
    return escape(format_percent(float(share)))


@receiver(setting_changed)
def _forget_numbers(**kwargs) -> None:
    _integer.cache_clear()
    _float_percent.cache_clear()


_EVIDENCE_ROW = (
    '<tr class="{weak}" data-item="{item}" data-state="{state}"><td>{label}</td>'
    "<td>{state_label}</td>"
    '<td><a href="{link}">{handoffs}</a></td>'
    '<td><a href="{link}&amp;part=accepted">{accepted}</a></td>'
    "<td>{acceptance}</td><td>{drift}</td></tr>"
)


@register.simple_tag
def evidence_rows(evidence: list[dict], team, week) -> str:
    """The evidence table's rows (views._evidence_rows): an item's label on its first row
    only, a row whose acceptance is below the team's band marked weak, each count a link to
    its handoffs."""
    base = f"{reverse('dashboard-rows', args=['evidence'])}?team={escape(team.slug)}"
    base += f"&amp;week={escape(week.label)}"
    low = team.ratio_band_low
    out, previous = [], object()
    for row in evidence:
        item, state, acceptance = row["item"], row["state"], row["acceptance"]
        out.append(
            _EVIDENCE_ROW.format(
                weak="weak" if acceptance is not None and acceptance < low else "",
                item=escape(item),
                state=escape(state),
                label=shown(row["item_label"]) if item != previous else "",
                state_label=shown(row["state_label"]),
                link=f"{base}&amp;item={escape(quote(item, safe='/'))}&amp;state={escape(state)}",
                handoffs=shown(row["handoffs"]),
                accepted=shown(row["accepted"]),
                acceptance=escape(format_percent(acceptance)),
                drift=escape(format_percent(row["drift_pct"])),
            )
        )
        previous = item
    return mark_safe("".join(out))


@register.simple_tag
def week_options(choices, chosen: str) -> str:
    """The week picker's options ((label, name) pairs), the chosen week selected."""
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
            f"{escape(name)}</option>"
            for value, name in choices
        )
    )


# -- the "as a table" tables: one row a week, oldest first (views._for_tables) --------------


def _week_rows(series: list[dict], cells) -> str:
    """A row for each week: the week's label, then the cells `cells(week)` gives (markup)."""
    return mark_safe(
        "".join(
            f"<tr><td>{shown(f['week'])}</td>{''.join(f'<td>{c}</td>' for c in cells(f))}</tr>"
            for f in series
        )
    )


def _drill(kind: str, team) -> str:
    """The drill-down's link for `kind` up to its week, as the page's `{% url ... as %}`
    and `?team=...&amp;week=` wrote it (the week's label to follow)."""
    return f"{escape(reverse('dashboard-rows', args=[kind]))}?team={escape(team.slug)}&amp;week="


def _link(href: str, value) -> str:
    return f'<a href="{href}">{shown(value)}</a>'


def _percent(share) -> str:
    """`{{ share|percent }}`"""
    if type(share) is float:  # keyed by its text: 0.0 and -0.0 are equal keys
        return _float_percent(repr(share), get_language())
    return escape(format_percent(share))


@register.simple_tag
def headcount_rows(series: list[dict], team) -> str:
    """Headcount and productive headcount, the headcount a link to the week's people."""
    base = _drill("headcount", team)
    return _week_rows(
        series,
        lambda f: (
            _link(base + shown(f["week"]), f["headcount"]),
            shown(f["productive_headcount"]),
        ),
    )


@register.simple_tag
def ratio_rows(series: list[dict], team) -> str:
    """Handoffs made, accepted and rejected (each a link to them), the ratio, the dead ratio."""
    base = _drill("handoffs", team)

    def cells(f):
        link = base + shown(f["week"])
        return (
            _link(link, f["handoffs_created"]),
            _link(f"{link}&amp;part=accepted", f["handoffs_accepted"]),
            _link(f"{link}&amp;part=rejected", f["handoffs_rejected"]),
            _percent(f["handoff_to_opportunity_ratio"]),
            _percent(f["dead_ratio"]),
        )

    return _week_rows(series, cells)


@register.simple_tag
def drift_rows(series: list[dict], team) -> str:
    """Deals won, their amounts at creation and won in the team's currency, the drifts."""
    currency = team.currency or "KRW"
    return _week_rows(
        series,
        lambda f: (
            shown(f["opportunities_won"]),
            escape(format_amount(f["amount_at_creation_won"], currency)),
            escape(format_amount(f["amount_won"], currency)),
            _percent(f["amount_drift_pct"]),
            _percent(f["median_drift_pct"]),
        ),
    )


@register.simple_tag
def activity_rows(series: list[dict]) -> str:
    """Calls, connects, e-mails, the median speed to lead in hours ("—" when none), the
    inbound leads not touched."""
    return _week_rows(
        series,
        lambda f: (
            shown(f["calls"]),
            shown(f["connects"]),
            shown(f["emails"]),
            shown(floatformat(f["speed_to_lead_median_hours"], 1) or "—"),
            shown(f["inbound_untouched"]),
        ),
    )


def _step_names(steps: list[dict]) -> list[str]:
    """Each step's name, "Connected → Handed off" in the reader's language."""
    labels = {code: str(label) for code, label in Stage.choices}
    return [
        f"{escape(labels.get(s['from'], s['from']))} → {escape(labels.get(s['to'], s['to']))}"
        for s in steps
    ]


@register.simple_tag
def funnel_steps(steps: list[dict]) -> str:
    """The funnel table's headings after "Week": one for each of the week's steps."""
    return mark_safe("".join(f"<th>{name}</th>" for name in _step_names(steps)))


@register.simple_tag
def funnel_week_rows(series: list[dict]) -> str:
    """Each week's steps: the rate, and the converted out of those who entered."""
    return _week_rows(
        series,
        lambda f: (
            f'{_percent(s["rate"])} <small class="muted">'
            f"{shown(s['converted'])}/{shown(s['entered'])}</small>"
            for s in f["stage_conversion"]
        ),
    )


# -- the week's funnel and its largest drifts ---------------------------------------------

_FUNNEL_ROW = (
    '<tr class="{hot}" data-step="{step}"><td>{name}{pill}</td>'
    '<td><a href="{link}&amp;part=entered">{entered}</a></td>'
    '<td><a href="{link}&amp;part=converted">{converted}</a></td>'
    "<td>{rate}</td><td>{window}</td></tr>"
)


def _within_window(step: dict) -> str:
    """The step's conversion within its window: too early to tell while the cohort has not
    had its whole window, "—" with no rate, else the rate and its counts."""
    if not step.get("mature"):
        told = _("too early to tell (window of %(days)s days)") % {
            "days": shown(step.get("window_days"))
        }
        return f'<span class="muted">{told}</span>'
    if step.get("rate_in_window") is None:
        return "—"
    return (
        f'{_percent(step["rate_in_window"])} <small class="muted">'
        f"{shown(step['converted_in_window'])}/{shown(step['entered'])}</small>"
    )


@register.simple_tag
def funnel_rows(current: dict, team, week) -> str:
    """The week's funnel, a row a step: the bottleneck's row marked, the counts links to
    their leads, the rate and the rate within the window."""
    base = f"{_drill('funnel', team)}{escape(week.label)}&amp;step="
    bottleneck = current.get("bottleneck")
    hot_step = bottleneck.get("from") if bottleneck and isinstance(bottleneck, dict) else None
    steps = current["stage_conversion"]
    pill = f' <span class="pill pill-bad">{_("bottleneck")}</span>' if hot_step else ""
    out = []
    for step, name in zip(steps, _step_names(steps), strict=True):
        hot = step["from"] == hot_step
        out.append(
            _FUNNEL_ROW.format(
                hot="bottleneck" if hot else "",
                step=shown(step["from"]),
                name=name,
                pill=pill if hot else "",
                link=base + shown(step["from"]),
                entered=shown(step["entered"]),
                converted=shown(step["converted"]),
                rate=_percent(step["rate"]),
                window=_within_window(step),
            )
        )
    return mark_safe("".join(out))


_DRIFT_ROW = (
    '<tr><td><a href="{brief}#handoff-{handoff}">{account}</a></td>'
    "<td>{created} → {closed}</td>"
    '<td><time datetime="{iso}">{day}</time></td><td>{sdr} / {ae}</td></tr>'
)


@register.simple_tag
def drift_deals(deals, team) -> str:
    """The largest drifts (queries.largest_drifts, their handoffs, leads, accounts and people
    selected with them): the account a link to the handoff on the lead's brief, the amounts
    at creation and at close, the day it closed in the reader's time zone, the SDR and AE."""
    brief = route_of("lead-brief", 1)
    currency = team.currency or "KRW"
    out = []
    for deal in deals:
        handoff = deal.handoff
        closed = template_localtime(deal.closed_at)
        out.append(
            _DRIFT_ROW.format(
                brief=escape(brief(handoff.lead_id)),
                handoff=shown(deal.handoff_id),
                account=shown(handoff.lead.account.name),
                created=escape(format_amount(deal.amount_at_creation, currency)),
                closed=escape(format_amount(deal.amount_at_close, currency)),
                iso=escape(date(closed, "c")),
                day=escape(date(closed, "SHORT_DATE_FORMAT")),
                sdr=shown(handoff.sdr),
                ae=shown(handoff.ae),
            )
        )
    return mark_safe("".join(out))
