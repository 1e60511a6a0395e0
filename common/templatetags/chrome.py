"""`{% constant "name" key… %}…{% endconstant %}`: a part of the page frame rendered once per process.

The frame around every public page (the stylesheets, the brand, the main navigation, the footer) is the same for
every visitor in a language and a section of the portal, yet it costs as much template work as a small page
(a dozen `{% url %}`, `{% static %}` and `{% translate %}` each). The block is rendered on its first use for each
(name, language, key values) and its HTML reused after that: it must not show anything that is not in its key
(no user, no CSRF token, no request path). Off with DEBUG, where templates change while the server runs.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader_tags import BlockNode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Bounded: the keys are names × languages × sections of the portal, a few hundred at most.
_MAX_KEPT = 1024
_kept: dict[tuple, str] = {}


class ConstantNode(template.Node):
    def __init__(self, name: str, keys: list, nodelist: template.NodeList):
        self.name, self.keys, self.nodelist = name, keys, nodelist
        # `{% extends %}` looks for the blocks of the whole frame on every render, walking each node's children:
        # a kept block holding no {% block %} is not walked (the frame's nav and footer are most of its nodes).
        if not nodelist.get_nodes_by_type(BlockNode):
            self.child_nodelists = ()

    def render(self, context) -> str:
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (self.name, get_language(), *(value.resolve(context) for value in self.keys))
        html = _kept.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_kept) < _MAX_KEPT:
                _kept[key] = html
        return mark_safe(html)  # noqa: S308 - rendered by the template engine above, escaped there


@register.tag("constant")
def do_constant(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% constant %} needs a name: {% constant "nav" key… %}')
    name = bits[1].strip("\"'")
    keys = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(name, keys, nodelist)


def constant_forget() -> None:
    """Forget every kept block (tests that change settings a block shows)."""
    _kept.clear()
