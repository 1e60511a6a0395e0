"""Run inside the fault tests' portal environment (embedded PostgreSQL and Redis), in a subprocess:

    python -m tests.faults.portal_script seed N       users and N complete drafts of Kota Surabaya (JSON out)
    python -m tests.faults.portal_script requeue      the sweeper: queue every pending delivery again
    python -m tests.faults.portal_script counts       practice states and delivery states (JSON out)
    python -m tests.faults.portal_script api-drafts N  an API token for the agency admin and N drafts (JSON out)
    python -m tests.faults.portal_script titles ID...  the working revision's title of each practice (JSON out)
    python -m tests.faults.portal_script followers N  N confirmed email followers of Kota Surabaya

Separate from the test process so that the test's own Django (on the shared test database) never touches the
embedded servers.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rbx_portal.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.db.models import Count, Sum

    from accounts.models import User
    from agencies.models import Agency, Membership
    from notifications.models import Delivery
    from notifications.services.delivery import deliveries_requeue
    from practices.models import Practice
    from practices.services.submission import practice_create
    from tests.practices.factories import revision_complete as complete

    command = argv[0]
    if command == "seed":
        agency = Agency.objects.get(code="35.78")
        admin, created = User.objects.get_or_create(email="admin@fault.go.id", defaults={"full_name": "Admin Uji"})
        if created:  # a new password would end the sessions already logged in
            admin.set_password("fault-pass-2026")
            admin.save()
        Membership.objects.get_or_create(user=admin, agency=agency, defaults={"role": Membership.Role.ADMIN})
        mod, created = User.objects.get_or_create(
            email="moderator@fault.go.id", defaults={"ministry_role": User.MinistryRole.MODERATOR}
        )
        if created:
            mod.set_password("fault-pass-2026")
            mod.save()
        ids = []
        for n in range(int(argv[1])):
            practice = practice_create(agency=agency, by=admin)
            complete(practice, title=f"Praktik uji gangguan {practice.pk} {n}")
            ids.append(practice.pk)
        print(json.dumps({"practices": ids}))
    elif command == "api-drafts":
        # A token for the agency admin and N drafts to PATCH through the API (scenario d).
        from rest_framework.authtoken.models import Token

        admin = User.objects.get(email="admin@fault.go.id")
        token, _ = Token.objects.get_or_create(user=admin)
        drafts = []
        for _n in range(int(argv[1])):
            practice = practice_create(agency=Agency.objects.get(code="35.78"), by=admin)
            drafts.append({"id": practice.pk, "version": practice.working_revision.version})
        print(json.dumps({"token": token.key, "drafts": drafts}))
    elif command == "followers":
        # N people following Kota Surabaya by email (confirmed), for the fan-out scenario (f).
        from django.utils import timezone

        from notifications.models import Follow

        agency = Agency.objects.get(code="35.78")
        start = Follow.objects.count()
        Follow.objects.bulk_create(
            Follow(email=f"warga{start + i}@fault.example", kind="agency", agency=agency, token=f"fault-{start + i}",
                   confirmed_at=timezone.now())
            for i in range(int(argv[1]))
        )  # fmt: skip
        print(json.dumps({"followers": int(argv[1])}))
    elif command == "titles":
        titles = dict(Practice.objects.filter(pk__in=argv[1:]).values_list("pk", "working_revision__title"))
        print(json.dumps({str(k): v for k, v in titles.items()}))
    elif command == "requeue":
        print(json.dumps({"requeued": deliveries_requeue(older_than=timedelta(0))}))
    elif command == "counts":
        states = dict(
            Practice.objects.values_list("working_revision__state")
            .annotate(n=Count("id"))
            .values_list("working_revision__state", "n")
        )
        deliveries = dict(Delivery.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
        keys = list(Delivery.objects.values_list("key", flat=True))
        resends = Delivery.objects.aggregate(n=Sum("resends"))["n"] or 0
        print(json.dumps({"states": states, "deliveries": deliveries, "keys": keys, "resends": resends}))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
