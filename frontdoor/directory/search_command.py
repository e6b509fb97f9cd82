"""`frontdoor directory search "ssiad figeac"`: the directory's answer, in French."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from aiohttp import web

from frontdoor.core.directory_answers import sms_answer
from frontdoor.core.taxonomy import CATEGORIES
from frontdoor.directory.api import MAX_LIMIT, hit_json, query_json, query_of
from frontdoor.directory.search import search
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `search` to the `directory` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "search", help="search the resource directory, as an SMS would"
    )
    parser.add_argument("text", help='what a person would write: "ssiad figeac", "ehpad 46000"')
    parser.add_argument("--category", help="a category (ssiad, ehpad, clic…), overrides the text")
    parser.add_argument("--postal-code", help="a postal code, overrides the text")
    parser.add_argument("--commune", help="a commune name or INSEE code, overrides the text")
    parser.add_argument("--limit", type=int, default=3, help=f"hits to show (1..{MAX_LIMIT})")
    parser.add_argument("--sms", action="store_true", help="print the SMS answer instead")
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    return parser


async def run(args: argparse.Namespace, settings: Settings, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    params = {"q": args.text, "limit": str(args.limit)}
    for name in ("category", "postal_code", "commune"):
        if getattr(args, name, None):
            params[name] = getattr(args, name)
    try:
        query, limit = query_of(params)
    except web.HTTPBadRequest as error:
        print(f"frontdoor directory search: {error.text}", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            hits = await search(session, query, limit=limit)
    finally:
        await engine.dispose()
    if args.json:
        body = {"query": query_json(query), "hits": [hit_json(h) for h in hits]}
        print(json.dumps(body, ensure_ascii=False, indent=2), file=out)
    elif args.sms:
        print(sms_answer(hits, query), file=out)
    elif not hits:
        print("Aucune ressource trouvée.", file=out)
    else:
        for number, hit in enumerate(hits, start=1):
            resource = hit.resource
            phones = ", ".join(resource.phones) or "pas de téléphone"
            where = f"{resource.postal_code or ''} {resource.commune_name or ''}".strip()
            short = CATEGORIES[resource.category].short
            print(f"{number}. {resource.name} ({short}) — {where} — {phones}", file=out)
            if hit.reason:
                print(f"   {hit.reason}", file=out)
    return 0
