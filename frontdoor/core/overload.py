"""When the console yields to the callers: the event loop's demand, read over a short window.

One event loop answers Twilio's webhooks, the console and the API. When the console's traffic
asks for more than the loop can give (a flood of sign-in pages, of exports, of long URLs, a
thousand live pages at once), every callback waits its turn behind it, and a caller hears
silence. A webhook is never refused; what the console asks can wait a moment.

The loop's demand over an interval is the share of it the loop's thread spent running or
ready to run (waiting for a CPU), as opposed to asleep waiting for the network: 1.0 is a loop
that never waits for anything. Counting the time spent waiting for a CPU keeps a saturated
loop saturated on a busy machine, and an idle loop idle beside other busy processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(kw_only=True, frozen=True)
class Yielding:
    """When to start and stop yielding, from the last `window` samples."""

    enter_at: float = 0.85  # the mean demand over `window` from which the console waits
    leave_at: float = 0.5  # ...and below which it may be served again,
    calm_below: int = 5  # once fewer requests than this were held back over `hold`
    window: int = 5  # samples (kit.loop_load.SAMPLE_S apart: half a second)
    # Samples at least between entering and leaving (three seconds): longer than a request is
    # held back, so that clients asking again at once are counted at least once in it.
    hold: int = 30
    # Samples at most that requests held back keep it yielding while the loop is idle (thirty
    # seconds): a trickle of them must not shut the console for good; a flood let in again
    # overloads the loop at once and is held back again half a second later.
    longest: int = 300


YIELDING = Yielding()


@dataclass(kw_only=True, frozen=True)
class Sample:
    """One reading: the loop's demand since the last, and the requests held back meanwhile."""

    demand: float
    held_back: int = 0


@dataclass(kw_only=True, frozen=True)
class LoadState:
    """Whether the console yields, and for how many samples it has (or has not)."""

    yielding: bool = False
    samples: int = 0  # since the last change


def demand(*, busy_s: float, elapsed_s: float) -> float:
    """The share of `elapsed_s` the loop's thread was running or waiting for a CPU."""
    if elapsed_s <= 0:
        return 0.0
    return min(1.0, max(0.0, busy_s / elapsed_s))


def recent_demand(samples: Sequence[Sample], policy: Yielding = YIELDING) -> float:
    """The loop's mean demand over the last `window` samples."""
    recent = samples[-policy.window :]
    return sum(sample.demand for sample in recent) / len(recent) if recent else 0.0


def next_state(
    state: LoadState, samples: Sequence[Sample], policy: Yielding = YIELDING
) -> LoadState:
    """The state after one more sample; `samples` are the latest, oldest first.

    While the console yields, its requests cost little (they are held back), so the loop's
    demand falls whether or not the load that caused it is still there: the console is served
    again only once few requests were held back too, or after `longest`. Otherwise a flood
    would be let in again every `hold`, and the callers would wait behind it each time until
    it is detected.
    """
    mean = recent_demand(samples, policy)
    if state.yielding:
        calm = sum(sample.held_back for sample in samples[-policy.hold :]) < policy.calm_below
        long_enough = state.samples + 1 >= policy.longest
        leaves = state.samples + 1 >= policy.hold and mean < policy.leave_at
        leaves = leaves and (calm or long_enough)
        return LoadState(yielding=not leaves, samples=0 if leaves else state.samples + 1)
    enters = len(samples) >= policy.window and mean >= policy.enter_at
    return LoadState(yielding=enters, samples=0 if enters else state.samples + 1)
