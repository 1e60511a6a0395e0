"""The showcases' panels on the pages of `practices` (registered in `ShowcasesConfig.ready()` through
`practices.panels`): featured collections on the home page; a practice's awards and collections, and its
expert notes, on its page. One query each."""

from __future__ import annotations

from practices.panels import panel_register

from .access import note_can_write
from .selectors import home_collections, practice_expert_notes, practice_showcase


def home_panel(*, request) -> dict | None:
    collections = home_collections()
    return {"collections": collections} if collections else None


def practice_collections_panel(*, request, practice) -> dict | None:
    shown = practice_showcase(practice=practice)
    if not (shown.awards or shown.collections):
        return None
    return {"awards": shown.awards, "collections": shown.collections}


def practice_notes_panel(*, request, practice) -> dict | None:
    notes = practice_expert_notes(practice=practice)
    # Anonymous visitors (the cached page) never cost the expert check.
    can_write = request.user.is_authenticated and note_can_write(user=request.user)
    if not notes and not can_write:
        return None
    return {"practice": practice, "notes": notes, "can_write": can_write}


def panels_register() -> None:
    panel_register(slot="home", name="showcases.collections", template="showcases/_home_panel.html", context=home_panel)
    panel_register(
        slot="practice",
        name="showcases.collections",
        template="showcases/_practice_panel.html",
        context=practice_collections_panel,
        order=10,
    )
    panel_register(
        slot="practice",
        name="showcases.notes",
        template="showcases/_notes_panel.html",
        context=practice_notes_panel,
        order=20,
    )
