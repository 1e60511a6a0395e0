"""Pages of the stages and reviews: the lead's stage page (assignment board, ranking, advance decision), the
reviewer's "Penilaian saya" and scoring form, and a conflict declaration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.forms import error_text, form_error_add

from ..access import review_get_for_reviewer, stage_get_for_lead
from ..forms.reviews import AdvanceForm, AssignForm, ConflictForm, ReviewForm
from ..models import AdvanceDecision, Stage
from ..selectors import reviews as review_selectors
from ..services import reviews as review_services
from ..services import stages as stage_services


def _stage_page(request, stage: Stage, *, assign_form=None, advance_form=None, status: int = 200):
    board = review_selectors.stage_board(stage=stage)
    decision = AdvanceDecision.objects.filter(stage=stage).first()
    rule = AdvanceDecision.Rule.TOP_N if stage.advance_top_n else AdvanceDecision.Rule.MIN_SCORE
    context = {
        "stage": stage,
        "call": stage.call,
        "board": board,
        "ranking": review_selectors.stage_ranking(stage=stage),
        "decision": decision,
        "is_open": stage.status == Stage.Status.OPEN,
        "assign_form": assign_form or AssignForm(entries=board["entries"], reviewers=board["reviewers"]),
        "advance_form": advance_form
        or AdvanceForm(initial={"rule": rule, "top_n": stage.advance_top_n, "min_score": stage.advance_min_score}),
    }
    return render(request, "competitions/reviews/stage_manage.html", context, status=status)


@login_required
@require_GET
def stage_manage(request, pk):
    return _stage_page(request, stage_get_for_lead(user=request.user, pk=pk))


@login_required
@require_POST
def stage_assign(request, pk):
    stage = stage_get_for_lead(user=request.user, pk=pk)
    board = review_selectors.stage_board(stage=stage)
    form = AssignForm(request.POST, entries=board["entries"], reviewers=board["reviewers"])
    if form.is_valid():
        try:
            review_services.review_assign(
                actor=request.user,
                stage_id=stage.pk,
                entry_id=form.cleaned_data["entry"],
                reviewer_id=form.cleaned_data["reviewer"],
            )
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Penilai ditugaskan."))
            return redirect("competitions:stage_manage", pk=stage.pk)
    return _stage_page(request, stage, assign_form=form, status=400)


@login_required
@require_POST
def stage_assign_auto(request, pk):
    stage = stage_get_for_lead(user=request.user, pk=pk)
    try:
        made = review_services.reviews_assign_auto(actor=request.user, stage_id=stage.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(n)s penugasan dibuat.") % {"n": made})
    return redirect("competitions:stage_manage", pk=stage.pk)


@login_required
@require_POST
def stage_advance(request, pk):
    stage = stage_get_for_lead(user=request.user, pk=pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            stage_services.stage_advance(actor=request.user, stage_id=stage.pk, **form.cleaned_data)
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Keputusan kelolosan dicatat; tahap ditutup."))
            return redirect("competitions:stage_manage", pk=stage.pk)
    return _stage_page(request, stage, advance_form=form, status=400)


@login_required
@require_GET
def review_dashboard(request):
    return render(
        request,
        "competitions/reviews/review_dashboard.html",
        {"reviews": review_selectors.reviewer_dashboard(user=request.user)},
    )


def _review_page(request, review, *, form=None, conflict_form=None, status: int = 200):
    stage = review.stage
    criteria = list(stage.call.criteria.order_by("position"))
    if form is None:
        initial = {
            "verdict": review.verdict,
            "comment_for_author": review.comment_for_author,
            "private_note": review.private_note,
        }
        initial.update({f"score_{k}": v for k, v in review_selectors.review_scores(review=review).items()})
        form = ReviewForm(stage=stage, criteria=criteria, initial=initial)
    context = {
        "review": review,
        "stage": stage,
        "entry": review.entry,
        "practice": review.entry.practice,
        "form": form,
        "conflict_form": conflict_form or ConflictForm(),
        "editable": stage.status == Stage.Status.OPEN,
    }
    return render(request, "competitions/reviews/review_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_form(request, pk):
    review = review_get_for_reviewer(user=request.user, pk=pk)
    if request.method == "GET":
        return _review_page(request, review)
    criteria = list(review.stage.call.criteria.order_by("position"))
    form = ReviewForm(request.POST, stage=review.stage, criteria=criteria)
    if form.is_valid():
        try:
            review_services.review_submit(
                actor=request.user,
                review_id=review.pk,
                scores=form.scores() if review.stage.is_scored else None,
                verdict=form.cleaned_data.get("verdict", ""),
                comment_for_author=form.cleaned_data["comment_for_author"],
                private_note=form.cleaned_data["private_note"],
            )
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Penilaian dikirim. Anda masih dapat mengubahnya sampai tahap ditutup."))
            return redirect("competitions:review_dashboard")
    return _review_page(request, review, form=form, status=400)


@login_required
@require_POST
def review_conflict(request, pk):
    review = review_get_for_reviewer(user=request.user, pk=pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        review_services.conflict_declare(actor=request.user, review_id=review.pk, reason=form.cleaned_data["reason"])
        messages.success(request, _("Konflik kepentingan dicatat; penugasan Anda untuk peserta ini dicabut."))
        return redirect("competitions:review_dashboard")
    return _review_page(request, review, conflict_form=form, status=400)
