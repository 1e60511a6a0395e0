"""The who-does-what map of one theme."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms import ThemeSelectForm
from ..selectors.map import who_does_what as who_does_what_data


@require_GET
def who_does_what(request):
    form = ThemeSelectForm(request.GET or None)
    theme = form.chosen_theme()
    if not form.is_bound or not form.is_valid():
        form = ThemeSelectForm(initial={"tema": theme.code if theme else None})
    data = who_does_what_data(theme=theme) if theme else None
    return render(request, "insights/map.html", {"form": form, "theme": theme, "data": data})
