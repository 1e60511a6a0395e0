"""Ask the innovator: agency users ask, the owning agency answers, public answers become the practice's FAQ."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.roles import agency_people
from common.cache import public_cache_invalidate_tags
from practices.cache_tags import practice_tag
from practices.models import Practice

from ..access import agency_member_require, question_answer_require, question_ask_require
from ..models import Question
from .replication import _notify

REMINDER_AFTER = datetime.timedelta(days=7)


def _practice_url(practice: Practice) -> str:
    return reverse("ledger:question_list", kwargs={"slug": practice.slug})


@transaction.atomic
def question_ask(*, practice: Practice, by, text: str) -> Question:
    """A member of another agency asks the owning agency a question about a published practice."""
    agency_id = agency_member_require(user=by, message=_("Hanya pengguna instansi yang dapat bertanya."))
    if practice.status != Practice.Status.PUBLISHED:
        raise ValidationError(_("Pertanyaan hanya untuk praktik yang sudah terbit."), code="not_published")
    question_ask_require(user=by, practice=practice)
    if not text.strip():
        raise ValidationError(_("Pertanyaan tidak boleh kosong."), code="empty")
    question = Question(practice=practice, asker=by, asker_agency_id=agency_id, text=text.strip())
    question.full_clean()
    question.save()
    _notify(
        recipients=agency_people(agency_id=practice.agency_id),
        kind="question_asked",
        context={"question_id": question.pk, "practice": practice.title},
        target_url=_practice_url(practice),
    )
    return question


@transaction.atomic
def question_answer(*, question_id: int, by, answer: str, is_public: bool) -> Question:
    """A member of the owning agency answers (or rewrites the answer) and chooses whether it joins the FAQ."""
    question = Question.objects.select_for_update().select_related("practice").get(pk=question_id)
    question_answer_require(
        user=by, practice=question.practice, message=_("Hanya instansi pemilik praktik yang dapat menjawab.")
    )
    if not answer.strip():
        raise ValidationError(_("Jawaban tidak boleh kosong."), code="empty")
    was_public = question.is_public
    question.answer = answer.strip()
    question.answered_by = by
    question.answered_at = question.answered_at or timezone.now()
    question.is_public = is_public
    question.full_clean()
    question.save(update_fields=["answer", "answered_by", "answered_at", "is_public"])
    if was_public or is_public:
        public_cache_invalidate_tags([practice_tag(question.practice.slug)])  # the practice page's FAQ
    _notify(
        recipients=[question.asker] if question.asker_id else [],
        kind="question_answered",
        context={"question_id": question.pk, "practice": question.practice.title},
        target_url=_practice_url(question.practice),
    )
    return question


@transaction.atomic
def question_set_public(*, question_id: int, by, is_public: bool) -> Question:
    """The owning agency shows or hides an answered question in the FAQ."""
    question = Question.objects.select_for_update().select_related("practice").get(pk=question_id)
    question_answer_require(
        user=by, practice=question.practice, message=_("Hanya instansi pemilik praktik yang dapat mengatur FAQ.")
    )
    if is_public and question.answered_at is None:
        raise ValidationError(_("Jawab pertanyaan dulu sebelum menampilkannya."), code="unanswered")
    question.is_public = is_public
    question.save(update_fields=["is_public"])
    public_cache_invalidate_tags([practice_tag(question.practice.slug)])  # the practice page's FAQ
    return question


def questions_remind_unanswered(*, now: datetime.datetime | None = None) -> int:
    """Remind owning agencies once about each question unanswered for 7 days. Returns how many were reminded.

    Each question is claimed under a row lock (skip_locked) and stamped `reminded_at` in the same
    transaction as the reminder, so overlapping beat runs or a retried task never remind twice.
    """
    now = now or timezone.now()
    reminded = 0
    pending = Question.objects.filter(
        answered_at__isnull=True, reminded_at__isnull=True, created_at__lte=now - REMINDER_AFTER
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            question = (
                Question.objects.select_for_update(skip_locked=True)
                .select_related("practice")
                .filter(pk=pk, answered_at__isnull=True, reminded_at__isnull=True)
                .first()
            )
            if question is None:
                continue
            question.reminded_at = now
            question.save(update_fields=["reminded_at"])
            _notify(
                recipients=agency_people(agency_id=question.practice.agency_id),
                kind="question_reminder",
                context={"question_id": question.pk, "practice": question.practice.title},
                target_url=_practice_url(question.practice),
            )
            reminded += 1
    return reminded
