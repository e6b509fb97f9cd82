"""The `[coordination_file]` table of a department file: the region's coordination tool
(e-parcours), where a referent hands a request over as FHIR R4.

    [coordination_file]
    fhir_base_url = "https://e-parcours.example.fr/fhir"
    token_env = "EPARCOURS_TOKEN_DAC46"   # its bearer token, if the server asks for one
    identifier_system = "urn:oid:1.2.250.1.999.46.1"   # the region's system for its numbers

The token is a secret: the file names the variable holding it, and `frontdoor check` says
when it is not set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from frontdoor.core.department import CoordinationFileRef
from frontdoor.department_file.reader import Reader


def coordination_file(reader: Reader, data: Mapping[str, Any]) -> CoordinationFileRef | None:
    if "coordination_file" not in data:
        return None
    table = reader.table(data, "coordination_file", "coordination_file")
    url = reader.text(table, "fhir_base_url", "coordination_file.fhir_base_url")
    if url and not url.startswith(("https://", "http://")):
        reader.problem("coordination_file.fhir_base_url", f"{url!r}: expected an http(s) URL")
        return None
    env = table.get("token_env")
    if env is not None and (not isinstance(env, str) or not os.environ.get(env)):
        reader.problem("coordination_file.token_env", f"{env!r} is not set in the environment")
        return None
    system = table.get("identifier_system")
    if system is not None and (
        not isinstance(system, str) or not system.startswith(("urn:", "https://", "http://"))
    ):
        reader.problem(
            "coordination_file.identifier_system",
            f"{system!r}: expected a URI (urn:oid:…, https://…)",
        )
        return None
    if not url:
        return None
    return CoordinationFileRef(
        fhir_base_url=url.rstrip("/"), token_env=env, identifier_system=system
    )


def read_token(ref: CoordinationFileRef) -> str | None:
    return os.environ[ref.token_env].strip() if ref.token_env else None
