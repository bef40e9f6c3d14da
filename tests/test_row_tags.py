"""The per-row template helpers give exactly what the tags they stand for give."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from handoffs.models import Handoff
from leads.models import Activity, Lead

from .factories import LeadFactory


def render(source: str, **context) -> str:
    return Template("{% load rows %}" + source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_label_is_the_display_of_every_choice(db, language):
    lead = LeadFactory.build()
    with translation.override(language):
        for model, field in [(Lead, "stage"), (Lead, "source"), (Activity, "outcome")]:
            for value, _text in model._meta.get_field(field).flatchoices:
                obj = model(**{field: value})
                expected = getattr(obj, f"get_{field}_display")()
                assert render(f'{{{{ obj|label:"{field}" }}}}', obj=obj) == expected
        assert render('{{ lead.account|label:"segment" }}', lead=lead) == (
            lead.account.get_segment_display()
        )


def test_label_of_a_value_outside_the_choices_is_the_value():
    assert render('{{ h|label:"status" }}', h=Handoff(status="odd")) == "odd"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("home", []),
        ("lead-brief", [7]),
        ("call-list-move", [3, 41]),
        ("review-record", [123456789012345678]),
    ],
)
def test_route_is_the_reversed_path(name, args):
    tag = "{% route name " + " ".join(f"a{i}" for i in range(len(args))) + " %}"
    values = {f"a{i}": a for i, a in enumerate(args)}
    assert render(tag, name=name, **values) == reverse(name, args=args)
    # Twice, so the second comes from what the first kept.
    assert render(tag, name=name, **values) == reverse(name, args=args)


def test_route_with_other_arguments_reverses_them():
    assert render("{% route 'handoff-decide' 5 'accept' %}") == reverse(
        "handoff-decide", args=[5, "accept"]
    )
