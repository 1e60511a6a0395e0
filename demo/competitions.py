"""Demo calls (sample content, marked "Contoh"), through the competitions' services, up to the finalists:

- "KIPP 2025": entries of several agencies, closed, two stages scored by the demo moderator, the lead and a sample
  expert, and decided (the last stage's advanced entries are the finalists-to-be);
- "RBXperience 2026: RB Tematik kemiskinan": the same, on the poverty theme.

`demo_calls_build()` returns the two calls (KIPP 2025 first) for `demo.competitions_results`, which announces the
finalists, opens the window and finishes KIPP 2025. A call is published with a future deadline (the services
refuse a past one), entered, and then its dates are moved into the past by a direct update: sample data only.
Idempotent: a call that exists (by slug) is returned as it is.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_ensure
from agencies.models import Membership
from agencies.roles import roles_for
from agencies.services.memberships import membership_set
from competitions.kipp import KIPP_CRITERIA
from competitions.models import Call, Review, Stage
from competitions.services.calls import call_create, call_publish, calls_close_due
from competitions.services.entries import entry_create
from competitions.services.reviews import call_reviewer_invite, review_submit, reviews_assign_auto
from competitions.services.stages import stage_advance
from practices.models import Practice, Theme
from showcases.models import Expert
from showcases.services.experts import expert_save

EXPERT_EMAIL = "pakar.kompetisi@demo.rbx.go.id"
DEMO_STAGES = [
    {
        "kind": "scoring",
        "name": "Penilaian evaluator (Top 99)",
        "is_scored": True,
        "min_reviews": 2,
        "advance_top_n": 99,
    },
    {"kind": "panel", "name": "Tim Panel Independen", "is_scored": True, "min_reviews": 1, "advance_top_n": 3},
]
CALLS = [
    # slug, title, theme code or None, year offset of the dates, description
    (
        "contoh-kipp-2025",
        "Contoh: KIPP 2025",
        None,
        "Contoh: Kompetisi Inovasi Pelayanan Publik 2025. Data contoh untuk mencoba portal.",
    ),
    (
        "contoh-rbxperience-2026-rb-tematik-kemiskinan",
        "Contoh: RBXperience 2026: RB Tematik kemiskinan",
        "kemiskinan",
        "Contoh: praktik RB Tematik pengentasan kemiskinan yang berdampak nyata. Data contoh.",
    ),
]


def _admin_of(agency, password: str | None) -> User:
    """The agency's admin who enters its practice: an existing one, or a sample admin made for the demo."""
    membership = (
        Membership.objects.active().filter(agency=agency, role=Membership.Role.ADMIN).select_related("user").first()
    )
    if membership is not None:
        return membership.user
    user, _ = user_ensure(
        email=f"admin.{agency.code.replace('.', '-')}@demo.rbx.go.id",
        password=password,
        full_name=f"Contoh: Admin {agency.name}",
    )
    membership_set(user=user, agency=agency, role=Membership.Role.ADMIN)
    return User.objects.get(pk=user.pk)


def _reviewers(lead: User, password: str | None) -> list[User]:
    people = [lead, *User.objects.moderators().exclude(pk=lead.pk).order_by("pk")[:1]]
    if not Expert.objects.filter(user__email=EXPERT_EMAIL).exists():
        expert_save(
            actor=lead,
            email=EXPERT_EMAIL,
            full_name="Contoh: Dr. Laras Pakar (Universitas Gadjah Mada)",
            affiliation="Contoh: Departemen Kebijakan Publik, Universitas Gadjah Mada",
            expertise="Inovasi pelayanan publik",
        )
        if password:
            user_ensure(email=EXPERT_EMAIL, password=password)
    people.append(User.objects.get(email=EXPERT_EMAIL))
    return people


def _practices(theme_code: str | None) -> list[Practice]:
    qs = Practice.objects.filter(status=Practice.Status.PUBLISHED).select_related("agency").order_by("pk")
    if theme_code:
        themed = list(qs.filter(themes__code=theme_code).distinct())
        if len({p.agency_id for p in themed}) >= 3:
            qs = qs.filter(pk__in=[p.pk for p in themed])
    chosen, agencies = [], set()
    for practice in qs:
        if practice.agency_id not in agencies:
            chosen.append(practice)
            agencies.add(practice.agency_id)
        if len(chosen) == 6:
            break
    return chosen


def _score_stage(stage: Stage, order: dict[int, int]) -> None:
    """Every review of the stage submitted: better ranked entries (lower `order`) score higher."""
    criteria = list(stage.call.criteria.order_by("position"))
    for review in Review.objects.filter(stage=stage).select_related("reviewer", "entry"):
        base = Decimal(9) - Decimal(order.get(review.entry_id, 0)) * Decimal("0.7")
        value = max(Decimal(1), min(Decimal(10), base + Decimal(review.reviewer_id % 2) / 2))
        review_submit(
            actor=review.reviewer,
            review_id=review.pk,
            scores={c.pk: value for c in criteria},
            comment_for_author="Contoh: data dampak sudah jelas; perkuat bukti keberlanjutan anggaran.",
            private_note="Contoh: catatan internal penilai.",
        )


def _build(*, slug: str, title: str, theme_code: str | None, description: str, lead: User, password) -> Call:
    now = timezone.now()
    theme = Theme.objects.filter(code=theme_code).first() if theme_code else None
    practices = _practices(theme_code)
    if len(practices) < 2:
        return None
    call = call_create(
        actor=lead,
        title=title,
        description=description,
        themes=[theme] if theme and all(theme in p.themes.all() for p in practices) else [],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        criteria=KIPP_CRITERIA,
        stages=DEMO_STAGES,
    )
    if call.slug != slug:
        Call.objects.filter(pk=call.pk).update(slug=slug)
    call_publish(actor=lead, call_id=call.pk)
    for practice in practices:
        entry_create(actor=_admin_of(practice.agency, password), call_id=call.pk, practice_id=practice.pk)
    Call.objects.filter(pk=call.pk).update(opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30))
    calls_close_due()
    for person in _reviewers(lead, password):
        if not call.reviewers.filter(user=person).exists() and (
            roles_for(person).moderator or person.email == EXPERT_EMAIL
        ):
            call_reviewer_invite(actor=lead, call_id=call.pk, email=person.email)
    order = {}
    for stage in call.stages.order_by("position"):
        stage.refresh_from_db()
        reviews_assign_auto(actor=lead, stage_id=stage.pk)
        order = order or {e.pk: i for i, e in enumerate(call.entries.order_by("pk"))}
        _score_stage(stage, order)
        stage_advance(actor=lead, stage_id=stage.pk, rule="top_n", note="Contoh: keputusan tim penilai.")
    call.refresh_from_db()
    return call


@transaction.atomic
def demo_calls_build(*, password: str | None = None) -> list[Call]:
    """The two demo calls, scored and decided up to their finalists (KIPP 2025 first)."""
    lead = User.objects.moderators(leads_only=True).order_by("pk").first()
    if lead is None:
        return []
    calls = []
    for slug, title, theme_code, description in CALLS:
        call = Call.objects.filter(slug=slug).first() or _build(
            slug=slug, title=title, theme_code=theme_code, description=description, lead=lead, password=password
        )
        if call is not None:
            calls.append(Call.objects.get(pk=call.pk))
    return calls


def load_demo_calls(*, password: str | None = None) -> tuple[str, list[Call]]:
    calls = demo_calls_build(password=password)
    return f"demo calls ready ({', '.join(c.title for c in calls) or 'none'})", calls
