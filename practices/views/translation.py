"""The translation editor: the English version of a published practice, written by its agency or by ministry
translators, verified by a moderator, optionally drafted by machine. Thin: access, form, one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.forms import error_text, form_error_add

from ..access import moderator_require, practice_can_verify_translation, practice_get_for_translation
from ..forms.translation import TranslationForm
from ..machine_translation import backend_get
from ..selectors.translations import translation_for_editor, translations_awaiting_verification
from ..services import translations as services

LANGUAGE = "en"
QUEUE_PAGE_SIZE = 50


def _back(practice):
    return redirect(reverse("manage:translation", kwargs={"pk": practice.pk}))


@login_required
@require_http_methods(["GET", "POST"])
def translation_edit(request, pk: int):
    practice = practice_get_for_translation(user=request.user, pk=pk)
    revision = practice.live_revision
    translation = translation_for_editor(practice=practice, language=LANGUAGE)
    initial = dict(translation.fields) if translation else {}
    status = 200
    if request.method == "POST":
        form = TranslationForm(request.POST, revision=revision)
        if form.is_valid():
            try:
                services.translation_save(
                    practice_id=practice.pk, language=LANGUAGE, fields=form.cleaned_data, by=request.user
                )
            except ValidationError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("Terjemahan disimpan sebagai draf. Moderator perlu memverifikasinya."))
                return _back(practice)
        status = 400
    else:
        form = TranslationForm(initial=initial, revision=revision)
    context = {
        "practice": practice,
        "revision": revision,
        "translation": translation,
        "form": form,
        "can_verify": practice_can_verify_translation(user=request.user),
        "machine_available": backend_get() is not None,
    }
    return render(request, "practices/manage/translation.html", context, status=status)


@login_required
@require_POST
def translation_verify(request, pk: int):
    practice = practice_get_for_translation(user=request.user, pk=pk, verify=True)
    try:
        services.translation_verify(practice_id=practice.pk, language=LANGUAGE, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Terjemahan diverifikasi dan kini tampil di halaman publik berbahasa Inggris."))
    return _back(practice)


@login_required
@require_POST
def translation_machine(request, pk: int):
    practice = practice_get_for_translation(user=request.user, pk=pk)
    try:
        services.translation_machine_request(practice_id=practice.pk, language=LANGUAGE, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.info(
            request, _("Terjemahan mesin diminta. Muat ulang halaman ini sebentar lagi untuk melihat drafnya.")
        )
    return _back(practice)


@login_required
@require_GET
def translation_queue(request):
    """The moderators' queue: translations not shown to the public yet (drafts, and verified ones of an older
    revision), oldest first, each linking to its editor where the moderator verifies it."""
    moderator_require(user=request.user)
    page = Paginator(translations_awaiting_verification(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "translations_awaiting": page.paginator.count}
    return render(request, "practices/review/translation_queue.html", context)
