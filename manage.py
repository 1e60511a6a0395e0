#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rbx_portal.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Django would swallow a settings error here and fail later with "Models aren't loaded yet": say what is
    # missing instead (e.g. SECRET_KEY with DEBUG off, or DATABASE_URL outside `make run`/`make test`).
    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading it loads the settings
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
