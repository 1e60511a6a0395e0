"""A call's results, their publication by the lead, and the export of its entries (COMP-B)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.forms import form_error_add

from ..access import call_get_public, results_can_manage
from ..exports import FORMATS, call_export_response
from ..forms.objections import ResultsPublishForm
from ..models import Entry
from ..selectors.objections import call_finalists, call_winners
from ..services.results import Winner, results_blockers, results_publish


def results(request, slug: str):
    """The public results page: the winners with their awards, the decree and the award collection."""
    call = call_get_public(user=request.user, slug=slug)
    context = {
        "call": call,
        "winners": list(call_winners(call=call)) if call.results_published_at else [],
        "collection": call.winners_collection if call.winners_collection_id else None,
        "can_manage": results_can_manage(user=request.user),
    }
    return render(request, "competitions/results/results.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def results_publish_view(request, slug: str):
    """The lead's form: a rank and an award label per finalist, the decree's number, date and PDF."""
    if not results_can_manage(user=request.user):
        raise Http404
    call = call_get_public(user=request.user, slug=slug)
    finalists = [e for e in call_finalists(call=call) if e.status == Entry.Status.FINALIST]
    blockers = results_blockers(call=call)
    status = 200
    if request.method == "POST":
        form = ResultsPublishForm(request.POST, request.FILES, finalists=finalists)
        status = 400
        if form.is_valid():
            try:
                results_publish(
                    call_id=call.pk,
                    by=request.user,
                    winners=[Winner(entry_id=e, rank=r, label=label) for e, r, label in form.cleaned_data["winners"]],
                    decree_number=form.cleaned_data["decree_number"],
                    decree_date=form.cleaned_data["decree_date"],
                    decree_file=form.cleaned_data["decree_file"],
                    request=request,
                )
            except (ValidationError, PermissionDenied) as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("Hasil diumumkan dan koleksi pemenang diterbitkan."))
                return redirect("competitions:results", slug=call.slug)
    else:
        form = ResultsPublishForm(finalists=finalists)
    context = {"call": call, "form": form, "blockers": blockers}
    return render(request, "competitions/results/publish.html", context, status=status)


def call_export(request, slug: str, fmt: str):
    """A call's entries and results as CSV or XLSX, for everyone (what the public pages show, no more)."""
    if fmt not in FORMATS:
        raise Http404
    call = call_get_public(user=request.user, slug=slug)
    return call_export_response(call=call, fmt=fmt)
