"""The ledger's panels on a practice's public page. The practice page belongs to practices, which knows nothing
of the ledger above it; its template loads these tags, and the ledger reads its own rows."""

from django import template

from ..forms import ReplicationMarkForm
from ..models import Question, Replication
from ..selectors import replication_mark_candidates, replication_mark_state

register = template.Library()


@register.inclusion_tag("ledger/_replications.html")
def replication_panel(practice):
    """Who replicated the practice, stage by stage, with a link to the full ledger."""
    return {"practice": practice, "replications": Replication.objects.filter(source=practice).for_ledger()}


@register.inclusion_tag("ledger/_faq.html")
def faq_panel(practice):
    """The answered questions the owning agency chose to show, with a link to ask one."""
    return {"practice": practice, "faq": Question.objects.filter(practice=practice).faq()}


@register.inclusion_tag("ledger/_replication_mark.html")
def replication_mark_panel(practice):
    """On the submit page: mark the new practice as a replication of a published one (the ledger records it as
    "launched"), or show the mark it has, with an undo while it is a draft."""
    state = replication_mark_state(practice=practice)
    form = None
    if state["source"] is None:
        form = ReplicationMarkForm(candidates=replication_mark_candidates(practice=practice))
    return {"practice": practice, "form": form, **state}
