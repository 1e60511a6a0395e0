"""Receivers of the signals of the apps below practices (connected in `PracticesConfig.ready`).

An agency or a region renamed (in the admin, by the reference load, anywhere): its practices must be found by
the new name, so their search vectors are rewritten by a task queued after the commit. The same for a theme
(practices' own model) whose Indonesian or English name changed.
"""

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from agencies.models import Agency, Region
from common.tasks import enqueue_on_commit

from .models import Theme

REFRESH_TASK = "practices.tasks.practice_search_vectors_refresh"
THEME_REFRESH_TASK = "practices.tasks.theme_search_vectors_refresh"


def _names_may_have_changed(*, created: bool, raw: bool, update_fields, names: set[str]) -> bool:
    # A new row has no practices yet; fixtures (`raw`) are not renames; a save of other columns changes nothing.
    return not created and not raw and (update_fields is None or bool(names & set(update_fields)))


@receiver(post_save, sender=Agency, dispatch_uid="practices.agency_saved")
def agency_saved(sender, *, instance: Agency, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if _names_may_have_changed(
        created=created, raw=raw, update_fields=update_fields, names={"name", "acronym", "region"}
    ):
        enqueue_on_commit(REFRESH_TASK, [instance.pk])


@receiver(post_save, sender=Region, dispatch_uid="practices.region_saved")
def region_saved(sender, *, instance: Region, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if _names_may_have_changed(created=created, raw=raw, update_fields=update_fields, names={"name"}):
        # The region's own government and, for a province, every agency of its regencies and cities.
        agency_ids = list(
            Agency.objects.filter(Q(region=instance) | Q(region__province=instance)).values_list("pk", flat=True)
        )
        if agency_ids:
            enqueue_on_commit(REFRESH_TASK, agency_ids)


@receiver(post_save, sender=Theme, dispatch_uid="practices.theme_saved")
def theme_saved(sender, *, instance: Theme, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if _names_may_have_changed(created=created, raw=raw, update_fields=update_fields, names={"name_id", "name_en"}):
        enqueue_on_commit(THEME_REFRESH_TASK, [instance.pk])
