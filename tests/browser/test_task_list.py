"""The author's side of a request for changes, in Chromium: the task list flags the section, its page shows the
moderator's comment, and an error sends the person to the summary at the top and from it to the field."""

import pytest

from practices.models import PracticeRevision
from tests.agencies.factories import member
from tests.practices.factories import practice_changes_requested

from .conftest import axe_audit, login_as

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = {
    "id": {"prefix": "/kelola", "section": "bagian", "flag": "Perlu perbaikan", "summary": "Periksa isian berikut"},
    "en": {
        "prefix": "/en/manage",
        "section": "section",
        "flag": "Changes requested",
        "summary": "Please check the following",
    },
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_requested_change_is_flagged_and_shown_and_an_error_leads_to_its_field(new_context, live_server, lang):
    t = TEXT[lang]
    author = member(full_name="Sari Wulandari")
    practice = practice_changes_requested(
        author=author, section_comments={"impact": "Tambahkan capaian tahun 2024 dengan sumber datanya."}
    )
    context = new_context()
    login_as(context, author, live_server.url)
    page = context.new_page()

    # The task list, on any section's page, flags the impact section in words.
    page.goto(f"{t['prefix']}/{practice.pk}/{t['section']}/identity/")
    impact_task = page.locator(".task-list li.task-changes_requested")
    assert impact_task.count() == 1
    assert t["flag"] in impact_task.inner_text()
    assert impact_task.locator("a").get_attribute("href").endswith("/impact/")
    assert page.locator("#changes-heading").count() == 0  # the comment is for another section

    # The section's page shows what the moderator asked, at the top.
    impact_task.locator("a").click()
    page.wait_for_load_state()
    inset = page.locator(".inset-changes")
    assert inset.is_visible()
    assert "Tambahkan capaian tahun 2024" in inset.inner_text() and t["flag"] in inset.inner_text()
    assert inset.bounding_box()["y"] < page.locator("form.form").bounding_box()["y"]

    # A wrong value: the summary comes first, takes the focus, and its link puts the cursor in the field.
    # Two wrong values on the saved indicator: a target year before its baseline year, and no unit.
    page.locator("#id_ind-0-baseline_year").fill("2010")
    page.locator("#id_ind-0-target_year").fill("2000")
    page.locator("#id_ind-0-unit").fill("")
    page.locator("form.form button[type=submit]").first.click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and t["summary"] in summary.inner_text()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    links = summary.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"#id_ind-0-unit", "#id_ind-0-target_year"} <= set(hrefs), hrefs
    summary.locator("a[href='#id_ind-0-unit']").click()
    assert page.evaluate("() => document.activeElement.id") == "id_ind-0-unit"
    assert page.locator("#id_ind-0-baseline_year").input_value() == "2010"  # what was typed is kept
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).indicators.get().unit == "hari"
    violations = axe_audit(page)
    assert not violations, violations
