"""`frontdoor directory import` run in the test's process, as the command line parses it."""

from __future__ import annotations

import argparse
import io

from frontdoor.directory import import_command
from frontdoor.settings import Settings


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="frontdoor directory")
    import_command.add_parser(parser.add_subparsers(dest="directory_command", required=True))
    return parser.parse_args(argv)


async def run(settings: Settings, *argv: str) -> tuple[int, str, str]:
    """The command's exit code, what it printed and what it said on stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = await import_command.run(parse(*argv), settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()
