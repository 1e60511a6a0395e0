"""A collection's practices as the practice cards of `practices`, each beside its label."""

from django import template

from practices.templatetags.public_tags import practice_cards_each

register = template.Library()


@register.simple_tag
def collection_cards(items) -> list:
    """(item, card HTML) for each item, the cards read from Redis in one round trip."""
    items = list(items)
    return list(zip(items, practice_cards_each([item.practice for item in items]), strict=True))
