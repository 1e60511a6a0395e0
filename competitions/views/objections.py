"""Finalists and the public objection window: thin views over services/objections.py (COMP-B)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.clientip import client_ip
from common.forms import form_error_add
from common.ratelimit import ratelimit_hit

from ..access import (
    call_get_public,
    finalist_public_get,
    objection_agency_id,
    objection_can_moderate,
    objection_can_see_objector,
    objection_file_get_for_user,
    objection_get_for_agency,
    objection_get_for_moderator,
    objection_queue_require,
    results_can_manage,
)
from ..forms.objections import ObjectionAnswerForm, ObjectionDecideForm, ObjectionForm, ObjectionModerateForm
from ..models import Objection
from ..selectors.objections import (
    call_finalists,
    entry_objection_counts,
    objection_counts_are_public,
    objection_queue,
    objections_for_agency,
)
from ..services.objections import (
    finalists_announce,
    objection_answer,
    objection_by_token,
    objection_confirm,
    objection_decide,
    objection_file,
    objection_moderate,
    objection_window_is_open,
)

# Flood limits of the public form: per client address and per objector's email address (a hash of it).
OBJECTION_RATE_IP = "5/h"
OBJECTION_RATE_EMAIL = "3/d"


def finalists(request, slug: str):
    """The public page of a call's finalists: the objection links while the window is open, counts after it."""
    call = call_get_public(user=request.user, slug=slug)
    rows = list(call_finalists(call=call))
    counts_public = objection_counts_are_public(call=call)
    context = {
        "call": call,
        "rows": [(entry, entry_objection_counts(entry) if counts_public else None) for entry in rows],
        "window_open": objection_window_is_open(call=call),
        "counts_public": counts_public,
        "can_manage": results_can_manage(user=request.user),
        "can_moderate": objection_can_moderate(user=request.user),
    }
    return render(request, "competitions/objections/finalists.html", context)


