"""The statistics page: listed practices and replications counted several ways, each chart a table with bars
(sorted by value, zero rows folded into one line, every row a link to the practices it counts); the review
funnel for moderators."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from ..access import statistics_funnel_visible
from ..selectors import statistics as stats_selectors
from ..selectors.statistics import Bar, bar_chart


def _folded(chart: dict, singular: str, plural: str) -> dict:
    """The chart with its zero rows as one sentence, `zero_line`: "3 tema tanpa praktik: a, b, c"."""
    names = chart["zeros"]
    line = ngettext(singular, plural, len(names)) % {"count": len(names), "names": ", ".join(names)} if names else ""
    return {**chart, "zero_line": line}


def _themes_folded(chart: dict) -> dict:
    return _folded(chart, "%(count)s tema tanpa praktik: %(names)s", "%(count)s tema tanpa praktik: %(names)s")


@require_GET
def statistics(request):
    counts = stats_selectors.theme_counts()
    by_province = bar_chart(stats_selectors.practices_by_province())
    by_kind = bar_chart(stats_selectors.practices_by_kind())
    sections = [
        ("theme", _("Praktik terbit per tema"), _themes_folded(bar_chart(stats_selectors.practices_by_theme(counts)))),
        ("province", _("Praktik terbit per provinsi"), _folded(
            by_province, "%(count)s provinsi tanpa praktik: %(names)s", "%(count)s provinsi tanpa praktik: %(names)s"
        )),
        ("kind", _("Praktik terbit per jenis instansi"), _folded(
            by_kind, "%(count)s jenis instansi tanpa praktik: %(names)s",
            "%(count)s jenis instansi tanpa praktik: %(names)s",
        )),
        ("year", _("Praktik terbit per tahun"), bar_chart(stats_selectors.practices_by_year(), ordered=True)),
        ("replications", _("Replikasi dimulai per tahun"),
         bar_chart(stats_selectors.replications_by_year(), ordered=True)),
    ]  # fmt: skip
    share = bar_chart(stats_selectors.share_bars(stats_selectors.contributing_share_by_province()))
    multiples = stats_selectors.theme_multiples(counts)
    context = {
        "sections": sections,
        "share_chart": _folded(
            share,
            "%(count)s provinsi tanpa instansi daerah yang berkontribusi: %(names)s",
            "%(count)s provinsi tanpa instansi daerah yang berkontribusi: %(names)s",
        ),
        "multiples": _themes_folded(multiples),
        "funnel": None,
    }
    if statistics_funnel_visible(user=request.user):
        funnel = stats_selectors.review_funnel()
        states = bar_chart([Bar(str(label), n) for label, n in funnel["states"]])
        context["funnel"] = {
            **funnel,
            "states_chart": _folded(
                states, "%(count)s status tanpa revisi: %(names)s", "%(count)s status tanpa revisi: %(names)s"
            ),
        }
    return render(request, "insights/statistics.html", context)
