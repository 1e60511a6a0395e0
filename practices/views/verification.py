"""The verification panel's actions on the review page: record a verification, set the evidence level shown.
Thin: a form validates, one service acts, then back to the review page (or the panel with its errors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import moderator_require, practice_get_for_user
from ..forms.verification import EvidenceLevelForm, VerificationForm
from ..services import verification as services


def _errors_add(form, exc: ValidationError | PermissionDenied) -> None:
    """A service's refusal on the form: each message on its field when the form has it, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, str(exc) or _("Tidak diizinkan."))


def _back(practice):
    return redirect(reverse("review:detail", kwargs={"pk": practice.pk}) + "#verifikasi")


def _panel_page(request, practice, **forms):
    return render(request, "practices/review/verification_page.html", {"practice": practice, **forms}, status=400)


@login_required
@require_POST
def verification_add(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    form = VerificationForm(request.POST, practice=practice)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.verification_record(
                practice=practice,
                by=request.user,
                method=data["method"],
                verified_on=data["verified_on"],
                notes=data["notes"],
                source_name=data["source_name"],
                file_ids=[attachment.pk for attachment in data["files"]],
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors_add(form, exc)
        else:
            messages.success(request, _("Verifikasi dicatat."))
            return _back(practice)
    return _panel_page(request, practice, verification_form=form)


@login_required
@require_POST
def evidence_level_set(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    moderator_require(user=request.user)
    form = EvidenceLevelForm(request.POST)
    if form.is_valid():
        try:
            services.practice_evidence_level_set(practice=practice, level=form.cleaned_data["level"], by=request.user)
        except ValidationError as exc:
            form.add_error("level", exc.messages)
        else:
            messages.success(request, _("Tingkat bukti disimpan."))
            return _back(practice)
    return _panel_page(request, practice, level_form=form)
