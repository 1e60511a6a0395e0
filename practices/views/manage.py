"""The management area ("Praktik saya"): agency staff create, edit section by section, attach and submit.

Every view reaches the practice through `practices.access` (404 for anyone who may not see or edit it) and
writes through one service; forms re-render with everything typed on any error, including a version conflict.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.forms import error_text, form_error_add
from common.ratelimit import ratelimit

from ..access import agency_membership_get, attachment_get_for_user, practice_get_for_editing, practice_get_for_user
from ..completeness import revision_missing_items
from ..forms.manage import (
    AttachmentForm,
    IndicatorFormSet,
    IndicatorValueFormSet,
    SubmitForm,
    formset_rows,
    section_form_class,
)
from ..models import IndicatorValue, PracticeRevision
from ..sections import SECTIONS
from ..selectors.manage import (
    practice_attachment_list,
    practice_list_for_agency,
    practice_similar_list,
    revision_answers,
    revision_compare,
    revision_moderator_comment,
    revision_section_values,
    revision_task_list,
)
from ..services.attachments import AttachmentRefused, attachment_add, attachment_delete
from ..services.submission import (
    EDITABLE_STATES,
    SECTION_FIELDS,
    RevisionVersionConflict,
    SubmissionIncomplete,
    practice_create,
    practice_submit,
    revision_section_save,
    revision_start_from_live,
    submission_destination,
)

SECTION_LABELS = dict(SECTIONS)
SECTION_KEYS = [key for key, _label in SECTIONS]


def _field_url(practice, *, section: str, field: str) -> str:
    """The section page at the field to fill ("#id_title", or the indicator's fieldset "#indicator-7")."""
    url = reverse("manage:section", kwargs={"pk": practice.pk, "section": section})
    return url + (f"#{field}" if field.startswith("indicator") else f"#id_{field}")


@login_required
@require_GET
def practice_list(request):
    membership = agency_membership_get(user=request.user)
    return render(
        request,
        "practices/manage/practice_list.html",
        {"membership": membership, "practices": practice_list_for_agency(agency_id=membership.agency_id)},
    )


@login_required
@require_POST
def practice_new(request):
    membership = agency_membership_get(user=request.user)
    practice = practice_create(agency=membership.agency, by=request.user)
    messages.success(request, _("Draf praktik baru dibuat. Isi dan simpan bagian demi bagian."))
    return redirect("manage:section", pk=practice.pk, section="identity")


def _impact_formsets(request, revision, *, bound: bool):
    indicators = revision.indicators.all()
    if bound:
        return (
            IndicatorFormSet(request.POST, prefix="ind"),
            IndicatorValueFormSet(request.POST, prefix="val", form_kwargs={"indicators": indicators}),
        )
    indicator_rows = [{"id": i.pk, **{f: getattr(i, f) for f in IndicatorFormSet.form.Meta.fields}} for i in indicators]
    value_rows = [
        {
            "id": v.pk,
            "indicator": v.indicator_id,
            "value": v.value,
            "date": v.date,
            "source": v.source,
            "evidence_url": v.evidence_url,
        }
        for v in revision_values(revision)
    ]
    return (
        IndicatorFormSet(initial=indicator_rows, prefix="ind"),
        IndicatorValueFormSet(initial=value_rows, prefix="val", form_kwargs={"indicators": indicators}),
    )


def revision_values(revision):
    return IndicatorValue.objects.filter(indicator__revision=revision).select_related("indicator")


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="section-save", rate="120/h", methods=["POST"])
def section_edit(request, pk: int, section: str):
    practice = practice_get_for_editing(user=request.user, pk=pk)
    if section not in SECTION_FIELDS:
        raise Http404
    revision = practice.working_revision
    form_class = section_form_class(section)
    editable = revision.state in EDITABLE_STATES
    conflict_values = None
    indicator_formset = value_formset = None

    if request.method == "POST":
        form = form_class(
            request.POST, instance=PracticeRevision.objects.get(pk=revision.pk), agency_id=practice.agency_id
        )
        if section == "impact":
            indicator_formset, value_formset = _impact_formsets(request, revision, bound=True)
        formsets_valid = section != "impact" or (indicator_formset.is_valid() and value_formset.is_valid())
        if form.is_valid() and formsets_valid:
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                revision_section_save(
                    practice_id=practice.pk,
                    section=section,
                    version=form.cleaned_data["version"],
                    data=data,
                    by=request.user,
                    indicators=formset_rows(indicator_formset) if indicator_formset else None,
                    values=formset_rows(value_formset) if value_formset else None,
                )
            except RevisionVersionConflict as exc:
                # Keep everything typed; point the hidden version at the latest save so that the next save,
                # after the person merged by hand, is accepted.
                latest = PracticeRevision.objects.get(pk=revision.pk)
                conflict_values = revision_section_values(revision=latest, section=section)
                post = request.POST.copy()
                post["version"] = str(exc.current_version)
                form = form_class(post, instance=latest, agency_id=practice.agency_id)
                form.is_valid()
                form.add_error(None, exc)
            except ValidationError as exc:
                form_error_add(form, exc)
            else:
                messages.success(
                    request, _("Bagian “%(section)s” tersimpan sebagai draf.") % {"section": SECTION_LABELS[section]}
                )
                next_section = request.POST.get("next_section")
                if next_section in SECTION_KEYS:
                    return redirect("manage:section", pk=practice.pk, section=next_section)
                return redirect("manage:section", pk=practice.pk, section=section)
    else:
        form = form_class(instance=revision, initial={"version": revision.version}, agency_id=practice.agency_id)
        if section == "impact":
            indicator_formset, value_formset = _impact_formsets(request, revision, bound=False)

    index = SECTION_KEYS.index(section)
    tasks = revision_task_list(revision=revision)  # the saved state: a refused POST changed only its own copy
    return render(
        request,
        "practices/manage/section_form.html",
        {
            "practice": practice,
            "revision": revision,
            "section": section,
            "section_label": SECTION_LABELS[section],
            "tasks": tasks,
            "task": tasks[index],
            "next_section": SECTION_KEYS[index + 1] if index + 1 < len(SECTION_KEYS) else None,
            "form": form,
            "indicator_formset": indicator_formset,
            "value_formset": value_formset,
            "editable": editable,
            "conflict_values": conflict_values,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="practice-submit", rate="20/h", methods=["POST"])
def practice_submit_view(request, pk: int):
    practice = practice_get_for_editing(user=request.user, pk=pk)
    revision = practice.working_revision
    similar = practice_similar_list(practice=practice, revision=revision)
    form = SubmitForm(request.POST or None)
    missing = revision_missing_items(revision)
    if request.method == "POST" and form.is_valid():
        try:
            revision = practice_submit(practice_id=practice.pk, by=request.user)
        except SubmissionIncomplete as exc:
            missing = exc.missing
            form.add_error(None, _("Praktik belum lengkap. Lengkapi dulu isian yang disebut di bawah."))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(
                request,
                _("Praktik diajukan. Status sekarang: %(state)s.") % {"state": revision.get_state_display()},
            )
            return redirect("manage:list")
    tasks = revision_task_list(revision=revision)
    return render(
        request,
        "practices/manage/submit.html",
        {
            "practice": practice,
            "revision": revision,
            "tasks": tasks,
            "answers": revision_answers(revision=revision, tasks=tasks),
            "moderator_comment": revision_moderator_comment(revision=revision),
            "destination": submission_destination(practice=practice, user=request.user),
            "missing": [
                {
                    "item": item,
                    "section_label": SECTION_LABELS[item.section],
                    "url": _field_url(practice, section=item.section, field=item.field),
                }
                for item in missing
            ],
            "similar": similar,
            "form": form,
            "can_submit": revision.state in EDITABLE_STATES,
        },
    )


@login_required
@require_POST
def revision_new(request, pk: int):
    practice = practice_get_for_editing(user=request.user, pk=pk)
    try:
        revision_start_from_live(practice_id=practice.pk, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("manage:list")
    messages.success(
        request, _("Revisi baru dibuat dari versi terbit. Versi terbit tetap tampil sampai revisi ini disetujui.")
    )
    return redirect("manage:section", pk=practice.pk, section="identity")


@login_required
@require_GET
def revision_compare_view(request, pk: int):
    # Read access is enough: moderators may compare the revisions of a practice they review.
    practice = practice_get_for_user(user=request.user, pk=pk)
    revisions = list(practice.revisions.order_by("number"))
    by_number = {r.number: r for r in revisions}

    def pick(key, default):
        try:
            return by_number[int(request.GET.get(key, default))]
        except (TypeError, ValueError, KeyError):
            return by_number.get(default)

    last = revisions[-1].number if revisions else 1
    a = pick("a", max(1, last - 1))
    b = pick("b", last)
    return render(
        request,
        "practices/manage/compare.html",
        {
            "practice": practice,
            "revisions": revisions,
            "a": a,
            "b": b,
            "sections": revision_compare(a=a, b=b) if a and b else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="attachment-upload", rate="60/h", methods=["POST"])
def attachment_list(request, pk: int):
    practice = practice_get_for_editing(user=request.user, pk=pk)
    revision = practice.working_revision
    indicators = revision.indicators.all()
    form = AttachmentForm(request.POST or None, request.FILES or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = attachment_add(
                practice_id=practice.pk,
                uploaded=form.cleaned_data["file"],
                by=request.user,
                purpose=form.cleaned_data["purpose"],
                title=form.cleaned_data["title"],
                alt_text=form.cleaned_data["alt_text"],
                indicator_id=form.cleaned_data["indicator"].pk if form.cleaned_data["indicator"] else None,
            )
        except AttachmentRefused as exc:
            form_error_add(form, exc, field="alt_text" if exc.code == "alt_text" else "file")
        else:
            messages.success(request, _("Lampiran “%(name)s” tersimpan.") % {"name": attachment.original_name})
            return redirect("manage:attachments", pk=practice.pk)
    return render(
        request,
        "practices/manage/attachments.html",
        {
            "practice": practice,
            "revision": revision,
            "attachments": practice_attachment_list(practice=practice),
            "tasks": revision_task_list(revision=revision),
            "form": form,
            "editable": revision.state in EDITABLE_STATES,
        },
    )


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_pk: int):
    practice = practice_get_for_editing(user=request.user, pk=pk)
    try:
        attachment_delete(attachment_id=attachment_pk, practice_id=practice.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Lampiran dihapus."))
    return redirect("manage:attachments", pk=practice.pk)


@require_GET
def attachment_download(request, attachment_pk: int):
    """Serve a file as a download, never inline, with the type decided at upload time."""
    attachment = attachment_get_for_user(user=request.user, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if attachment.practice.status != attachment.practice.Status.PUBLISHED:
        response["Cache-Control"] = "private, no-store"
    return response