@require_POST
def finalists_announce_view(request, slug: str):
    call = call_get_public(user=request.user, slug=slug)
    if not results_can_manage(user=request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    try:
        finalists_announce(call_id=call.pk, by=request.user, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Finalis diumumkan; masa sanggah dibuka."))
    return redirect("competitions:finalists", slug=call.slug)


def _limited(request, email: str) -> bool:
    """Count one objection from this address and for this email; True when either is over its limit."""
    allowed_ip, _ = ratelimit_hit(
        key="objection-ip", rate=OBJECTION_RATE_IP, request=request, fail_closed=True, who=f"ip{client_ip(request)}"
    )
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    allowed_email, _ = ratelimit_hit(
        key="objection-email", rate=OBJECTION_RATE_EMAIL, request=request, fail_closed=True, who=f"e{digest}"
    )
    return not (allowed_ip and allowed_email)


@require_http_methods(["GET", "POST"])
def objection_new(request, slug: str, entry_pk: int):
    """The public objection form. A refusal (window closed, a refused file, a flood) keeps what was typed."""
    call = call_get_public(user=request.user, slug=slug)
    entry = finalist_public_get(call=call, pk=entry_pk)
    window_open = objection_window_is_open(call=call)
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, request.FILES)
        status = 400
        if not window_open:
            form.is_valid()
            form.add_error(None, _("Masa sanggah panggilan ini sudah berakhir; sanggahan tidak diterima lagi."))
        elif form.is_valid():
            data = form.cleaned_data
            if data["website"]:  # the honeypot: a bot; it is told what a person is told, and nothing is stored
                return render(request, "competitions/objections/sent.html", {"call": call, "entry": entry})
            if _limited(request, data["email"]):
                form.add_error(
                    None,
                    _(
                        "Terlalu banyak sanggahan dari alamat ini atau untuk email ini. Teks Anda masih di bawah; "
                        "coba lagi nanti."
                    ),
                )
                status = 429
            else:
                try:
                    objection_file(
                        entry_id=entry.pk,
                        name=data["name"],
                        email=data["email"],
                        relation=data["relation"],
                        ground=data["ground"],
                        text=data["text"],
                        files=data["attachments"],
                        language=translation.get_language() or "",
                        request=request,
                    )
                except ValidationError as exc:
                    form_error_add(form, exc)
                else:
                    return render(request, "competitions/objections/sent.html", {"call": call, "entry": entry})
    else:
        form = ObjectionForm()
    context = {"call": call, "entry": entry, "form": form, "window_open": window_open}
    return render(request, "competitions/objections/objection_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def objection_confirm_view(request, token: str):
    """The link in the confirmation email: GET shows a button (mail scanners must not confirm), POST confirms."""
    found = objection_by_token(token=token)
    if found is None:
        return render(request, "competitions/objections/token_invalid.html", status=404)
    if request.method == "POST":
        found = objection_confirm(token=token, request=request)
        return render(request, "competitions/objections/confirmed.html", {"objection": found})
    return render(request, "competitions/objections/confirm.html", {"objection": found})


@login_required
def objection_queue_view(request, slug: str):
    """The moderators' list of a call's confirmed objections; leads also see who filed them."""
    objection_queue_require(user=request.user)
    call = call_get_public(user=request.user, slug=slug)
    context = {
        "call": call,
        "objections": list(objection_queue(call=call)),
        "show_objector": objection_can_see_objector(user=request.user),
        "can_decide": results_can_manage(user=request.user),
        "moderate_form": ObjectionModerateForm(),
        "decide_form": ObjectionDecideForm(),
        "S": Objection.Status,
    }
    return render(request, "competitions/objections/queue.html", context)


@login_required
@require_POST
def objection_moderate_view(request, pk: int):
    objection = objection_get_for_moderator(user=request.user, pk=pk)
    form = ObjectionModerateForm(request.POST)
    if form.is_valid():
        try:
            objection_moderate(
                objection_id=objection.pk,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Sanggahan diperiksa."))
            return redirect("competitions:objection_queue", slug=objection.entry.call.slug)
    return _queue_with_errors(request, objection, moderate_form=form)


@login_required
@require_POST
def objection_decide_view(request, pk: int):
    objection = objection_get_for_moderator(user=request.user, pk=pk)
    if not results_can_manage(user=request.user):
        raise PermissionDenied(_("Hanya moderator utama yang dapat memutuskan sanggahan."))
    form = ObjectionDecideForm(request.POST)
    if form.is_valid():
        outcome = form.cleaned_data["outcome"]
        try:
            objection_decide(
                objection_id=objection.pk,
                by=request.user,
                upheld=outcome != "not_upheld",
                finding="" if outcome == "not_upheld" else outcome,
                note=form.cleaned_data["note"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Hasil pemeriksaan sanggahan dicatat."))
            return redirect("competitions:objection_queue", slug=objection.entry.call.slug)
    return _queue_with_errors(request, objection, decide_form=form)


def _queue_with_errors(request, objection, *, moderate_form=None, decide_form=None):
    call = objection.entry.call
    context = {
        "call": call,
        "objections": list(objection_queue(call=call)),
        "show_objector": objection_can_see_objector(user=request.user),
        "can_decide": results_can_manage(user=request.user),
        "moderate_form": ObjectionModerateForm(),
        "decide_form": ObjectionDecideForm(),
        "error_pk": objection.pk,
        "error_form": moderate_form or decide_form,
        "S": Objection.Status,
    }
    return render(request, "competitions/objections/queue.html", context, status=400)


@login_required
def agency_objections(request):
    """The objections sent to the user's agency, each with its one answer (or the form for it)."""
    agency_id = objection_agency_id(user=request.user)
    if agency_id is None:
        raise Http404
    context = {"objections": list(objections_for_agency(agency_id=agency_id)), "form": ObjectionAnswerForm()}
    return render(request, "competitions/objections/agency.html", context)


@login_required
@require_POST
def objection_answer_view(request, pk: int):
    objection = objection_get_for_agency(user=request.user, pk=pk)
    form = ObjectionAnswerForm(request.POST)
    if form.is_valid():
        try:
            objection_answer(objection=objection, by=request.user, answer=form.cleaned_data["answer"], request=request)
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Tanggapan instansi terkirim."))
            return redirect("competitions:agency_objections")
    context = {
        "objections": list(objections_for_agency(agency_id=objection.entry.agency_id)),
        "form": ObjectionAnswerForm(),
        "error_pk": objection.pk,
        "error_form": form,
    }
    return render(request, "competitions/objections/agency.html", context, status=400)


@login_required
def objection_file_download(request, pk: int):
    found = objection_file_get_for_user(user=request.user, pk=pk)
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.original_name, content_type=found.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
