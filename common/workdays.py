"""Working days, as the review SLA and the statistics count them (Monday to Friday; public holidays are not
modelled yet)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def working_days_between(start, end) -> int:
    """Weekdays after `start` up to and including `end`. Accepts dates or aware datetimes (local dates used)."""
    if isinstance(start, datetime.datetime):
        start = timezone.localdate(start)
    if isinstance(end, datetime.datetime):
        end = timezone.localdate(end)
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days
