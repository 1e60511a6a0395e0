"""Mentoring: agencies needing it (moderators) and mentors suggested for an agency (its admin)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..access import mentoring_scope_for
from ..forms import MentoringThemesForm
from ..selectors import mentoring as mentoring_selectors


@login_required
@require_GET
def mentoring(request):
    """Agency admins see mentor suggestions for their agency; moderators see the agencies needing mentoring."""
    scope = mentoring_scope_for(user=request.user)
    context: dict = {}
    if scope.needing:
        context["needing"] = mentoring_selectors.agencies_needing_mentoring()
    if scope.agency is not None:
        form = MentoringThemesForm(request.GET or None)
        themes = list(form.cleaned_data["tema"]) if form.is_valid() else []
        context.update(
            {
                "agency": scope.agency,
                "score": mentoring_selectors.latest_scores().filter(agency=scope.agency).first(),
                "form": form,
                "suggestions": mentoring_selectors.mentor_suggestions(
                    agency=scope.agency, theme_ids=[t.pk for t in themes]
                ),
            }
        )
    return render(request, "insights/mentoring.html", context)
