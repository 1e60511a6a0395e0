"""Settings for the test suite: the normal settings, with what must be set before they are read."""

import os

# Tests run with development settings (no SECRET_KEY needed); Django's test runner still forces DEBUG off.
os.environ.setdefault("DEBUG", "true")
# Parallel workers (pytest-xdist) share one Redis: give each its own Celery queue and cache key prefix so a
# worker's Celery consumer never takes another worker's task and cache clears stay local.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["CELERY_QUEUE"] = f"rbx-test-{_worker}"
os.environ["CACHE_KEY_PREFIX"] = f"rbx-test-{_worker}"
# `cache.clear()` in a test empties the whole Redis database (FLUSHDB): each worker's cache gets a database of
# its own, counted from the broker's (broker /0: caches /1, /2, ...; broker /8: /9, /10), so one worker's clear
# never drops another's keys or queued tasks, nor those of a second suite run against another broker database.
# Set for every process, the xdist workers included (they inherit the controller's environment, so a
# "not yet set" guard would give them all the controller's database).
if os.environ.get("REDIS_URL"):
    import re

    _broker = os.environ["REDIS_URL"].split("?")[0]
    _broker_db = re.search(r"/(\d+)$", _broker)
    _db = (int(_broker_db.group(1)) if _broker_db else 0) + 1 + int(re.sub(r"\D", "", _worker) or 0)
    os.environ["CACHE_REDIS_URL"] = re.sub(r"(/\d+)?$", f"/{_db % 16}", _broker, count=1)
_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("MEDIA_ROOT", os.path.join(_root, "var", "test-media", _worker))

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing; tests only
# Moderators without a TOTP device would be sent to enrolment on every page; tests of other features log them in
# with force_login. The 2FA tests (tests/accounts/test_two_factor.py) switch this back on.
ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = False
# The whole suite searches and saves from one address far faster than a person: the views' real rates would
# refuse later tests. tests/security/test_ratelimit_views.py sets small rates and checks the 429s.
RATELIMIT_RATES = {
    key: "100000/m"
    for key in (
        "search",
        "section-save",
        "practice-submit",
        "attachment-upload",
        "password-reset",
        "password-reset-address",
    )
}

# A test changes the published set and asks again at once, sometimes through another process (the Celery
# worker, a gunicorn): every request reads the cache version from Redis. tests/practices/test_bench_tuning.py
# switches the local copy on where it is the subject.
PUBLIC_CACHE_LOCAL_SECONDS = 0.0
