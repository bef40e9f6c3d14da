"""The review desk's cards, written in Python rather than by the template engine: the markup
of the loop they stand for (tests/row_loops/review_cards.html) without its indentation, each
run of whitespace that held a line break written as one line break. docs/performance.md has
the figures.

Each value is escaped as `{{ }}` would put it, each `blocktranslate` is translated once per
call and filled per card, each label and each link (`route_of`) looked up once per call.
The template calls it where the loop stood: `{% review_cards queue %}`.
"""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from handoffs.models import Handoff, Review
from leads.templatetags.lead_rows import _csrf_input, escape
from sdr_ops.templatetags.checklist import checklist_facts, item_label
from sdr_ops.templatetags.rows import choice_labels, route_of
from sdr_ops.words import ago

register = template.Library()


def _errors(errors, anchor: str) -> str:
    """A field's errors under it (`{{ form.field.errors }}`), or nothing."""
    if not errors:
        return ""
    return f'\n<div class="field-errors" id="{anchor}-errors" role="alert">{_html(errors)}</div>'


def _invalid(errors, anchor: str) -> str:
    """The attributes that tie a field to its errors, or nothing."""
    return f' aria-invalid="true" aria-describedby="{anchor}-errors"' if errors else ""


def _html(value) -> str:
    """`{{ value }}` of a form's error list (which renders itself as safe markup)."""
    return conditional_escape(str(value))


class _Labels:
    """What every card says alike, translated and escaped once per call."""

    def __init__(self):
        language = get_language()
        self.statuses = choice_labels(Handoff, "status", language)
        self.reasons = choice_labels(Handoff, "rejection_reason", language)
        self.ratings = [(v, escape(v), escape(label)) for v, label in Review.Rating.choices]
        self.certainty = _("certainty %(c)s")
        self.evidence = _("evidence %(c)s")
        self.byline = _("%(sdr)s to %(ae)s, %(when)s")
        self.note_on = _("Note on %(item)s")
        for name, text in (
            ("coaching", _("coaching notes")),
            ("decision", _("AE decision:")),
            ("notes", _("Call notes before the handoff")),
            ("rating", _("Rating")),
            ("feedback", _("Feedback to the SDR (private)")),
            ("share", _("Share as praise")),
            ("share_feed", _("Share this handoff in the praise feed")),
            ("why", _("Why it is good (everyone reads this)")),
            ("excerpt", _("Excerpt to show (the comment by default)")),
            ("save", _("Save the review")),
        ):
            setattr(self, name, escape(text))
        self.when_format = formats.get_format("SHORT_DATETIME_FORMAT")
        self._items: dict = {}
        self.brief_of = route_of("lead-brief", 1)
        self.coaching_of = route_of("coaching", 1)
        self.record_of = route_of("review-record", 1)

    def item(self, row) -> str:
        """`{{ row|item_label }}`, looked up once per item for rows of the default items."""
        if row.get("labels"):
            return item_label(row)
        key = (row.get("item"), row.get("label"))
        if key not in self._items:
            self._items[key] = item_label(row)
        return self._items[key]

    def when(self, moment) -> str:
        """`{{ moment|date:"SHORT_DATETIME_FORMAT" }}`, in the current time zone."""
        return dateformat.format(timezone.template_localtime(moment), self.when_format)


def _heading(handoff: Handoff, t: _Labels) -> str:
    lead = handoff.lead
    computed = handoff.computed_certainty
    evidence = (
        f' <span class="pill" data-computed="{escape(computed)}">'
        f"{t.evidence % {'c': escape(computed)}}</span>"
        if computed
        else ""
    )
    byline = t.byline % {
        "sdr": escape(handoff.sdr),
        "ae": escape(handoff.ae),
        "when": escape(ago(handoff.created_at)),
    }
    return (
        f'\n<article class="card review-card" id="review-{handoff.pk}">'
        f'\n<h2><a href="{t.brief_of(handoff.lead_id)}">{escape(lead.account.name)}</a> · '
        f"{escape(lead.first_name)} {escape(lead.last_name)}"
        f'\n<span class="pill">{t.certainty % {"c": escape(handoff.certainty)}}</span>'
        f"{evidence}</h2>"
        f'\n<p class="muted">{byline} · <a href="{t.coaching_of(handoff.sdr_id)}'
        f'?handoff={handoff.pk}">{t.coaching}</a></p>'
    )


