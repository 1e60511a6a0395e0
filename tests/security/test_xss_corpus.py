"""XSS corpus: every payload of `data/xss_payloads.txt` through every text field, rendered in Chromium.

The payloads go in through the services a form would call (section saves, indicators, attachments, questions
and answers, replication notes and responses, notifications whose subject carries the practice title). The
pages that show those fields are then loaded in Debian's Chromium, logged out and logged in as the right
people. Before any page script runs, `window.__xss` is a trap that counts calls; alert/confirm/prompt
dialogs are counted too. Every page must end with zero executions.

Because the portal's CSP (`script-src 'self'`) would stop most inline payloads even if escaping failed, the
test also checks the DOM itself: no element with an `on*` attribute, no `javascript:`/`data:` link, no inline
or foreign script, frame, object or embed element, and no CSP violation report. So the escaping and
sanitising are tested, not only the CSP.

Chromium runs through its own Playwright in a separate thread (not tests/browser's `page` fixture): the sync
API cannot be started twice in one thread, and the browser tests' session-scoped Playwright may already run in
the same xdist worker.

Long (Markdown and free) text fields receive the whole corpus at once; short fields (titles, names, units,
sources, captions) cycle through it over several practices, each payload cut to the field's length.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership
from ledger.services.questions import question_answer, question_ask
from ledger.services.replication import replication_start, replication_step_respond
from notifications.services.notify import notify
from practices.models import Practice
from practices.services.attachments import attachment_add
from practices.services.notices import notification_context
from practices.services.publishing import practice_publish
from practices.services.submission import revision_section_save
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.browser.conftest import CHROMIUM
from tests.practices.factories import practice_draft

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
CORPUS = "\n\n".join(PAYLOADS)

# (section, field) written with the whole corpus; narrative fields are Markdown, the rest plain text.
LONG_FIELDS = [
    ("identity", "summary"),
    ("problem", "problem"),
    ("problem", "affected"),
    ("approach", "approach"),
    ("approach", "novelty"),
    ("approach", "partners"),
    ("approach", "beneficiaries"),
    ("impact", "impact"),
    ("resources", "regulation"),
    ("resources", "sustainability"),
    ("kit", "success_conditions"),
    ("kit", "replication_steps"),
    ("lessons", "challenges"),
    ("lessons", "failures"),
    ("lessons", "do_differently"),
]
# (section, field, max length) written with one payload each, cycling over the practices.
SHORT_FIELDS = [
    ("identity", "title", 200),
    ("resources", "budget_source", 200),
    ("contact", "contact_name", 150),
    ("contact", "contact_position", 150),
]
INDICATOR_FIELDS = [("name", 200), ("unit", 50), ("source", 200)]
OTHER_FIELDS = [
    "attachment title",
    "attachment file name",
    "question",
    "answer",
    "replication note",
    "replication response",
    "notification subject/body",
]
N_SHORT = len(SHORT_FIELDS) + len(INDICATOR_FIELDS) + 2  # + attachment title and file name
PRACTICES = -(-len(PAYLOADS) // N_SHORT)  # enough practices for every payload to reach a short field

TRAP = """
window.__xssHits = [];
window.__xss = function () { window.__xssHits.push(location.pathname); };
document.addEventListener('securitypolicyviolation', function (e) {
  (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

DOM_CHECK = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase().replace(/[\\s\\u0000-\\u001f]+/g, '');
      if (attr.name.toLowerCase().startsWith('on')) found.push(el.tagName + '[' + attr.name + ']');
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'srcdoc'].includes(
            attr.name.toLowerCase()) && (value.startsWith('javascript:') || value.startsWith('vbscript:')
            || (value.startsWith('data:') && el.tagName !== 'IMG') || attr.name.toLowerCase() === 'srcdoc'))
        found.push(el.tagName + '[' + attr.name + '=' + attr.value.slice(0, 40) + ']');
      if (attr.name.toLowerCase().startsWith('hx-on') || attr.name.toLowerCase().startsWith('data-hx-on'))
        found.push(el.tagName + '[' + attr.name + ']');
    }
    const tag = el.tagName.toLowerCase();
    // The review page's own file previews: a frame of this site's sandboxed preview URL, nothing else.
    const preview = tag === 'iframe' && el.classList.contains('preview-frame') && el.src
      && new URL(el.src).origin === location.origin && /\\/(pratinjau|preview)\\/$/.test(new URL(el.src).pathname);
    if (['iframe', 'object', 'embed', 'base', 'frame', 'frameset', 'meta'].includes(tag) && !preview &&
        !(tag === 'meta' && !el.getAttribute('http-equiv'))) found.push(tag);
    // A JSON-LD data block (schema.org on practice pages) is never run; it must still be JSON only.
    const dataBlock = tag === 'script' && !el.src && el.type === 'application/ld+json';
    if (dataBlock) { try { JSON.parse(el.textContent); } catch (e) { found.push('broken JSON-LD'); } }
    const ownScript = el.src && new URL(el.src).origin === location.origin;
    if (tag === 'script' && !dataBlock && !ownScript) found.push('inline script');
  }
  return found;
}"""


def _payloads_cycle():
    return itertools.cycle(PAYLOADS)


def _build_world():
    author = member("35.78", email="penulis@xss.go.id")
    admin = member("35.78", role=Membership.Role.ADMIN, email="admin@xss.go.id")
    other = member("32.04", email="penanya@xss.go.id")
    mod = moderator(email="moderator@xss.go.id")
    cycle = _payloads_cycle()
    practices = []
    placements = 0
    for _ in range(PRACTICES):
        practice = practice_draft(by=author)
        version = practice.working_revision.version
        by_section: dict[str, dict] = {}
        for section, field in LONG_FIELDS:
            by_section.setdefault(section, {})[field] = CORPUS
            placements += len(PAYLOADS)
        for section, field, limit in SHORT_FIELDS:
            by_section.setdefault(section, {})[field] = next(cycle)[:limit]
            placements += 1
        for section, data in by_section.items():
            extra = {}
            if section == "impact":
                indicator = practice.working_revision.indicators.first()
                row = {"id": indicator.pk, "baseline_value": 14, "target_value": 2}
                row.update({name: next(cycle)[:limit] for name, limit in INDICATOR_FIELDS})
                placements += len(INDICATOR_FIELDS)
                extra["indicators"] = [row]
            revision = revision_section_save(
                practice_id=practice.pk, section=section, version=version, data=data, by=author, **extra
            )
            version = revision.version
        attachment_add(
            practice_id=practice.pk,
            uploaded=SimpleUploadedFile(next(cycle)[:200].replace("/", "_") or "x", b"%PDF-1.4\n%%EOF\n"),
            by=author,
            title=next(cycle)[:200],
        )
        placements += 2
        practice = Practice.objects.select_related("agency", "working_revision").get(pk=practice.pk)
        practice = practice_publish(practice=practice, revision=practice.working_revision)
        notify(
            recipients=[author, admin],
            kind="published",
            context=notification_context(practice=practice, revision=practice.working_revision, comment=CORPUS[:2000]),
            target_url=reverse("practices:detail", kwargs={"slug": practice.slug}),
        )
        placements += len(PAYLOADS)
        practices.append(practice)

    first = practices[0]
    for start in range(0, len(PAYLOADS), 15):
        chunk = "\n".join(PAYLOADS[start : start + 15])[:2000]
        question = question_ask(practice=first, by=other, text=chunk)
        question_answer(question_id=question.pk, by=author, answer=chunk, is_public=True)
    replication = replication_start(source=first, by=other, date=datetime.date(2025, 2, 1), note=CORPUS)
    replication_step_respond(step_id=replication.steps.first().pk, by=author, response=CORPUS)
    placements += 4 * len(PAYLOADS)
    return {"author": author, "admin": admin, "other": other, "mod": mod}, practices, placements


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _visit_all(base_url: str, visits: list[tuple[str | None, str, str]]) -> dict:
    """Load each (session cookie or None, label, url) in Chromium and report what ran or could have.

    Runs in its own thread with its own Playwright: the sync API cannot start a second time in a thread where
    tests/browser's session-scoped Playwright may already be running (same xdist worker).
    """
    from playwright.sync_api import sync_playwright

    report = {"executed": 0, "visited": 0, "problems": {}, "statuses": {}, "first_main_text": ""}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        context.add_init_script(TRAP)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
        current = object()
        for cookie, label, url in visits:
            if cookie != current:
                context.clear_cookies()
                if cookie:
                    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])
                current = cookie
            before = len(dialogs)
            response = page.goto(url, wait_until="load")
            report["statuses"][f"{url} ({label})"] = response.status
            page.mouse.move(200, 300)  # give hover handlers a chance
            page.keyboard.press("Tab")  # and focus handlers
            page.wait_for_timeout(50)
            hits = page.evaluate("() => window.__xssHits.length")
            found = page.evaluate(DOM_CHECK)
            violations = page.evaluate("() => window.__cspViolations || []")
            report["executed"] += hits + len(dialogs) - before
            if hits or found or violations or len(dialogs) > before:
                report["problems"][f"{url} ({label})"] = [hits, dialogs[before:], found[:5], violations[:5]]
            report["visited"] += 1
        context.clear_cookies()
        page.goto(visits[-1][2])
        report["first_main_text"] = page.inner_text("main")
        browser.close()
    return report


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_xss_corpus_never_executes(live_server, record_figure):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)")
    people, practices, placements = _build_world()
    first = practices[0]
    agency = Agency.objects.get(code="35.78")
    public_pages = [reverse("home"), reverse("practices:list"), reverse("practices:list") + "?q=script+xss"]
    public_pages += [reverse("practices:detail", kwargs={"slug": p.slug}) for p in practices]
    public_pages += [
        reverse("practices:theme", kwargs={"code": "kemiskinan"}),
        reverse("agencies:detail", kwargs={"slug": agency.slug}),
        reverse("ledger:replication_list", kwargs={"slug": first.slug}),
        reverse("ledger:question_list", kwargs={"slug": first.slug}),
    ]
    sections = ["identity", "problem", "approach", "impact", "resources", "kit", "lessons", "contact"]
    as_author = [reverse("manage:section", kwargs={"pk": first.pk, "section": s}) for s in sections]
    as_author += [
        reverse("manage:list"),
        reverse("manage:attachments", kwargs={"pk": first.pk}),
        reverse("manage:compare", kwargs={"pk": first.pk}),
        reverse("manage:submit", kwargs={"pk": first.pk}),
        reverse("notifications:list"),
        reverse("ledger:question_list", kwargs={"slug": first.slug}),
        reverse("ledger:replication_list", kwargs={"slug": first.slug}),
        reverse("practices:detail", kwargs={"slug": first.slug}),
    ]
    as_other = [
        reverse("ledger:question_list", kwargs={"slug": first.slug}),
        reverse("ledger:replication_list", kwargs={"slug": first.slug}),
    ]
    as_moderator = [
        reverse("review:detail", kwargs={"pk": first.pk}),
        reverse("manage:compare", kwargs={"pk": first.pk}),
    ]
    as_admin = [reverse("review:detail", kwargs={"pk": first.pk}), reverse("notifications:list")]

    visits = []
    for user, urls in [
        (None, public_pages),
        (people["author"], as_author),
        (people["other"], as_other),
        (people["mod"], as_moderator),
        (people["admin"], as_admin),
    ]:
        cookie = _session_cookie(user) if user else None
        visits += [(cookie, user.email if user else "public", url) for url in urls]
    visits.append((None, "public", reverse("practices:detail", kwargs={"slug": first.slug})))

    outcome: dict = {}

    def run():
        try:
            outcome["report"] = _visit_all(live_server.url, visits)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(600)
    if "error" in outcome:
        raise outcome["error"]
    report = outcome["report"]
    bad_status = {page: status for page, status in report["statuses"].items() if status != 200}
    assert not bad_status, bad_status
    executed, visited, problems = report["executed"], report["visited"], report["problems"]

    fields = len(LONG_FIELDS) + len(SHORT_FIELDS) + len(INDICATOR_FIELDS) + len(OTHER_FIELDS)
    figures = {
        "payloads": len(PAYLOADS),
        "fields": fields,
        "placements": placements,
        "pages": visited,
        "executed": executed,
    }
    print(f"\nXSS corpus: {figures}")
    assert len(PAYLOADS) >= 100
    # The payloads really reached the pages (escaped): the detail page shows a title's text literally.
    assert PAYLOADS[0][:30] in report["first_main_text"]
    assert executed == 0 and not problems, problems
    record_figure("xss", figures)
