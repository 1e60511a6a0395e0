from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "ledger"

# format_lazy keeps the translated segments lazy, so /en/ URLs resolve in English.
urlpatterns = [
    # Under the practice's own address in each language (/praktik/<slug>/ and /en/practices/<slug>/).
    path(
        format_lazy("{}{}", _("praktik/<slug:slug>/"), _("replikasi/")), views.replication_list, name="replication_list"
    ),
    path(format_lazy("{}{}", _("praktik/<slug:slug>/"), _("tanya/")), views.question_list, name="question_list"),
    path(
        format_lazy("{}{}<int:pk>/{}", _("praktik/<slug:slug>/"), _("tanya/"), _("jawab/")),
        views.question_answer,
        name="question_answer",
    ),
    path(
        format_lazy("{}<int:pk>/{}", _("replikasi/"), _("tahap/")),
        views.replication_advance,
        name="replication_advance",
    ),  # fmt: skip
    path(
        format_lazy("{}<int:pk>/{}<int:step_pk>/", _("replikasi/"), _("tanggapan/")),
        views.replication_respond,
        name="replication_respond",
    ),
    # Marking a practice (its id in the management area) as a replication, from the submit page's panel.
    path(format_lazy("{}{}<int:pk>/", _("replikasi/"), _("tandai/")), views.replication_mark, name="replication_mark"),
    path(
        format_lazy("{}{}<int:pk>/{}", _("replikasi/"), _("tandai/"), _("batal/")),
        views.replication_mark_undo,
        name="replication_mark_undo",
    ),
    path(
        format_lazy("{}<int:pk>/{}", _("replikasi/"), _("jadikan-praktik/")),
        views.replication_make_practice,
        name="replication_make_practice",
    ),
]
