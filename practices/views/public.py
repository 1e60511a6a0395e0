from django.shortcuts import render

from agencies.models import Agency

from ..selectors.public import theme_list


def home(request):
    themes = list(theme_list())
    context = {
        "themes_tematik": [t for t in themes if t.track == t.Track.TEMATIK],
        "themes_general": [t for t in themes if t.track == t.Track.GENERAL],
        "agency_count": Agency.objects.active().count(),
    }
    return render(request, "practices/home.html", context)
