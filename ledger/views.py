"""Pages of the replication ledger and ask-the-innovator."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import error_text, form_error_add
from practices.access import published_practice_get, user_agency_id
from practices.selectors.translations import practices_shown_text

from . import selectors as ledger_selectors
from .access import (
    question_can_answer,
    question_can_ask,
    question_get_for_user,
    replication_can_act,
    replication_can_start,
    replication_get_for_user,
    replication_mark_practice_get,
)
from .forms import (
    AnswerForm,
    QuestionForm,
    ReplicationAdvanceForm,
    ReplicationMarkForm,
    ReplicationStepForm,
    StepResponseForm,
)
from .models import ReplicationStep
from .services import questions as question_services
from .services import replication as replication_services


def _errors_to_form(form, exc: ValidationError | PermissionDenied) -> None:
    form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))


# Replication ledger --------------------------------------------------------------------------------------------


def _ledger_page(request, practice, *, start_form=None, bound: dict | None = None, status: int = 200):
    """The standalone ledger page; `bound` carries a submitted form with errors back into its slot."""
    bound = bound or {}
    rows = []
    indicators = ledger_selectors.source_indicators(practice=practice)
    for replication in ledger_selectors.replication_list(practice=practice):
        can = replication_can_act(user=request.user, replication=replication)
        advance = None
        if can["advance"]:
            advance = bound.get(("advance", replication.pk)) or ReplicationAdvanceForm(
                replication=replication, indicators=indicators
            )
        steps = []
        for step in replication.steps.all():
            respond = None
            if can["respond"]:
                respond = bound.get(("respond", step.pk)) or StepResponseForm(step_id=step.pk)
            steps.append({"step": step, "respond_form": respond})
        rows.append({"replication": replication, "can": can, "advance_form": advance, "steps": steps})
    agency_id = user_agency_id(user=request.user)
    can_start = replication_can_start(user=request.user, source=practice) and not any(
        r["replication"].agency_id == agency_id for r in rows
    )
    ancestors, tree = ledger_selectors.practice_lineage(practice=practice)
    # Titles in the reader's language (one query on /en/, none in Indonesian).
    practices_shown_text([practice, *ancestors, *_lineage_practices(tree)])
    context = {
        "practice": practice,
        "rows": rows,
        "can_start": can_start,
        "start_form": start_form or (ReplicationStepForm(prefix_id="start") if can_start else None),
        "ancestors": ancestors,
        "tree": tree,
    }
    return render(request, "ledger/replication_list.html", context, status=status)


def _lineage_practices(node):
    yield node.practice
    for _replication, child in node.replications:
        if child is not None:
            yield from _lineage_practices(child)


@require_http_methods(["GET", "POST"])
def replication_list(request, slug):
    practice = published_practice_get(slug=slug)
    if request.method == "GET":
        return _ledger_page(request, practice)
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?next={request.path}")
    form = ReplicationStepForm(request.POST, prefix_id="start")
    if form.is_valid():
        try:
            replication_services.replication_start(source=practice, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Replikasi dicatat. Instansi pemilik praktik diberi tahu."))
            return redirect("ledger:replication_list", slug=practice.slug)
    return _ledger_page(request, practice, start_form=form, status=400)


@login_required
@require_POST
def replication_advance(request, pk):
    replication = replication_get_for_user(user=request.user, pk=pk)
    indicators = ledger_selectors.source_indicators(practice=replication.source)
    form = ReplicationAdvanceForm(request.POST, replication=replication, indicators=indicators)
    if form.is_valid():
        try:
            data = form.cleaned_data
            replication_services.replication_advance(
                replication_id=replication.pk,
                by=request.user,
                to_stage=data["stage"],
                date=data["date"],
                note=data["note"],
                evidence_url=data["evidence_url"],
                results=form.results(),
                skip_reason=data["skip_reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Tahap replikasi dicatat."))
            return redirect("ledger:replication_list", slug=replication.source.slug)
    practice = published_practice_get(slug=replication.source.slug)
    return _ledger_page(request, practice, bound={("advance", replication.pk): form}, status=400)


@login_required
@require_POST
def replication_respond(request, pk, step_pk):
    replication = replication_get_for_user(user=request.user, pk=pk)
    step = ReplicationStep.objects.filter(pk=step_pk, replication=replication).first()
    if step is None:
        raise Http404
    form = StepResponseForm(request.POST, step_id=step.pk)
    if form.is_valid():
        try:
            replication_services.replication_step_respond(
                step_id=step.pk, by=request.user, response=form.cleaned_data["response"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Tanggapan disimpan."))
            return redirect("ledger:replication_list", slug=replication.source.slug)
    practice = published_practice_get(slug=replication.source.slug)
    return _ledger_page(request, practice, bound={("respond", step.pk): form}, status=400)


@login_required
@require_POST
def replication_make_practice(request, pk):
    replication = replication_get_for_user(user=request.user, pk=pk)
    try:
        practice = replication_services.replication_practice_create(replication_id=replication.pk, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("ledger:replication_list", slug=replication.source.slug)
    messages.success(
        request,
        _("Draf praktik “%(title)s” dibuat dari replikasi ini; lengkapi dan ajukan lewat halaman kelola.")
        % {"title": practice.working_revision.title},
    )
    return redirect("ledger:replication_list", slug=replication.source.slug)


@login_required
@require_POST
def replication_mark(request, pk):
    """The submit page's ledger panel: mark the practice as a replication of one of the similar practices."""
    practice = replication_mark_practice_get(user=request.user, pk=pk)
    candidates = ledger_selectors.replication_mark_candidates(practice=practice)
    form = ReplicationMarkForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            replication = replication_services.replication_mark_from_practice(
                practice_id=practice.pk, source_id=form.cleaned_data["source"], by=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(
                request,
                _("Ditandai sebagai replikasi dari “%(title)s”; buku replikasinya mencatat tahap “Diluncurkan”.")
                % {"title": replication.source.title},
            )
            return redirect("manage:submit", pk=practice.pk)
    context = {"practice": practice, "form": form, **ledger_selectors.replication_mark_state(practice=practice)}
    return render(request, "ledger/replication_mark.html", context, status=400)


@login_required
@require_POST
def replication_mark_undo(request, pk):
    practice = replication_mark_practice_get(user=request.user, pk=pk)
    try:
        replication_services.replication_mark_undo(practice_id=practice.pk, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Tanda replikasi dibatalkan."))
    return redirect("manage:submit", pk=practice.pk)


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


# Ask the innovator ---------------------------------------------------------------------------------------------


def _questions_page(request, practice, *, ask_form=None, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    is_owner = question_can_answer(user=request.user, practice=practice)
    questions = []
    for question in ledger_selectors.question_list_for_user(practice=practice, user=request.user):
        form = None
        if is_owner:
            form = bound.get(question.pk) or AnswerForm(
                question_id=question.pk, initial={"answer": question.answer, "is_public": question.is_public}
            )
        questions.append({"question": question, "form": form})
    can_ask = question_can_ask(user=request.user, practice=practice)
    practices_shown_text([practice])
    context = {
        "practice": practice,
        "faq": ledger_selectors.faq_list(practice=practice),
        "questions": questions,
        "is_owner": is_owner,
        "can_ask": can_ask,
        "ask_form": ask_form or (QuestionForm() if can_ask else None),
    }
    return render(request, "ledger/question_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def question_list(request, slug):
    practice = published_practice_get(slug=slug)
    if request.method == "GET":
        return _questions_page(request, practice)
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?next={request.path}")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question_services.question_ask(practice=practice, by=request.user, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Pertanyaan terkirim ke instansi pemilik praktik."))
            return redirect("ledger:question_list", slug=practice.slug)
    return _questions_page(request, practice, ask_form=form, status=400)


@login_required
@require_POST
def question_answer(request, slug, pk):
    question = question_get_for_user(user=request.user, pk=pk)
    if question.practice.slug != slug:
        raise Http404
    form = AnswerForm(request.POST, question_id=question.pk)
    if form.is_valid():
        try:
            question_services.question_answer(question_id=question.pk, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Jawaban disimpan."))
            return redirect("ledger:question_list", slug=slug)
    practice = published_practice_get(slug=slug)
    return _questions_page(request, practice, bound={question.pk: form}, status=400)
