"""`make bench-300k` gives the second volume a database of its own next to the first (bench/run.py)."""

import pytest

from bench.run import volume_url


@pytest.mark.parametrize(
    "url, expected",
    [
        # The embedded server of a fresh clone: its socket directory is a path in the query, which stays whole.
        (
            "postgres://postgres@/rbx?host=/work/portal/var/pgdata",
            "postgres://postgres@/rbx_300000?host=/work/portal/var/pgdata",
        ),
        ("postgres://postgres@127.0.0.1:5432/rbx_bench_a", "postgres://postgres@127.0.0.1:5432/rbx_bench_a_300000"),
        (
            "postgres://u:p@db.example:6432/rbx?sslmode=require",
            "postgres://u:p@db.example:6432/rbx_300000?sslmode=require",
        ),
    ],
)
def test_the_second_volume_is_a_database_beside_the_first(url, expected):
    assert volume_url(url, 300000) == (expected, expected.split("/")[3].split("?")[0])
