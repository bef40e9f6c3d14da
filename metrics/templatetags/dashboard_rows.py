"""The dashboards' longest loops written in Python rather than by the template engine, the
same HTML as the loops they stand for (tests/test_python_rows.py keeps the loops and
compares): the qualification evidence's rows and the week picker's options. Each value is
written as `{{ }}` would write it (localized, then escaped), each route reversed once per
call. docs/performance.md has the figures.

`{% evidence_rows evidence team week %}`, `{% week_options week_choices week.label %}`.
"""

import html
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from sdr_ops.templatetags.money import format_percent

register = template.Library()


def escape(value) -> str:
    """Django's `escape` without its lazy-text wrapper (as leads.templatetags.lead_rows)."""
    return html.escape(str(value))


def shown(value) -> str:
    """What `{{ value }}` writes for a number or a text: localized, then escaped unless
    marked safe."""
    value = localize(value)
    return str(value.__html__()) if hasattr(value, "__html__") else escape(value)


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
