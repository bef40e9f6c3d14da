"""`{% fragment "name" part ... %}...{% endfragment %}`: a cached fragment (sdr_ops.fragments).

The parts are what the fragment varies on beyond the viewer, their team's data version and
the minute (the page's filters, its page number, a lead's id). With no team version known (a
viewer on no team), the body is rendered every time.
"""

from django import template

from sdr_ops import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name, parts, nodelist):
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        return fragments.cached(
            request,
            self.name.resolve(context),
            [p.resolve(context) for p in self.parts],
            lambda: self.nodelist.render(context),
            csrf_token=context.get("csrf_token"),
        )


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} takes a name and its parts")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]], nodelist
    )
