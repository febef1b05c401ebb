"""``make bench``'s medians (tests/benchmarks/harness.py): a fast path is sampled more than ``--runs`` times."""

import time

from tests.benchmarks import harness


def test_a_fast_path_is_sampled_until_the_time_asked_for_at_most_max_samples():
    calls = []
    assert harness.median_ms(lambda: calls.append(1), runs=3, warm=1, seconds=0.2) >= 0
    assert len(calls) == 1 + harness.MAX_SAMPLES  # the warm call, then as many samples as allowed


def test_a_slow_path_keeps_its_runs_and_no_time_asked_for_keeps_them_too():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.03)

    assert harness.median_ms(slow, runs=2, warm=0, seconds=0.01) >= 30
    assert len(calls) == 2
    calls.clear()
    harness.median_ms(lambda: calls.append(1), runs=3, warm=0)
    assert len(calls) == 3
