"""make bench's cached column is the median of its rounds, and any round's hits or errors are still reported."""

from bench.run import median_round


def test_the_round_of_median_throughput_is_shown_with_every_round_s_hits_and_errors():
    rounds = [
        {"rps": 2400.0, "p95": 6.0, "hits": 10, "non2xx": 0},
        {"rps": 1500.0, "p95": 11.0, "hits": 0, "non2xx": 3},
        {"rps": 2100.0, "p95": 7.0, "hits": 5, "non2xx": 0},
    ]
    shown = median_round(rounds)
    assert (shown["rps"], shown["p95"]) == (2100.0, 7.0)
    assert (shown["hits"], shown["non2xx"], shown["rounds"]) == (15, 3, [2400, 1500, 2100])
    assert rounds[2]["hits"] == 5  # the rounds themselves are left as they were


def test_one_round_is_its_own_median():
    assert median_round([{"rps": 10.0, "p95": 1.0}])["rps"] == 10.0
