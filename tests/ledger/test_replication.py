import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agencies.models import Membership
from ledger.models import Replication, ReplicationStep
from ledger.selectors import practice_lineage
from ledger.services import replication as svc
from practices.models import Practice
from tests.accounts.factories import UserFactory
from tests.agencies.factories import member
from tests.i18n import en_url
from tests.practices.factories import published_practice

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 3)


@pytest.fixture
def source():
    return published_practice(agency_code="35.78", slug="surabaya-sapa")  # Kota Surabaya, Jawa Timur


def test_stages_move_forward_only_and_counters_follow(source):
    bandung = member("32.04")
    replication = svc.replication_start(source=source, by=bandung, date=TODAY, note="Tertarik")
    assert replication.stage == "interest"
    svc.replication_advance(replication_id=replication.pk, to_stage="study", by=bandung, date=TODAY)
    source.refresh_from_db()
    assert (source.replication_count, source.provinces_reached) == (0, 0)  # counted from "launched"
    with pytest.raises(ValidationError):
        svc.replication_advance(replication_id=replication.pk, to_stage="interest", by=bandung, date=TODAY)
    with pytest.raises(ValidationError):
        svc.replication_advance(replication_id=replication.pk, to_stage="study", by=bandung, date=TODAY)
    with pytest.raises(ValidationError):  # a jump over "legal basis" needs its reason
        svc.replication_advance(replication_id=replication.pk, to_stage="launched", by=bandung, date=TODAY)
    svc.replication_advance(
        replication_id=replication.pk, to_stage="launched", by=bandung, date=TODAY, skip_reason="Perbup lama berlaku"
    )  # skips one, with its reason
    # A second agency in the same province as the first, and a third in another province.
    svc.replication_advance(
        replication_id=svc.replication_start(source=source, by=member("32.73"), date=TODAY).pk,
        to_stage="launched", by=Membership.objects.get(agency__code="32.73").user, date=TODAY, skip_reason="Uji",
    )  # fmt: skip
    svc.replication_start(source=source, by=member("11"), date=TODAY)  # Aceh, interest only: not counted
    source.refresh_from_db()
    assert (source.replication_count, source.provinces_reached) == (2, 1)
    assert list(ReplicationStep.objects.filter(replication=replication).values_list("stage", flat=True)) == [
        "interest", "study", "launched",
    ]  # fmt: skip


def test_start_permissions(source):
    with pytest.raises(PermissionDenied):
        svc.replication_start(source=source, by=UserFactory(), date=TODAY)  # no agency
    with pytest.raises(PermissionDenied):
        svc.replication_start(source=source, by=member("35.78"), date=TODAY)  # own agency
    bandung = member("32.04")
    svc.replication_start(source=source, by=bandung, date=TODAY)
    with pytest.raises(ValidationError):
        svc.replication_start(source=source, by=member("32.04"), date=TODAY)  # once per agency
    unpublished = Practice.objects.create(agency=source.agency, slug="draf")
    with pytest.raises(ValidationError):
        svc.replication_start(source=unpublished, by=bandung, date=TODAY)


def test_only_replicator_advances_and_only_source_responds(source):
    replication = svc.replication_start(source=source, by=member("32.04"), date=TODAY)
    step = replication.steps.get()
    for outsider in (member("35.78"), member("11")):
        with pytest.raises(PermissionDenied):
            svc.replication_advance(replication_id=replication.pk, to_stage="study", by=outsider, date=TODAY)
    with pytest.raises(PermissionDenied):
        svc.replication_step_respond(step_id=step.pk, by=member("32.04"), response="x")
    svc.replication_step_respond(step_id=step.pk, by=member("35.78"), response="Silakan studi tiru Senin.")
    step.refresh_from_db()
    assert step.response.startswith("Silakan") and step.responded_at is not None


def test_source_agency_is_notified_at_each_stage_through_the_outbox(source):
    from notifications.models import Delivery, Notification

    owner = member("35.78")
    owner.language = "en"
    owner.save(update_fields=["language"])
    bandung = member("32.04")
    replication = svc.replication_start(source=source, by=bandung, date=TODAY)
    svc.replication_advance(replication_id=replication.pk, to_stage="study", by=bandung, date=TODAY)
    sent = Notification.objects.filter(recipient=owner).order_by("id")
    assert [n.kind for n in sent] == ["replication_started", "replication_stage"]
    assert "started replicating" in sent[0].subject  # rendered in the recipient's language
    assert Delivery.objects.filter(notification__in=sent, state=Delivery.State.PENDING).count() == 2
    assert not Notification.objects.filter(recipient=bandung).exists()


