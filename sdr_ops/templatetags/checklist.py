"""A checklist item's label in the reader's language, whoever wrote the checklist."""

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sdr_ops.models import qualification_label, snapshot_label

register = template.Library()


@register.filter
def item_label(row) -> str:
    """{{ row|item_label }}: a frozen checklist row (a dict) through `snapshot_label`, an item's
    code through the team-independent label, a live answer through its own label."""
    if isinstance(row, dict):
        return snapshot_label(row)
    if isinstance(row, str) or row is None:
        return qualification_label(row or "")
    return row.label


def _field(row, name: str):
    """`{{ row.name }}` of a frozen row (a dict) or of a live answer: "" where it has none."""
    if isinstance(row, dict):
        return row.get(name, "")
    return getattr(row, name, "")


@lru_cache(maxsize=16)
def _texts(language: str | None) -> tuple[dict, str, str, str]:
    """What every checklist says alike, translated and escaped once per language and process."""
    states = {
        "confirmed": escape(_("Confirmed")),
        "not_disclosed": escape(_("Asked but not disclosed")),
        "not_asked": escape(_("Not asked")),
    }
    return (
        states,
        escape(_("Unknown")),
        escape(_("Questions used:")),
        escape(_("Not asked because:")),
    )


@register.simple_tag
def checklist_facts(checklist, compact: bool = False, label=item_label) -> str:
    """A checklist as facts, item by item: its state, the answer, the questions used and why
    an item was not asked. The markup of handoffs/_checklist.html, written here rather than
    by the template engine, which took a few hundred microseconds an item; `compact`, without
    its indentation (each run of whitespace that held a line break is one line break);
    `label`, what gives an item's label (`item_label`, or a caller's memo of it)."""
    states, unknown, t_questions, t_because = _texts(get_language())
    out = ['\n<dl class="facts qualification">' + ("" if compact else "\n  ")]
    for row in checklist or ():
        status = _field(row, "status")
        answer, questions, reason = (_field(row, k) for k in ("answer", "questions", "reason"))
        questions = f"<br><small>{t_questions} “{escape(questions)}”</small>" if questions else ""
        reason = f"<br><small>{t_because} {escape(reason)}</small>" if reason else ""
        dt = f"<dt>{escape(label(row))}</dt>"
        dd = (
            f'<dd class="status-{escape(status)}"><span class="pill'
            f'{" pill-bad" if status == "unknown" else ""}">{states.get(status, unknown)}</span>'
        )
        answer = escape(answer) if answer else ""
        if compact:
            out.append("\n".join(("", dt, dd, *filter(None, (answer, questions, reason)), "</dd>")))
        else:
            out.append(
                f"\n    {dt}\n    {dd}\n      {answer}\n      {questions}\n      {reason}"
                "\n    </dd>\n  "
            )
    out.append("\n</dl>\n")
    return mark_safe("".join(out))
