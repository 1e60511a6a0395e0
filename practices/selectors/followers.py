"""What a publish tells the practice's followers: which follows, and the notice they get.

Notifications know nothing of practices (the layers in README): `revision_approve` hands them this when it
records the follower fan-out (`notifications.services.fanout.publish_fanout_create`).
"""

from __future__ import annotations

from notifications.services.notify import stored_path

from ..models import Practice


def practice_follow_targets(*, practice: Practice) -> dict[str, list[int]]:
    """The follow targets whose followers hear of `practice`: its themes, its agency and the agency's province
    (the agency's region when that is a province, else the region's province), as follow kind → ids."""
    agency = practice.agency
    targets = {"theme": list(practice.themes.values_list("pk", flat=True)), "agency": [agency.pk]}
    region = agency.region
    if region is not None:
        targets["province"] = [region.pk if region.province_id is None else region.province_id]
    return targets


def practice_follower_notice(*, practice: Practice) -> dict:
    """The keyword arguments of `publish_fanout_create` besides the practice and revision: the targets, and the
    `follow_published` notification (title, agency, the public page) each follower gets."""
    return {
        "targets": practice_follow_targets(practice=practice),
        "kind": "follow_published",
        "context": {"title": practice.title, "agency": practice.agency.name},
        "target_url": stored_path("practices:detail", practice.slug),
    }
