"""Calls, entries, stages and reviews (under `kompetisi/` → `competitions/`). format_lazy keeps the translated
segments lazy, so /en/ URLs resolve in English. Fixed words come before `<slug>` so a call cannot shadow them."""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .views import calls, reviews

urlpatterns = [
    path("", calls.call_list, name="call_list"),
    path(_("baru/"), calls.call_new, name="call_new"),
    path(_("penilaian-saya/"), reviews.review_dashboard, name="review_dashboard"),
    path(format_lazy("{}<int:pk>/", _("penilaian/")), reviews.review_form, name="review_form"),
    path(format_lazy("{}<int:pk>/{}", _("penilaian/"), _("konflik/")), reviews.review_conflict, name="review_conflict"),
    path(format_lazy("{}<int:pk>/", _("tahap/")), reviews.stage_manage, name="stage_manage"),
    path(format_lazy("{}<int:pk>/{}", _("tahap/"), _("tugaskan/")), reviews.stage_assign, name="stage_assign"),
    path(
        format_lazy("{}<int:pk>/{}", _("tahap/"), _("tugaskan-otomatis/")),
        reviews.stage_assign_auto,
        name="stage_assign_auto",
    ),
    path(format_lazy("{}<int:pk>/{}", _("tahap/"), _("putuskan/")), reviews.stage_advance, name="stage_advance"),
    path(format_lazy("{}<int:pk>/", _("peserta/")), calls.entry_detail, name="entry_detail"),
    path(format_lazy("{}<int:pk>/{}", _("peserta/"), _("tarik/")), calls.entry_withdraw, name="entry_withdraw"),
    path(format_lazy("{}<int:pk>/", _("kelola/")), calls.call_manage, name="call_manage"),
    path(format_lazy("{}<int:pk>/{}", _("kelola/"), _("ubah/")), calls.call_edit, name="call_edit"),
    path(format_lazy("{}<int:pk>/{}", _("kelola/"), _("terbitkan/")), calls.call_publish, name="call_publish"),
    path(
        format_lazy("{}<int:pk>/{}", _("kelola/"), _("penilai/")),
        calls.call_reviewer_invite,
        name="call_reviewer_invite",
    ),
    path("<slug:slug>/", calls.call_detail, name="call_detail"),
    path(format_lazy("<slug:slug>/{}", _("ikut/")), calls.call_enter, name="call_enter"),
]
