"""Review pages: queues, the review page, decisions. Thin: a form validates, one service acts, then redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Membership
from agencies.selectors import membership_for_user

from ..access import practice_get_for_user
from ..forms.review import AgencyDecisionForm, ArchiveForm, DecisionForm, ReassignForm, ReviewForm, TwoReviewersForm
from ..models import Practice, PracticeRevision
from ..selectors.moderation import agency_review_queue, moderation_queue, review_page_data
from ..services import agency_review, assignment, decisions
from ..workflow import actor_roles, allowed

S = PracticeRevision.State


def _agency_admin_membership(user) -> Membership:
    membership = membership_for_user(user=user)
    if membership is None or membership.role != Membership.Role.ADMIN:
        raise PermissionDenied
    return membership


@login_required
def review_index(request):
    if request.user.is_moderator:
        return redirect("review:queue")
    _agency_admin_membership(request.user)
    return redirect("review:agency_queue")


@login_required
def agency_queue(request):
    membership = _agency_admin_membership(request.user)
    practices = agency_review_queue(agency_id=membership.agency_id)
    return render(request, "practices/review/agency_queue.html", {"practices": practices, "agency": membership.agency})


@login_required
def moderator_queue(request):
    if not request.user.is_moderator:
        raise PermissionDenied
    filterset = moderation_queue(user=request.user, data=request.GET)
    practices = list(filterset.qs) if filterset.is_valid() else []
    context = {"filter": filterset, "practices": practices}
    if request.user.is_lead_moderator:
        context["reassign_form"] = ReassignForm(practice_ids=[p.pk for p in practices])
    return render(request, "practices/review/moderator_queue.html", context)


@login_required
@require_POST
def reassign(request):
    if not request.user.is_lead_moderator:
        raise PermissionDenied
    ids = Practice.objects.filter(working_revision__state__in=[S.SUBMITTED, S.IN_REVIEW]).values_list("pk", flat=True)
    form = ReassignForm(request.POST, practice_ids=list(ids))
    if form.is_valid():
        count = assignment.revisions_reassign(
            practice_ids=form.cleaned_data["practices"], reviewer=form.cleaned_data["reviewer"], by=request.user
        )
        messages.success(request, _("%(n)d tinjauan dialihkan.") % {"n": count})
    else:
        messages.error(request, _("Pilih praktik dan peninjau untuk dialihkan."))
    return redirect("review:queue")


def _forms_for(*, user, practice: Practice) -> dict:
    """Which decision forms the user sees, read from the workflow table (the single source of who may do what)."""
    roles = actor_roles(user=user, practice=practice)
    state = practice.working_revision.state if practice.working_revision_id else None
    return {
        "can_agency_decide": allowed(from_state=state, to_state=S.SUBMITTED, roles=roles) and state == S.AGENCY_REVIEW,
        "can_decide": "moderator" in roles and state in (S.SUBMITTED, S.IN_REVIEW),
        "can_archive": practice.status == Practice.Status.PUBLISHED and bool(roles & {"agency_admin", "moderator"}),
        "can_confirm": practice.status == Practice.Status.PUBLISHED and "member" in roles,
    }


def _render_detail(request, practice: Practice, *, status: int = 200, **forms):
    flags = _forms_for(user=request.user, practice=practice)
    context = {"practice": practice, **review_page_data(practice=practice), **flags}
    if flags["can_agency_decide"]:
        context["agency_form"] = forms.get("agency_form") or AgencyDecisionForm()
    if flags["can_decide"]:
        context["decision_form"] = forms.get("decision_form") or DecisionForm(
            initial={"evidence_level": practice.evidence_level}
        )
        context["review_form"] = forms.get("review_form") or ReviewForm()
        if request.user.is_lead_moderator:
            context["two_reviewers_form"] = forms.get("two_reviewers_form") or TwoReviewersForm(
                initial={"required": practice.working_revision.two_reviewers_required}
            )
    if flags["can_archive"]:
        context["archive_form"] = forms.get("archive_form") or ArchiveForm()
    return render(request, "practices/review/review_detail.html", context, status=status)


@login_required
def review_detail(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    return _render_detail(request, practice)


def _refused(form, exc: ValidationError | PermissionDenied) -> None:
    form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc) or _("Tidak diizinkan."))


@login_required
@require_POST
def agency_decide(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    form = AgencyDecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                agency_review.revision_agency_approve(
                    practice=practice, by=request.user, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("Praktik diajukan ke kementerian."))
            else:
                agency_review.revision_agency_return(
                    practice=practice, by=request.user, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("Praktik dikembalikan ke penulis."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            _refused(form, exc)
    return _render_detail(request, practice, status=400, agency_form=form)


@login_required
@require_POST
def decide(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    if not request.user.is_moderator:
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                decisions.revision_approve(
                    practice=practice,
                    by=request.user,
                    evidence_level=data["evidence_level"] or practice.evidence_level,
                    comment=data["comment"],
                )
                messages.success(request, _("Praktik disetujui dan diterbitkan."))
            elif data["decision"] == "changes":
                decisions.revision_request_changes(
                    practice=practice,
                    by=request.user,
                    section_comments=form.section_comments(),
                    comment=data["comment"],
                )
                messages.success(request, _("Permintaan perbaikan dikirim ke instansi."))
            else:
                decisions.revision_reject(practice=practice, by=request.user, reason=data["comment"])
                messages.success(request, _("Praktik ditolak."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            _refused(form, exc)
    return _render_detail(request, practice, status=400, decision_form=form)


@login_required
@require_POST
def review_submit(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    if not request.user.is_moderator:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            assignment.review_save(
                practice=practice,
                by=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                section_comments=form.section_comments(),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Penilaian disimpan."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            _refused(form, exc)
    return _render_detail(request, practice, status=400, review_form=form)


@login_required
@require_POST
def two_reviewers(request, pk: int):
    """A lead moderator requires two reviewers to agree (and may assign one more)."""
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    if not request.user.is_lead_moderator:
        raise PermissionDenied
    form = TwoReviewersForm(request.POST)
    if form.is_valid():
        try:
            assignment.revision_two_reviewers_set(
                practice=practice,
                by=request.user,
                required=form.cleaned_data["required"],
                second_reviewer=form.cleaned_data["reviewer"],
            )
            messages.success(request, _("Aturan dua peninjau disimpan."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            _refused(form, exc)
    return _render_detail(request, practice, status=400, two_reviewers_form=form)


@login_required
@require_POST
def archive(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            decisions.practice_archive(
                practice=practice,
                by=request.user,
                reason=form.cleaned_data["reason"],
                stopped=form.cleaned_data["stopped"],
            )
            messages.success(request, _("Praktik diarsipkan."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            _refused(form, exc)
    return _render_detail(request, practice, status=400, archive_form=form)


@login_required
@require_POST
def confirm(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk)
    try:
        decisions.practice_confirm(practice=practice, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Terima kasih, praktik dikonfirmasi masih berjalan."))
    return redirect("notifications:list")
