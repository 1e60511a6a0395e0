"""Notification settings per kind group: how a person receives each group (in the portal only, by email at
once, or in a daily or weekly digest). Read by `notify` (and the follower fan-out) for every user recipient."""

from __future__ import annotations

from django.db import transaction

from ..models import DEFAULT_CHANNELS, GROUP_CHANNELS, NotificationSetting


def _check(group: str, channel: str) -> None:
    # Mandatory kinds have no group, so they cannot arrive here; a tampered form or token can.
    if group not in GROUP_CHANNELS:
        raise ValueError(f"unknown notification group {group!r}")
    if channel not in GROUP_CHANNELS[group]:
        raise ValueError(f"channel {channel!r} is not offered for {group!r}")


@transaction.atomic
def notification_setting_set(*, user, group: str, channel: str) -> None:
    """Set one group's channel for the user. Only a choice that differs from the default is stored (a row per
    user and group, unique in the database); choosing the default deletes the row. ValueError for an unknown
    group (mandatory kinds have none) or a channel the group does not offer."""
    _check(group, channel)
    if channel == DEFAULT_CHANNELS[group]:
        NotificationSetting.objects.filter(user=user, group=group).delete()
        return
    NotificationSetting.objects.update_or_create(user=user, group=group, defaults={"channel": channel})


@transaction.atomic
def notification_settings_save(*, user, channels: dict[str, str]) -> None:
    """Save the settings page: every group given (group → channel), each as `notification_setting_set`."""
    for group, channel in channels.items():
        _check(group, channel)
    for group, channel in channels.items():
        notification_setting_set(user=user, group=group, channel=channel)
