"""When the console yields to the callers: from the event loop's demand over the last samples,
and, to be served again, from how many of its requests were held back meanwhile."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from frontdoor.core.overload import LoadState, Sample, Yielding, demand, next_state

POLICY = Yielding(enter_at=0.8, leave_at=0.5, calm_below=3, window=4, hold=6, longest=40)


def run(samples: Iterable[Sample], state: LoadState | None = None) -> list[bool]:
    """Whether the console yields after each sample, fed one by one."""
    state, seen, answers = state or LoadState(), [], []
    for sample in samples:
        seen.append(sample)
        state = next_state(state, seen, POLICY)
        answers.append(state.yielding)
    return answers


def busy(share: float, count: int, held_back: int = 0) -> list[Sample]:
    return [Sample(demand=share, held_back=held_back)] * count


def test_a_loop_busy_over_a_whole_window_makes_the_console_yield() -> None:
    assert run(busy(0.9, 4)) == [False, False, False, True]


def test_a_short_burst_or_a_loop_below_the_threshold_does_not() -> None:
    assert not any(run([*busy(1.0, 2), *busy(0.1, 6)]))
    assert not any(run(busy(0.7, 20)))


def test_the_console_is_served_again_once_calm_for_the_hold() -> None:
    answers = run([*busy(0.95, 4), *busy(0.1, 8)])

    assert answers[3:9] == [True] * 6  # held at least `hold` samples after entering
    assert answers[9] is False


def test_a_flood_still_knocking_keeps_it_yielding_though_the_loop_is_idle() -> None:
    # Held back, the flood costs the loop nothing: its refused requests say it is still there.
    knocking = busy(0.05, 30, held_back=1)

    assert all(run([*busy(0.95, 4), *knocking])[3:])


def test_a_trickle_of_requests_cannot_keep_the_console_shut_for_good() -> None:
    answers = run([*busy(0.95, 4), *busy(0.05, 60, held_back=1)])

    assert all(answers[3:43])  # `longest` samples after entering
    assert answers[43] is False


def test_a_flood_let_in_again_after_the_longest_is_held_back_again_at_once() -> None:
    answers = run([*busy(0.95, 4), *busy(0.05, 40, held_back=1), *busy(0.95, 4)])

    assert answers[-5:] == [False, False, False, False, True]


def test_a_few_requests_held_back_do_not_keep_it_yielding() -> None:
    few = [Sample(demand=0.05, held_back=1), *busy(0.05, 5)]

    assert run([*busy(0.95, 4), *few, *busy(0.05, 6)])[-1] is False


def test_a_loop_still_busy_after_the_hold_keeps_it_yielding() -> None:
    assert all(run([*busy(0.95, 4), *busy(0.6, 20)])[3:])


@pytest.mark.parametrize(
    ("busy_s", "elapsed_s", "share"),
    [(0.05, 0.1, 0.5), (0.2, 0.1, 1.0), (-0.1, 0.1, 0.0), (0.1, 0.0, 0.0)],
    ids=["half", "capped: run and wait counted apart", "never negative", "no time elapsed"],
)
def test_the_demand_is_a_share_of_the_time_elapsed(
    busy_s: float, elapsed_s: float, share: float
) -> None:
    assert demand(busy_s=busy_s, elapsed_s=elapsed_s) == share
