"""Seed Twilio's call-forwarding-flask sample for bench/run, with its own code and data.

Run with the peer's venv (Flask, Flask-SQLAlchemy, twilio, gunicorn from PyPI), from a
checkout of https://github.com/TwilioDevEd/call-forwarding-flask:

    cd CHECKOUT && PEER_VENV/bin/python BENCH/flask_peer.py seed

It creates the sample's tables and loads its `senators.json` through its own parser
(`parsers.data_from_json`), as its `manage.py dbseed` does (that command needs Flask-Script,
which no longer installs). Its zip-code file is a large file the sample keeps outside git
history, so the zip routes are not measured; its welcome route (no query) and its
`call-senators` route (two queries: the state, then its senators) are.
"""

from __future__ import annotations

import sys
from pathlib import Path


def seed() -> None:
    sys.path.insert(0, str(Path.cwd()))
    from call_forward_flask import app, db, parsers  # type: ignore[import-not-found]

    with app.app_context():
        db.drop_all()
        db.create_all()
        parsers.data_from_json(Path("senators.json").read_text())


if __name__ == "__main__":
    if sys.argv[1:] != ["seed"]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    seed()
