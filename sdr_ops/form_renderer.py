"""The form renderer (`FORM_RENDERER`): Django's own widget, label, error and field-group
templates written in Python, byte for byte what the template engine writes from them, for a
fraction of the CPU (the engine resolves every variable through several layers of nodes and
renders each option of a select as an `{% include %}`). docs/performance.md has the figures.

Each writer stands for one of Django's templates and returns what the engine renders from it
before the renderer strips it (the trailing line break of the file included), so that the
writers compose as the templates include one another. Any other template, and any of these
that an app overrides with a file of its own, is rendered by the template engine as before.
"""

import html
from collections.abc import Callable
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.functional import Promise
from django.utils.safestring import SafeData

# What render_value_in_context reads of a context: escaping on, the time zone and localization
# as the settings say.
_PLAIN = Context(autoescape=True)


def text(value) -> str:
    """What `{{ value }}` writes: localized, then escaped unless already safe (Django's
    `conditional_escape` without its lazy-text wrapper, which costs more than the escaping
    at a few hundred values a page)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return value if isinstance(value, SafeData) else html.escape(value)
    return render_value_in_context(value, _PLAIN)


def formatted(value) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html (and django/forms/attrs.html, the same loop)."""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_tag(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else f' value="{formatted(value)}"'
    return (
        f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"'
        f"{shown}{attributes(widget['attrs'])}>\n"
    )


def typed_input(widget: dict) -> str:
    """The templates of each input type (text.html, checkbox.html, ...): input.html."""
    return input_tag(widget) + "\n"


def input_option(widget: dict) -> str:
    """django/forms/widgets/input_option.html: a radio or checkbox, wrapped in its label."""
    if not widget.get("wrap_label"):
        return input_tag(widget) + "\n"
    id_ = widget["attrs"].get("id")
    target = f' for="{text(id_)}"' if id_ else ""
    return f"<label{target}>{input_tag(widget)} {text(widget['label'])}</label>\n"


def choice_option(widget: dict) -> str:
    """radio_option.html and checkbox_option.html: input_option.html."""
    return input_option(widget) + "\n"


def select_option(widget: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{formatted(widget["value"])}"{attributes(widget["attrs"])}>'
        f"{text(widget['label'])}</option>\n"
    )


def select(widget: dict, include: Callable[[dict], str]) -> str:
    """django/forms/widgets/select.html."""
    parts = [f'<select name="{text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        parts.extend("\n  " + include(option) for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def multiple_input(widget: dict, include: Callable[[dict], str]) -> str:
    """django/forms/widgets/multiple_input.html (radio.html, checkbox_select.html)."""
    attrs = widget["attrs"]
    id_, class_ = attrs.get("id"), attrs.get("class")
    parts = [
        "<div",
        f' id="{text(id_)}"' if id_ else "",
        f' class="{text(class_)}"' if class_ else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{text(group)}</label>")
        parts.extend(f"<div>\n    {include(option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = text(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{text(widget["name"])}"{attributes(widget["attrs"])}>\n'
        f"{value}</textarea>\n"
    )


def label(context: dict) -> str:
    """django/forms/label.html: a field's label or legend."""
    if not context["use_tag"]:
        return text(context["label"]) + "\n"
    tag = text(context["tag"])
    return f"<{tag}{attributes(context['attrs'])}>{text(context['label'])}</{tag}>\n"


def error_list(context: dict) -> str:
    """django/forms/errors/list/ul.html (and default.html, which includes it)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = errors.field_id
    target = f' id="{text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{text(error)}</li>" for error in errors)
    return f'<ul class="{text(context["error_class"])}"{target}>{items}</ul>'


def field_group(context: dict) -> str:
    """django/forms/field.html: the label (or a fieldset's legend), the help text, the
    errors and the widget."""
    field = context["field"]
    if field.use_fieldset:
        described = field.aria_describedby
        described = f' aria-describedby="{text(described)}"' if described else ""
        opening = f"\n  <fieldset{described}>\n  "
        opening += (str(field.legend_tag()) if field.label else "") + "\n"
    else:
        opening = "\n  " + (str(field.label_tag()) if field.label else "") + "\n"
    help_text = ""
    if field.help_text:
        target = f' id="{text(field.auto_id)}_helptext"' if field.auto_id else ""
        help_text = f'<div class="helptext"{target}>{str(field.help_text)}</div>'
    closing = "</fieldset>" if field.use_fieldset else ""
    return f"{opening}\n{help_text}\n{field.errors}\n{field}{closing}\n"


WIDGETS = "django/forms/widgets/"
INPUT_TYPES = ["checkbox", "color", "date", "datetime", "email", "file", "hidden", "number"]
INPUT_TYPES += ["password", "search", "tel", "text", "time", "url"]

# The writers of the widget templates, each given the widget's context.
WIDGET_WRITERS: dict[str, Callable[[dict], str]] = {
    **{f"{WIDGETS}{kind}.html": typed_input for kind in INPUT_TYPES},
    f"{WIDGETS}input.html": input_tag,
    f"{WIDGETS}input_option.html": input_option,
    f"{WIDGETS}radio_option.html": choice_option,
    f"{WIDGETS}checkbox_option.html": choice_option,
    f"{WIDGETS}select_option.html": select_option,
    f"{WIDGETS}textarea.html": textarea,
}
# The writers of the widgets that include a template for each option, given the widget's
# context and what writes an option (radio.html and checkbox_select.html include
# multiple_input.html, and only add a line break that the renderer strips).
CHOICE_WRITERS: dict[str, Callable[[dict, Callable[[dict], str]], str]] = {
    f"{WIDGETS}select.html": select,
    f"{WIDGETS}multiple_input.html": multiple_input,
    f"{WIDGETS}radio.html": multiple_input,
    f"{WIDGETS}checkbox_select.html": multiple_input,
}
# The writers of the other templates, each given the whole context.
WRITERS: dict[str, Callable[[dict], str]] = {
    "django/forms/label.html": label,
    "django/forms/errors/list/default.html": error_list,
    "django/forms/errors/list/ul.html": error_list,
    "django/forms/field.html": field_group,
}
DJANGOS_TEMPLATES = Path(django.forms.__file__).parent / "templates"


class PythonRenderer(DjangoTemplates):
    """Django's template renderer, with Django's own form templates written in Python.

    A template is written in Python only while the engine would load it from Django's own
    files: an app's template of the same name takes precedence, as it did."""

    def __init__(self):
        self._djangos: dict[str, bool] = {}
        self._options: dict[str, Callable[[dict], str]] = {}

    def is_djangos(self, template_name: str) -> bool:
        """Whether the engine loads `template_name` from Django's own files."""
        djangos = self._djangos.get(template_name)
        if djangos is None:
            origin = Path(self.get_template(template_name).origin.name)
            djangos = self._djangos[template_name] = origin.is_relative_to(DJANGOS_TEMPLATES)
        return djangos

    def option(self, option: dict) -> str:
        """What `{% include option.template_name with widget=option %}` writes."""
        name = option["template_name"]
        write = self._options.get(name)
        if write is None:
            write = WIDGET_WRITERS.get(name)
            if write is None or not self.is_djangos(name):
                template = self.get_template(name)
                write = lambda option: template.render({"widget": option})  # noqa: E731
            self._options[name] = write
        return write(option)

    def render(self, template_name, context, request=None):
        if template_name in WIDGET_WRITERS and self.is_djangos(template_name):
            return WIDGET_WRITERS[template_name](context["widget"]).strip()
        if template_name in CHOICE_WRITERS and self.is_djangos(template_name):
            return CHOICE_WRITERS[template_name](context["widget"], self.option).strip()
        if template_name in WRITERS and self.is_djangos(template_name):
            return WRITERS[template_name](context).strip()
        return super().render(template_name, context, request)
