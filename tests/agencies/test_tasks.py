import pytest

from agencies.models import Agency
from agencies.tasks import reference_data_refresh


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reference_refresh_runs_on_a_real_worker_through_redis(celery_worker):
    Agency.objects.filter(code="35.78").update(name="Nama Lama")
    result = reference_data_refresh.delay()
    # No result backend: the database is the source of truth, so wait for the effect there.
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Agency.objects.get(code="35.78").name == "Pemerintah Kota Surabaya":
            break
        time.sleep(0.1)
    assert Agency.objects.get(code="35.78").name == "Pemerintah Kota Surabaya", result.id
