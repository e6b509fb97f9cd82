"""The indicator table as JSON, for the API: the same table the console shows and the CSV,
the XLSX and `frontdoor report` give (indicators.queries.indicator_table), its values as
numbers (shares from 0 to 1, null where not available), its labels in French."""

from __future__ import annotations

from typing import Any

from frontdoor.core.indicators import IndicatorTable, Section


def _section(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "note": section.note,
        "lines": [
            {
                "key": line.key,
                "label": line.label,
                "value": line.value,
                "share": line.share,
                "unit": line.unit.value,
            }
            for line in section.lines
        ],
    }


def to_json(table: IndicatorTable) -> dict[str, Any]:
    return {
        "departments": list(table.departments),
        "department_names": list(table.department_names),
        "period": table.period,
        "period_label": table.period_label,
        "generated_at": table.generated_at.isoformat(),
        "requests": table.requests,
        "not_requests": table.not_requests,
        "headline": {
            "answered_rate": table.answered_rate,
            "abandoned_calls": table.abandoned_calls,
            "wait_median_s": table.wait_median_s,
            "wait_p90_s": table.wait_p90_s,
            "callbacks_in_time_rate": table.callbacks_in_time_rate,
            "gp_share": table.gp_share,
        },
        "national": [_section(section) for section in table.national],
        "operational": [_section(section) for section in table.operational],
    }
