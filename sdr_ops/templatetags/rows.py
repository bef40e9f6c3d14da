"""Template helpers for what a list repeats on every row, done once instead of once a row.

`{{ lead|label:"stage" }}` is `{{ lead.get_stage_display }}`, with each field's labels
translated once per language and process rather than looked up and translated per row.
`{% route "lead-brief" lead.pk %}` is `{% url "lead-brief" lead.pk %}` for routes whose
arguments are ids (or that take none): the route is reversed once per process and argument
count, and each row only puts its ids in. Both give the same text as the tags they stand for.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

# Ids that no real row has, put in place of each argument to find where the ids go.
_MARKERS = ("987654321987654321", "987654321987654322", "987654321987654323")


@lru_cache(maxsize=256)
def choice_labels(model: type, field_name: str, language: str | None) -> dict:
    """Every choice of the field with its label in `language`, built once per language."""
    field = model._meta.get_field(field_name)
    return {value: str(text) for value, text in field.flatchoices}


@register.filter
def label(obj, field_name: str):
    """The display label of a choice field of `obj`, as `get_FOO_display()` gives it."""
    if obj is None or obj == "":
        return ""
    value = getattr(obj, field_name)
    return choice_labels(type(obj), field_name, get_language()).get(value, value)


@lru_cache(maxsize=256)
def _route_parts(name: str, count: int, prefix: str, urlconf: str) -> tuple[str, ...]:
    path = reverse(name, args=_MARKERS[:count], urlconf=urlconf)
    parts = []
    for marker in _MARKERS[:count]:
        before, path = path.split(marker, 1)
        parts.append(before)
    return (*parts, path)


@register.simple_tag
def route(name: str, *args) -> str:
    """The path of the named route with these ids, as `{% url %}` would reverse it."""
    if len(args) > len(_MARKERS) or not all(type(a) is int and a >= 0 for a in args):
        return reverse(name, args=args)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _route_parts(name, len(args), get_script_prefix(), urlconf)
    out = [parts[0]]
    for arg, part in zip(args, parts[1:], strict=True):
        out += [str(arg), part]
    return "".join(out)


def route_of(name: str, count: int):
    """`route` for many rows: the route is looked up once, and the function returned puts
    each row's `count` ids (ints) in (`route_of("lead-brief", 1)(lead.pk)`)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _route_parts(name, count, get_script_prefix(), urlconf)
    if count == 1:
        before, after = parts
        return lambda pk: f"{before}{pk}{after}"
    return lambda *ids: route(name, *ids)
