"""The ledger's panels on a practice's public page. The practice page belongs to practices, which knows nothing
of the ledger above it; its template loads these tags, and the ledger reads its own rows."""

from django import template

from ..models import Question, Replication

register = template.Library()


@register.inclusion_tag("ledger/_replications.html")
def replication_panel(practice):
    """Who replicated the practice, stage by stage, with a link to the full ledger."""
    return {"practice": practice, "replications": Replication.objects.filter(source=practice).for_ledger()}


@register.inclusion_tag("ledger/_faq.html")
def faq_panel(practice):
    """The answered questions the owning agency chose to show, with a link to ask one."""
    return {"practice": practice, "faq": Question.objects.filter(practice=practice).faq()}
