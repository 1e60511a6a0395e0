from decimal import Decimal

import pytest
from django.core.management import call_command

from agencies.models import Agency, RBIndexScore
from agencies.services.rbindex import rb_category, rb_index_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "category"),
    [("0", "D"), ("30", "D"), ("30.01", "C"), ("50", "C"), ("55", "CC"), ("60", "CC"), ("60.5", "B"),
     ("80", "BB"), ("90", "A"), ("90.01", "AA"), ("100", "AA")],
)  # fmt: skip
def test_category_bands(score, category):
    assert rb_category(Decimal(score)) == category


def test_import_good_and_bad_rows():
    text = (
        "kode,tahun,nilai\n"
        "35.78,2024,82.5\n"
        '32.04,2024,"55,25"\n'
        "99.99,2024,70\n"
        "11,2024,101\n"
        "12,2024,-1\n"
        "13,20x4,70\n"
        "14,2024,tujuh\n"
        "35.78,2024,10\n"
    )
    report = rb_index_import(text=text)
    assert (report.created, report.updated) == (2, 0)
    reasons = dict(report.refused)
    assert set(reasons) == {4, 5, 6, 7, 8, 9}
    assert "99.99" in reasons[4] and "0–100" in reasons[5] and "0–100" in reasons[6]
    assert "tahun" in reasons[7] and "angka" in reasons[8] and "duplikat" in reasons[9]
    score = RBIndexScore.objects.get(agency__code="32.04", year=2024)
    assert (score.score, score.category) == (Decimal("55.25"), "CC")


def test_repeated_import_updates_rather_than_duplicates(tmp_path):
    path = tmp_path / "rb.csv"
    path.write_text("35.78,2024,82.5\n35.78,2023,79\n", encoding="utf-8")
    call_command("import_rb_index", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    path.write_text("35.78,2024,91\n35.78,2023,79\n", encoding="utf-8")
    report = rb_index_import(text=path.read_text())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    scores = RBIndexScore.objects.filter(agency=Agency.objects.get(code="35.78")).order_by("year")
    assert [(s.year, s.score, s.category) for s in scores] == [
        (2023, Decimal("79.00"), "BB"),
        (2024, Decimal("91.00"), "AA"),
    ]


def test_admin_upload_reports_refused_rows(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.accounts.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    admin_user.save()
    client.force_login(admin_user)
    upload = SimpleUploadedFile("rb.csv", b"35.78,2024,82.5\nxx,2024,50\n", content_type="text/csv")
    response = client.post("/admin/agencies/rbindexscore/import/", {"file": upload})
    assert response.status_code == 200 and "xx" in response.content.decode()
    assert RBIndexScore.objects.filter(agency__code="35.78", year=2024).exists()
