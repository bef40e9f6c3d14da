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
from django.utils import formats, timezone
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


def _value(field) -> str:
    """`{{ field.value|default_if_none:'' }}`."""
    value = field.value()
    return escape("" if value is None else value)


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
        self.brief_of = route_of("lead-brief", 1)
        self.coaching_of = route_of("coaching", 1)
        self.record_of = route_of("review-record", 1)


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
    out.append(checklist_facts(handoff.checklist, compact=True)[:-1])  # its last line break
    if handoff.call_notes:
        notes = "".join(
            f'<li><small class="muted">{escape(_when(a["started_at"]))}</small> '
            f"{escape(a['notes'])}</li>"
            for a in handoff.call_notes
        )
        out.append(f"\n<h3>{t.notes}</h3>\n<ul>{notes}</ul>")
    return "".join(out)


def _when(moment) -> str:
    """`{{ moment|date:"SHORT_DATETIME_FORMAT" }}`, in the current time zone."""
    return formats.date_format(timezone.template_localtime(moment), "SHORT_DATETIME_FORMAT")


def _form(handoff: Handoff, t: _Labels, csrf: str) -> str:
    """The review form, with the review as typed and its errors when it was refused."""
    form, pk = handoff.review_form, handoff.pk
    out = [f'\n<form method="post" action="{t.record_of(pk)}" class="review-form">{csrf}']
    if form.non_field_errors():
        out.append(f'\n<div class="errors" role="alert">{_html(form.non_field_errors())}</div>')
    rating = form["rating"]
    chosen = rating.value()
    radios = "".join(
        f'<label class="inline"><input type="radio" name="rating" value="{value}" required'
        f"{' checked' if chosen == v else ''}> {label}</label>"
        for v, value, label in t.ratings
    )
    out.append(
        f"\n<fieldset{_invalid(rating.errors, f'rating-{pk}')}><legend>{t.rating}</legend>"
        f"\n{radios}{_errors(rating.errors, f'rating-{pk}')}\n</fieldset>"
    )
    feedback = form["feedback"]
    out.append(
        f'\n<label for="fb-{pk}">{t.feedback}</label>'
        f'\n<textarea id="fb-{pk}" name="feedback" rows="3" required maxlength="5000"'
        f"{_invalid(feedback.errors, f'fb-{pk}')}>{_value(feedback)}</textarea>"
        f"{_errors(feedback.errors, f'fb-{pk}')}"
    )
    for row, field in form.rows():
        item = escape(row.get("item"))
        out.append(
            f'\n<label for="note-{pk}-{item}">'
            f"{t.note_on % {'item': escape(item_label(row))}}</label>"
            f'\n<input id="note-{pk}-{item}" name="note-{item}" maxlength="500"'
            f' value="{_value(field)}">'
        )
    share, note, excerpt = form["share"], form["note"], form["excerpt"]
    opened = share.value() or note.errors or excerpt.errors
    out.append(
        f"\n<details{' open' if opened else ''}><summary>{t.share}</summary>"
        '\n<label class="inline"><input type="checkbox" name="share" value="1"'
        f"{' checked' if share.value() else ''}> {t.share_feed}</label>"
        f'\n<label for="note-why-{pk}">{t.why}</label>'
        f'\n<input id="note-why-{pk}" name="note" maxlength="500" value="{_value(note)}"'
        f"{_invalid(note.errors, f'note-why-{pk}')}>{_errors(note.errors, f'note-why-{pk}')}"
        f'\n<label for="excerpt-{pk}">{t.excerpt}</label>'
        f'\n<textarea id="excerpt-{pk}" name="excerpt" rows="2" maxlength="5000"'
        f"{_invalid(excerpt.errors, f'excerpt-{pk}')}>{_value(excerpt)}</textarea>"
        f"{_errors(excerpt.errors, f'excerpt-{pk}')}"
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