def test_lineage_of_a_replication_of_a_replication(source):
    bandung = member("32.04")
    first = svc.replication_start(source=source, by=bandung, date=TODAY)
    with pytest.raises(ValidationError):
        svc.replication_practice_create(replication_id=first.pk, by=bandung)  # not launched yet
    svc.replication_advance(replication_id=first.pk, to_stage="launched", by=bandung, date=TODAY, skip_reason="Uji")
    derived = svc.replication_practice_create(replication_id=first.pk, by=bandung)
    assert derived.source == source and derived.agency.code == "32.04" and derived.status == "unpublished"
    assert source.title in derived.working_revision.title
    # Bandung's practice is published and replicated in turn by Aceh.
    from practices.services.publishing import practice_publish

    practice_publish(practice=derived, revision=derived.working_revision)
    aceh = member("11")
    second = svc.replication_start(source=derived, by=aceh, date=TODAY)

    ancestors, tree = practice_lineage(practice=derived)
    assert ancestors == [source]
    ancestors, tree = practice_lineage(practice=source)
    assert ancestors == []
    ((rep, child),) = tree.replications
    assert rep == first and child.practice == derived
    assert [r for r, _ in child.replications] == [second]


def test_ledger_page_permission_ladder(client, source):
    url = reverse("ledger:replication_list", kwargs={"slug": source.slug})
    data = {"date": "2025-03-03", "note": "Kami tertarik"}
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302 and not Replication.objects.exists()  # anonymous → login
    client.force_login(member("35.78"))
    response = client.post(url, data)  # owner cannot replicate itself
    assert response.status_code == 400 and not Replication.objects.exists()
    assert "Kami tertarik" in response.content.decode()  # what was typed is kept
    client.force_login(member("32.04"))
    assert client.post(url, data).status_code == 302
    replication = Replication.objects.get()
    advance = reverse("ledger:replication_advance", kwargs={"pk": replication.pk})
    assert client.post(advance, {"stage": "study", "date": "2025-03-04"}).status_code == 302
    bad = client.post(advance, {"stage": "interest", "date": "2025-03-04"})
    assert bad.status_code == 400
    client.force_login(member("11"))  # unrelated agency: the replication is not theirs to act on
    assert client.post(advance, {"stage": "launched", "date": "2025-03-04"}).status_code == 404
    replication.refresh_from_db()
    assert replication.stage == "study"
    assert client.get(en_url("ledger:replication_list", slug=source.slug)).status_code == 200


def test_results_stage_records_values_against_the_source_indicators(source, client):
    from decimal import Decimal

    from ledger.models import ReplicationResult
    from practices.models import Indicator

    indicator = Indicator.objects.create(
        revision=source.live_revision, name="Waktu layanan", unit="hari", target_value=Decimal("3")
    )
    other = Indicator.objects.create(revision=source.live_revision, name="Lain", unit="%")
    bandung = member("32.04")
    replication = svc.replication_start(source=source, by=bandung, date=TODAY)
    with pytest.raises(ValidationError):  # only at the results stage
        svc.replication_advance(
            replication_id=replication.pk, to_stage="study", by=bandung, date=TODAY, results={indicator.pk: 1}
        )
    client.force_login(bandung)
    response = client.post(
        reverse("ledger:replication_advance", kwargs={"pk": replication.pk}),
        {"stage": "results", "date": TODAY.isoformat(), f"result_{indicator.pk}": "2.5", "skip_reason": "Langsung"},
    )
    assert response.status_code == 302
    result = ReplicationResult.objects.get()
    assert (result.indicator, result.value, result.step.stage) == (indicator, Decimal("2.5"), "results")
    page = client.get(reverse("ledger:replication_list", kwargs={"slug": source.slug})).content.decode()
    assert "Waktu layanan (hari)" in page and "2,5" in page  # Indonesian decimal comma
    assert not ReplicationResult.objects.filter(indicator=other).exists()


def test_a_replication_makes_stale_only_what_shows_its_source(client, source):
    """Issue #20: a replication step no longer empties the whole page cache. The source's page, its theme's
    and province's lists, the unfiltered list and the home page follow; another theme's list and another
    practice's page stay kept."""
    from common.cache import public_cache_invalidate

    other = published_practice(agency_code="32.04", slug="bandung-data", theme="investasi")
    public_cache_invalidate()
    theme = source.primary_theme.code
    assert theme != "investasi"
    followed = [f"/praktik/{source.slug}/", f"/praktik/?theme={theme}", "/praktik/?province=35", "/praktik/", "/"]
    kept = ["/praktik/?theme=investasi", f"/praktik/{other.slug}/"]
    for url in followed + kept:
        client.get(url)
        assert client.get(url)["X-Cache"] == "hit", url

    bandung = member("32.04")
    replication = svc.replication_start(source=source, by=bandung, date=TODAY)
    page = client.get(f"/praktik/{source.slug}/")
    assert page["X-Cache"] == "miss" and "Kabupaten Bandung" in page.content.decode()
    for url in kept + followed[1:]:  # an interest changes no count: the lists stay kept
        assert client.get(url)["X-Cache"] == "hit", url

    svc.replication_advance(
        replication_id=replication.pk, to_stage="launched", by=bandung, date=TODAY, skip_reason="Perbup lama berlaku"
    )
    for url in kept:
        assert client.get(url)["X-Cache"] == "hit", url
    for url in followed:
        response = client.get(url)
        assert response["X-Cache"] == "miss", url
    assert client.get("/?fresh=1").context["numbers"]["replications"] == 1
