"""Review pages: queues, the review page, decisions. Thin: a form validates, one service acts, then redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from agencies.roles import portal_permissions
from common.forms import form_error_add

from ..access import (
    agency_admin_require,
    attachment_get_for_user,
    lead_require,
    moderator_require,
    practice_get_for_user,
    practice_review_actions,
)
from ..forms.review import (
    AgencyDecisionForm,
    ArchiveForm,
    DecisionForm,
    ReassignForm,
    ReviewForm,
    SectionCommentsForm,
    TwoReviewersForm,
)
from ..models import Practice, PracticeRevision, Review
from ..selectors.moderation import (
    agency_review_queue,
    attachment_preview_kind,
    moderation_queue,
    review_guard,
    review_page_data,
)
from ..selectors.translations import translations_awaiting_count
from ..services import agency_review, assignment, decisions

S = PracticeRevision.State


@login_required
def review_index(request):
    if portal_permissions(user=request.user)["review_ministry"]:
        return redirect("review:queue")
    agency_admin_require(user=request.user)
    return redirect("review:agency_queue")


@login_required
def agency_queue(request):
    membership = agency_admin_require(user=request.user)
    practices = agency_review_queue(agency_id=membership.agency_id)
    return render(request, "practices/review/agency_queue.html", {"practices": practices, "agency": membership.agency})


@login_required
def moderator_queue(request):
    moderator_require(user=request.user)
    filterset = moderation_queue(user=request.user, data=request.GET)
    practices = list(filterset.qs) if filterset.is_valid() else []
    # The moderator navigation's count of English versions awaiting verification (views/translation.py).
    context = {"filter": filterset, "practices": practices, "translations_awaiting": translations_awaiting_count()}
    if portal_permissions(user=request.user)["assign"]:
        context["reassign_form"] = ReassignForm(practice_ids=[p.pk for p in practices])
    return render(request, "practices/review/moderator_queue.html", context)


@login_required
@require_POST
def reassign(request):
    lead_require(user=request.user)
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


def _own_review(page: dict, user) -> Review | None:
    return next((row["review"] for row in page["reviews"] if row["review"].reviewer_id == user.pk), None)


def _score_initial(review: Review) -> dict[str, int]:
    return {f"score_{criterion}": score for criterion, score in review.scores.items()}


def _render_detail(request, practice: Practice, *, status: int = 200, **forms):
    """The review page. The review (rubric) and decision parts are one form with one set of section comments,
    each part under its own prefix, so every field id on the page is unique."""
    flags = practice_review_actions(user=request.user, practice=practice)
    page = review_page_data(practice=practice)
    context = {"practice": practice, **page, **flags}
    if flags["can_agency_decide"]:
        context["agency_form"] = forms.get("agency_form") or AgencyDecisionForm()
    if flags["can_decide"]:
        own = _own_review(page, request.user)
        sections = forms.get("sections_form") or SectionCommentsForm(
            initial={f"section_{k}": v for k, v in (own.section_comments if own else {}).items()}
        )
        context["sections_form"] = sections
        context["decision_form"] = forms.get("decision_form") or DecisionForm(
            initial={"evidence_level": practice.evidence_level}, guard=page["guard"], sections=sections
        )
        # The moderator's own assessment, if any, is what the form starts from (one review per reviewer).
        own_initial = (
            {"recommendation": own.recommendation, "comment": own.comment, **_score_initial(own)} if own else None
        )
        context["review_form"] = forms.get("review_form") or ReviewForm(initial=own_initial)
        if flags["can_assign"]:
            context["two_reviewers_form"] = forms.get("two_reviewers_form") or TwoReviewersForm(
                initial={"required": practice.working_revision.two_reviewers_required}
            )
    if flags["can_archive"]:
        context["archive_form"] = forms.get("archive_form") or ArchiveForm()
    return render(request, "practices/review/review_detail.html", context, status=status)


def _refusal_add(form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the fields it names (the publish guard's answers), else above it."""
    if not hasattr(exc, "error_dict"):
        form_error_add(form, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, " ".join(errors))


@login_required
def review_detail(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    return _render_detail(request, practice)


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
            form_error_add(form, exc)
    return _render_detail(request, practice, status=400, agency_form=form)


DECISION_DONE = {
    "approve": _lazy("Praktik disetujui dan diterbitkan."),
    "request_changes": _lazy("Permintaan perbaikan dikirim ke instansi."),
    "reject": _lazy("Praktik ditolak."),
}


@login_required
@require_POST
def decide(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    moderator_require(user=request.user)
    sections = SectionCommentsForm(request.POST)
    form = DecisionForm(request.POST, guard=review_guard(practice=practice), sections=sections)
    if form.is_valid() and sections.is_valid():
        data = form.cleaned_data
        try:
            decisions.revision_decide(
                practice=practice,
                by=request.user,
                decision=data["decision"],
                comment=data["comment"],
                evidence_level=data["evidence_level"],
                section_comments=sections.section_comments(),
                not_duplicate=data.get("not_duplicate", False),
                not_duplicate_reason=data.get("not_duplicate_reason", ""),
            )
        except ValidationError as exc:
            _refusal_add(form, exc)
        else:
            messages.success(request, DECISION_DONE[data["decision"]])
            return redirect("review:detail", pk=practice.pk)
    return _render_detail(request, practice, status=400, decision_form=form, sections_form=sections)


@login_required
@require_POST
def review_submit(request, pk: int):
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    moderator_require(user=request.user)
    sections = SectionCommentsForm(request.POST)
    form = ReviewForm(request.POST)
    if form.is_valid() and sections.is_valid():
        try:
            assignment.review_save(
                practice=practice,
                by=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                section_comments=sections.section_comments(),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Penilaian disimpan."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            form_error_add(form, exc)
    return _render_detail(request, practice, status=400, review_form=form, sections_form=sections)


@login_required
@require_POST
def two_reviewers(request, pk: int):
    """A lead moderator requires two reviewers to agree (and may assign one more)."""
    practice = practice_get_for_user(user=request.user, pk=pk, for_review=True)
    lead_require(user=request.user)
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
            form_error_add(form, exc)
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
            stopped = form.cleaned_data["stopped"]  # a stopped practice stays public (issue #14)
            messages.success(request, _("Praktik ditandai dihentikan.") if stopped else _("Praktik diarsipkan."))
            return redirect("review:detail", pk=practice.pk)
        except ValidationError as exc:
            form_error_add(form, exc)
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


@login_required
@require_GET
@xframe_options_sameorigin
def attachment_preview(request, attachment_pk: int):
    """A file for the review page's preview: PDFs and images inline (in a frame or an <img> of this site only),
    anything else as a download. The access check is the download's (`attachment_get_for_user`); the response
    is sandboxed (no script, no plugin but the browser's PDF viewer, nothing loaded from elsewhere)."""
    attachment = attachment_get_for_user(user=request.user, pk=attachment_pk)
    inline = bool(attachment_preview_kind(attachment))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.original_name, content_type=attachment.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
    )
    response["Cache-Control"] = "private, no-store"
    return response
