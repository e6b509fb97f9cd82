"""The API keys of the test settings, one per department."""

from __future__ import annotations

LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}


MOSELLE_KEY = {"Authorization": "Bearer key-dac57-dweber"}
