"""Demo English versions (issue #17): two published practices with a verified translation, one with a draft.

`demo_translations()` writes them the way people would: the agency's or the ministry's translator saves the
English text (`translation_save`), and a moderator verifies it (`translation_verify`). Run it after every step
that publishes a new revision of these practices (the demo covers do): a translation belongs to the live
revision. Idempotent: a practice that already has an English version is left alone.
"""

from __future__ import annotations

from accounts.models import User
from practices.models import Practice, PracticeTranslation
from practices.services.translations import translation_save, translation_verify

_PROBLEM = "Previously the service was slow and its data were scattered."
_APPROACH = "A cross-unit team designed a new workflow, tested it in a few locations and then rolled it out."
_IMPACT = "Indicator results are monitored every semester and published."

# slug, verified?, English title, English summary (the narrative follows the Indonesian demo text).
DEMO_TRANSLATIONS = [
    (
        "contoh-data-desa-kemiskinan",
        True,
        "Example: Poverty reduction based on village data",
        "Villages update the data of poor households every month, so that assistance reaches the right people.",
    ),
    (
        "contoh-mal-pelayanan-publik",
        True,
        "Example: A provincial public service mall",
        "Services of 30 agencies in one building, with an online queue.",
    ),
    (
        "contoh-perizinan-usaha-sehari",
        False,
        "Example: Business licences issued in one day",
        "Micro-business licences are processed online and issued within one working day.",
    ),
]


def demo_translations() -> list[str]:
    """Write the demo translations; returns the slugs of the practices given one now."""
    moderator = User.objects.filter(email="moderator@demo.rbx.go.id").first()
    done = []
    for slug, verified, title, summary in DEMO_TRANSLATIONS:
        practice = Practice.objects.published().select_related("live_revision").filter(slug=slug).first()
        if practice is None or PracticeTranslation.objects.filter(practice=practice, language="en").exists():
            continue
        revision = practice.live_revision
        fields = {"title": title, "summary": summary}
        # Only the fields the Indonesian text has: an empty English field is read in Indonesian.
        for name, english in (("problem", f"{summary} {_PROBLEM}"), ("approach", _APPROACH), ("impact", _IMPACT)):
            if getattr(revision, name):
                fields[name] = english
        translation_save(practice_id=practice.pk, language="en", fields=fields, by=moderator)
        if verified and moderator is not None:
            translation_verify(practice_id=practice.pk, language="en", by=moderator)
        done.append(slug)
    return done
