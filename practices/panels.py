"""Panels that apps above `practices` add to its public pages, without practices importing them.

An app registers a panel in its `AppConfig.ready()`:

    panel_register(slot="practice", name="showcases.notes", template="showcases/_notes_panel.html",
                   context=lambda *, request, practice: {...} or None)

and the page's view renders `panels_for(slot=..., request=request, **objects)`: each panel's template with its
context as `data`, in `order`. A context function returning None shows nothing. Slots: "home" (the home page;
no objects) and "practice" (a practice's page; `practice=`). Each panel adds the queries of its context
function to the page's budget (tests/practices/test_public_pages.py): keep it to one, and remember that the
page is cached for anonymous visitors (`common.cache`), so a panel whose data changes must bump the version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = ("home", "practice")


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100


@dataclass(frozen=True)
class PanelShown:
    name: str
    template: str
    data: dict


_panels: dict[str, dict[str, Panel]] = {slot: {} for slot in SLOTS}


def panel_register(*, slot: str, name: str, template: str, context: Callable[..., dict | None], order: int = 100):
    """Add (or, under the same name, replace) a panel of `slot`."""
    if slot not in _panels:
        raise ValueError(f"unknown panel slot {slot!r}; one of {SLOTS}")
    _panels[slot][name] = Panel(name=name, template=template, context=context, order=order)


def panels_for(*, slot: str, request, **objects) -> list[PanelShown]:
    """The panels of `slot` that have something to show, in order."""
    shown = []
    for panel in sorted(_panels[slot].values(), key=lambda p: (p.order, p.name)):
        data = panel.context(request=request, **objects)
        if data is not None:
            shown.append(PanelShown(name=panel.name, template=panel.template, data=data))
    return shown
