"""Pages of the calls: the public list and call page (with an agency admin's entry panel), the lead's call form,
publishing and management page (reviewers, stages), and an entry's page for its agency. Thin: access, one
form, one service, redirect; a service's refusal goes on the form and the page comes back with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.roles import roles_for
from common.forms import error_text, form_error_add

from ..access import (
    call_can_manage,
    call_get_for_lead,
    call_get_public,
    call_manage_require,
    entry_can_enter,
    entry_get_for_agency,
)
from ..forms.calls import CallForm, CriterionFormSet, EntryForm, ReviewerInviteForm, StageFormSet, formset_rows
from ..kipp import KIPP_CRITERIA, KIPP_STAGES
from ..models import Call, CallReviewer
from ..selectors import calls as call_selectors
from ..selectors.reviews import entry_feedback
from ..services import calls as call_services
from ..services import entries as entry_services
from ..services import reviews as review_services


@require_GET
def call_list(request):
    calls = call_selectors.call_list_public(include_drafts=call_can_manage(user=request.user))
    context = {
        "calls": calls,
        "can_manage": call_can_manage(user=request.user),
        "is_reviewer": request.user.is_authenticated
        and CallReviewer.objects.filter(user_id=request.user.pk, is_active=True).exists(),
    }
    return render(request, "competitions/calls/call_list.html", context)


def _call_page(request, call: Call, *, entry_form=None, status: int = 200):
    context = {"call": call, **call_selectors.call_page(call=call), "can_manage": call_can_manage(user=request.user)}
    if entry_can_enter(user=request.user):
        agency_id = roles_for(request.user).agency_id
        context["agency_entries"] = call_selectors.agency_entries(call=call, agency_id=agency_id)
        closed = entry_services.entries_open_refusal(call=call)
        context["entries_closed_reason"] = closed
        context["can_withdraw"] = not closed
        if not closed:
            practices = call_selectors.agency_practices_for_entry(agency_id=agency_id, call=call)
            context["entry_form"] = entry_form or (EntryForm(practices=practices) if practices else None)
    elif roles_for(request.user).has_agency:
        context["agency_entries"] = call_selectors.agency_entries(
            call=call, agency_id=roles_for(request.user).agency_id
        )
    return render(request, "competitions/calls/call_detail.html", context, status=status)


@require_GET
def call_detail(request, slug):
    return _call_page(request, call_get_public(user=request.user, slug=slug))


@login_required
@require_POST
def call_enter(request, slug):
    call = call_get_public(user=request.user, slug=slug)
    if not entry_can_enter(user=request.user):
        raise PermissionDenied(_("Hanya admin instansi yang dapat mendaftarkan praktik instansinya."))
    agency_id = roles_for(request.user).agency_id
    practices = call_selectors.agency_practices_for_entry(agency_id=agency_id, call=call)
    form = EntryForm(request.POST, practices=practices)
    if form.is_valid():
        try:
            entry_services.entry_create(actor=request.user, call_id=call.pk, practice_id=form.cleaned_data["practice"])
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Praktik didaftarkan pada panggilan ini."))
            return redirect("competitions:call_detail", slug=call.slug)
    # The deadline may have passed while the form was open: say so above the form, keep the choice.
    return _call_page(request, call, entry_form=form, status=400)


@login_required
@require_POST
def entry_withdraw(request, pk):
    entry = entry_get_for_agency(user=request.user, pk=pk, admin=True)
    try:
        entry_services.entry_withdraw(actor=request.user, entry_id=entry.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Pendaftaran ditarik."))
    return redirect("competitions:call_detail", slug=entry.call.slug)


@login_required
@require_GET
def entry_detail(request, pk):
    entry = entry_get_for_agency(user=request.user, pk=pk)
    context = {"entry": entry, "call": entry.call, "feedback": entry_feedback(entry=entry)}
    return render(request, "competitions/calls/entry_detail.html", context)


# The lead's pages ---------------------------------------------------------------------------------------------


def _call_form_page(request, *, call: Call | None, form, criteria, stages, status: int = 200):
    locked = call is not None and call.status != Call.Status.DRAFT
    context = {"call": call, "form": form, "criteria": criteria, "stages": stages, "locked": locked}
    return render(request, "competitions/calls/call_form.html", context, status=status)


def _call_save(request, *, call: Call | None):
    initial = {}
    if call is not None:
        initial = {
            "title": call.title,
            "description": call.description,
            "themes": list(call.themes.all()),
            "agency_kinds": call.agency_kinds,
            "opens_at": call.opens_at,
            "closes_at": call.closes_at,
            "objection_days": call.objection_days,
        }
        criteria_initial = list(call.criteria.order_by("position").values("name", "description", "weight", "max_score"))
        stages_initial = list(
            call.stages.order_by("position").values(
                "name", "kind", "is_scored", "min_reviews", "advance_top_n", "advance_min_score"
            )
        )
    else:
        criteria_initial, stages_initial = KIPP_CRITERIA, KIPP_STAGES
    if request.method == "GET":
        return _call_form_page(
            request,
            call=call,
            form=CallForm(initial=initial),
            criteria=CriterionFormSet(prefix="criteria", initial=criteria_initial),
            stages=StageFormSet(prefix="stages", initial=stages_initial),
        )
    form = CallForm(request.POST, initial=initial)
    # Bound without `initial`: every filled row counts, whether or not it differs from the defaults.
    criteria = CriterionFormSet(request.POST, prefix="criteria")
    stages = StageFormSet(request.POST, prefix="stages")
    locked = call is not None and call.status != Call.Status.DRAFT
    if form.is_valid() and (locked or (criteria.is_valid() and stages.is_valid())):
        data = dict(form.cleaned_data)
        rubric = {} if locked else {"criteria": formset_rows(criteria), "stages": formset_rows(stages)}
        try:
            if call is None:
                call = call_services.call_create(actor=request.user, **data, **rubric)
                messages.success(request, _("Draf panggilan disimpan. Terbitkan bila sudah siap."))
            else:
                call_services.call_update(actor=request.user, call_id=call.pk, **data, **rubric)
                messages.success(request, _("Panggilan disimpan."))
        except ValidationError as exc:
            form_error_add(form, exc)  # the rubric's refusals ("criteria", "stages") go above the form
        else:
            return redirect("competitions:call_manage", pk=call.pk)
    return _call_form_page(request, call=call, form=form, criteria=criteria, stages=stages, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request):
    call_manage_require(user=request.user)
    return _call_save(request, call=None)


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, pk):
    return _call_save(request, call=call_get_for_lead(user=request.user, pk=pk))


@login_required
@require_POST
def call_publish(request, pk):
    call = call_get_for_lead(user=request.user, pk=pk)
    try:
        call_services.call_publish(actor=request.user, call_id=call.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Panggilan diterbitkan; pendaftaran dibuka sesuai jadwal."))
    return redirect("competitions:call_manage", pk=call.pk)


def _manage_page(request, call: Call, *, invite_form=None, status: int = 200):
    context = {
        "call": call,
        "stages": list(call.stages.order_by("position")),
        "reviewers": list(call.reviewers.filter(is_active=True).select_related("user").order_by("invited_at")),
        "invite_form": invite_form or ReviewerInviteForm(),
        "entry_count": call.entries.exclude(status="withdrawn").count(),
    }
    return render(request, "competitions/calls/call_manage.html", context, status=status)


@login_required
@require_GET
def call_manage(request, pk):
    return _manage_page(request, call_get_for_lead(user=request.user, pk=pk))


@login_required
@require_POST
def call_reviewer_invite(request, pk):
    call = call_get_for_lead(user=request.user, pk=pk)
    form = ReviewerInviteForm(request.POST)
    if form.is_valid():
        try:
            review_services.call_reviewer_invite(actor=request.user, call_id=call.pk, **form.cleaned_data)
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Penilai diundang dan diberi tahu."))
            return redirect("competitions:call_manage", pk=call.pk)
    return _manage_page(request, call, invite_form=form, status=400)
