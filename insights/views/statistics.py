"""The statistics page: published practices and replications counted several ways; the review funnel for
moderators."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import statistics_funnel_visible
from ..selectors import statistics as stats_selectors


@require_GET
def statistics(request):
    chart = stats_selectors.bar_chart
    sections = [
        ("theme", _("Praktik terbit per tema"), chart(stats_selectors.practices_by_theme())),
        ("province", _("Praktik terbit per provinsi"), chart(stats_selectors.practices_by_province())),
        ("kind", _("Praktik terbit per jenis instansi"), chart(stats_selectors.practices_by_kind())),
        ("year", _("Praktik terbit per tahun"), chart(stats_selectors.practices_by_year())),
        ("replications", _("Replikasi dimulai per tahun"), chart(stats_selectors.replications_by_year())),
    ]
    share = stats_selectors.contributing_share_by_province()
    context = {
        "sections": sections,
        "share": share,
        "share_chart": chart([(row["name"], row["percent"]) for row in share]),
        "funnel": None,
    }
    if statistics_funnel_visible(user=request.user):
        funnel = stats_selectors.review_funnel()
        context["funnel"] = {**funnel, "states_chart": chart(funnel["states"])}
    return render(request, "insights/statistics.html", context)