def _facts(handoff: Handoff, t: _Labels) -> str:
    """The flags, the AE's decision, the comment, the checklist and the call notes."""
    out = []
    if handoff.flags:
        items = "".join(
            f'<li data-flag="{escape(f.code)}">{escape(f.text)}</li>' for f in handoff.flags
        )
        out.append(f'\n<ul class="flags">{items}</ul>')
    decision = escape(t.statuses.get(handoff.status, handoff.status))
    if handoff.rejection_reason:
        reason = handoff.rejection_reason
        decision += f" — {escape(t.reasons.get(reason, reason))}"
        if handoff.rejection_comment:
            decision += f": {escape(handoff.rejection_comment)}"
    out.append(f"\n<p><strong>{t.decision}</strong> {decision}</p>")
    out.append(f"\n<blockquote>{linebreaksbr(handoff.comment, autoescape=True)}</blockquote>")
    out.append(
        checklist_facts(handoff.checklist, compact=True, label=t.item)[:-1]
    )  # its last line break
    if handoff.call_notes:
        notes = "".join(
            f'<li><small class="muted">{escape(t.when(a["started_at"]))}</small> '
            f"{escape(a['notes'])}</li>"
            for a in handoff.call_notes
        )
        out.append(f"\n<h3>{t.notes}</h3>\n<ul>{notes}</ul>")
    return "".join(out)


class _Typed:
    """What a card's form holds: the review as typed and its errors when it was refused (a
    bound ReviewForm), else nothing, with no form built (a fresh ReviewForm's fields are all
    empty and without errors)."""

    def __init__(self, form):
        self.form = form

    def raw(self, name: str):
        return self.form[name].value() if self.form is not None else None

    def value(self, name: str) -> str:
        """`{{ form.name.value|default_if_none:'' }}`."""
        value = self.raw(name)
        return "" if value is None else escape(value)

    def errors(self, name: str):
        return self.form[name].errors if self.form is not None else None

    def non_field(self):
        return self.form.non_field_errors() if self.form is not None else None


def _form(handoff: Handoff, t: _Labels, csrf: str) -> str:
    """The review form: blank, or (`handoff.review_form`, refused) the review as typed with
    its errors."""
    form, pk = _Typed(getattr(handoff, "review_form", None)), handoff.pk
    out = [f'\n<form method="post" action="{t.record_of(pk)}" class="review-form">{csrf}']
    if errors := form.non_field():
        out.append(f'\n<div class="errors" role="alert">{_html(errors)}</div>')
    chosen, errors = form.raw("rating"), form.errors("rating")
    radios = "".join(
        f'<label class="inline"><input type="radio" name="rating" value="{value}" required'
        f"{' checked' if chosen == v else ''}> {label}</label>"
        for v, value, label in t.ratings
    )
    out.append(
        f"\n<fieldset{_invalid(errors, f'rating-{pk}')}><legend>{t.rating}</legend>"
        f"\n{radios}{_errors(errors, f'rating-{pk}')}\n</fieldset>"
    )
    errors = form.errors("feedback")
    out.append(
        f'\n<label for="fb-{pk}">{t.feedback}</label>'
        f'\n<textarea id="fb-{pk}" name="feedback" rows="3" required maxlength="5000"'
        f"{_invalid(errors, f'fb-{pk}')}>{form.value('feedback')}</textarea>"
        f"{_errors(errors, f'fb-{pk}')}"
    )
    for row in handoff.checklist:
        item = row.get("item")
        name = escape(item)
        out.append(
            f'\n<label for="note-{pk}-{name}">'
            f"{t.note_on % {'item': escape(t.item(row))}}</label>"
            f'\n<input id="note-{pk}-{name}" name="note-{name}" maxlength="500"'
            f' value="{form.value(f"note-{item}")}">'
        )
    note, excerpt = form.errors("note"), form.errors("excerpt")
    shared = form.raw("share")
    out.append(
        f"\n<details{' open' if shared or note or excerpt else ''}><summary>{t.share}</summary>"
        '\n<label class="inline"><input type="checkbox" name="share" value="1"'
        f"{' checked' if shared else ''}> {t.share_feed}</label>"
        f'\n<label for="note-why-{pk}">{t.why}</label>'
        f'\n<input id="note-why-{pk}" name="note" maxlength="500" value="{form.value("note")}"'
        f"{_invalid(note, f'note-why-{pk}')}>{_errors(note, f'note-why-{pk}')}"
        f'\n<label for="excerpt-{pk}">{t.excerpt}</label>'
        f'\n<textarea id="excerpt-{pk}" name="excerpt" rows="2" maxlength="5000"'
        f"{_invalid(excerpt, f'excerpt-{pk}')}>{form.value('excerpt')}</textarea>"
        f"{_errors(excerpt, f'excerpt-{pk}')}"
        f'\n</details>\n<button type="submit">{t.save}</button>\n</form>\n</article>'
    )
    return "".join(out)


@register.simple_tag(takes_context=True)
def review_cards(context, queue) -> str:
    """The desk's cards, one `<article>` each (`queue`: handoffs with lead, company, SDR and
    AE loaded, and the view's `flags`, `call_notes` and `review_form` on each)."""
    t = _Labels()
    csrf = _csrf_input(context)
    out = [_heading(h, t) + _facts(h, t) + _form(h, t, csrf) for h in queue]
    return mark_safe("".join(out) + "\n")
