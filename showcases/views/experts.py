"""Experts (lead moderators manage them) and expert notes: writing one's own, and the moderators' queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import form_error_add
from practices.access import published_practice_get

from .. import services
from ..access import (
    expert_get_for_manager,
    expert_pages_require,
    note_get_for_author,
    note_get_for_moderator,
    note_pages_require,
    note_queue_require,
)
from ..forms import ExpertForm, NoteForm, NoteModerationForm
from ..selectors import expert_list, note_author_list, note_moderation_queue


def _expert_fields(form) -> dict:
    data = form.cleaned_data
    return {key: data[key] for key in ("email", "full_name", "affiliation", "expertise", "is_active")}


@login_required
@require_http_methods(["GET", "POST"])
def expert_index(request):
    """The experts, and the form that adds one (an account is made for a new address)."""
    expert_pages_require(user=request.user)
    form = ExpertForm(request.POST if request.method == "POST" else None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_save(actor=request.user, **_expert_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Pakar disimpan. Pakar baru memasang kata sandinya lewat “Lupa kata sandi”."))
            return redirect("showcases:experts")
    status = 400 if form.is_bound else 200
    return render(request, "showcases/expert_list.html", {"experts": expert_list(), "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request, pk):
    expert = expert_get_for_manager(user=request.user, pk=pk)
    initial = {
        "email": expert.user.email,
        "full_name": expert.user.full_name,
        "affiliation": expert.affiliation,
        "expertise": expert.expertise,
        "is_active": expert.is_active,
    }
    form = ExpertForm(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["email"].disabled = True  # the profile stays with its account
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_save(actor=request.user, **_expert_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Pakar disimpan."))
            return redirect("showcases:experts")
    status = 400 if form.is_bound else 200
    return render(request, "showcases/expert_form.html", {"expert": expert, "form": form}, status=status)


# Expert notes ------------------------------------------------------------------------------------------------


@login_required
def note_list(request):
    """The notes the user wrote, with their moderation status."""
    note_pages_require(user=request.user)
    return render(request, "showcases/note_list.html", {"notes": note_author_list(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def note_write(request, slug):
    """Write (or edit) one's note on a published practice; it waits for a moderator before it shows."""
    note_pages_require(user=request.user)
    practice = published_practice_get(slug=slug)
    note = note_get_for_author(user=request.user, practice_id=practice.pk)
    initial = {}
    if note is not None:
        initial = {"transferable": note.transferable, "preconditions": note.preconditions, "risks": note.risks}
    form = NoteForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_save(author=request.user, practice=practice, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Catatan dikirim. Catatan tampil setelah diperiksa moderator."))
            return redirect("showcases:notes")
    status = 400 if form.is_bound else 200
    context = {"practice": practice, "note": note, "form": form}
    return render(request, "showcases/note_form.html", context, status=status)


@login_required
def note_queue(request):
    note_queue_require(user=request.user)
    notes = list(note_moderation_queue())
    rows = [(note, NoteModerationForm(prefix=f"n{note.pk}")) for note in notes]
    return render(request, "showcases/note_queue.html", {"rows": rows})


@login_required
@require_POST
def note_moderate(request, pk):
    note = note_get_for_moderator(user=request.user, pk=pk)
    form = NoteModerationForm(request.POST, prefix=f"n{note.pk}")
    if form.is_valid():
        try:
            services.note_moderate(
                actor=request.user,
                note=note,
                publish=form.cleaned_data["decision"] == "publish",
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Catatan diputuskan."))
            return redirect("showcases:note_queue")
    rows = [(n, form if n.pk == note.pk else NoteModerationForm(prefix=f"n{n.pk}")) for n in note_moderation_queue()]
    if note.pk not in {n.pk for n, _f in rows}:  # already decided by someone else: shown with the error anyway
        rows.insert(0, (note, form))
    return render(request, "showcases/note_queue.html", {"rows": rows}, status=400)
