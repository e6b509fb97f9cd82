"""The indicator tallies' fold: the triggers' changes into monthly counts."""

from __future__ import annotations

from frontdoor.indicators.tallies import fold_changes
from frontdoor.jobs.base import JobContext


async def fold_tallies(ctx: JobContext) -> str:
    """Fold each department's changes, one transaction per department."""
    folded = 0
    for department in ctx.runtime.departments:
        async with ctx.runtime.engine.begin() as connection:
            folded += await fold_changes(connection, department)
    return f"{folded} change(s) folded"
