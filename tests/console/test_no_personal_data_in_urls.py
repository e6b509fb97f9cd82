"""What a referent types about a person never travels in a URL: browser history, the sign-in's
`suite=`, the proxy's logs and Referer headers keep URLs. So every console form sent by GET
has only fields known not to be personal data (filters: a department, a status, a period…),
and the console's handlers read no other query parameter; a name, a number, an address or a
free text is POSTed with the CSRF token, and the answer carries the results (as /recherche).

Both walks read the sources themselves, so a form or a parameter added later is walked too."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).parents[2]
TEMPLATES = ROOT / "templates" / "console"
HANDLERS = ROOT / "frontdoor" / "console"

# The fields a GET form may have: filters that say nothing of a person.
GET_FIELDS = frozenset(
    {"departement", "canal", "statut", "adresseur", "attribuee", "retard", "periode"}
)
# And per template: the directory's search box, which searches the territory's resources
# (establishments and services, no personal data) on a page about no request or person.
GET_FIELDS_OF = {"directory.html": frozenset({"q"})}

# The query parameters a console handler may read: the filters above, a page mark, what the
# console's own redirects say (a notice's code, an error in the console's words, "done"), an
# id, the event stream's resume mark, the identity provider's answer and the sign-in's return.
QUERY_PARAMETERS = GET_FIELDS | {
    "avant",
    "erreur",
    "fait",
    "courriel",
    "rappel",
    "transfert",
    "demande",
    "tache",
    "depuis",
    "state",
    "code",
    "suite",
    "q",  # the directory's search box (directory_pages.py only, see below)
}
QUERY_PARAMETERS_OF = {"q": {"directory_pages.py"}}

FIELD_TAGS = ("input", "select", "textarea", "button")


class _Forms(HTMLParser):
    """Each form of a template: its method, its fields' names, and its raw text."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.forms: list[tuple[str, list[str], str]] = []
        self._open: tuple[str, list[str], int] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return sum(len(text) for text in self.source.splitlines(keepends=True)[: line - 1]) + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = (values.get("method", "get").strip().lower(), [], self._offset())
        elif tag in FIELD_TAGS and self._open is not None and values.get("name"):
            self._open[1].append(values["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open is not None:
            method, names, start = self._open
            self.forms.append((method, names, self.source[start : self._offset()]))
            self._open = None


def forms_of(template: Path) -> list[tuple[str, list[str], str]]:
    parser = _Forms(template.read_text())
    parser.feed(parser.source)
    parser.close()
    return parser.forms


def test_the_walk_sees_the_console_forms() -> None:
    """The parser finds forms of both kinds where they are (or the next test proves nothing)."""
    person = forms_of(TEMPLATES / "request_persons.html")
    inbox = forms_of(TEMPLATES / "inbox.html")

    assert ("post", ["csrf", "nom"]) in [(method, names) for method, names, _text in person]
    assert [names for method, names, _text in inbox if method == "get"] == [
        ["departement", "canal", "statut", "adresseur", "attribuee", "retard"]
    ]


def test_every_get_form_of_the_console_has_only_fields_that_are_not_personal_data() -> None:
    wrong = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        allowed = GET_FIELDS | GET_FIELDS_OF.get(template.name, frozenset())
        for method, names, text in forms_of(template):
            if method != "get":
                continue
            wrong += [f"{template.name}: {name}" for name in names if name not in allowed]
            # Fields a macro or an included template would add cannot be checked here.
            if re.search(r"\{%-?\s*include|\{\{-?\s*[\w.]+\(", text):
                wrong.append(f"{template.name}: a GET form with fields from a macro or include")

    assert wrong == [], "personal data would travel in a URL: send these forms by POST"


def _query_reads(tree: ast.AST) -> list[tuple[str, int]]:
    """The names read as `request.query.get("…")` or `request.query["…"]`."""
    reads = []
    for node in ast.walk(tree):
        target: ast.expr | None = None
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get" and node.args:
                target, key = node.func.value, node.args[0]
        elif isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "query"
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
        ):
            reads.append((key.value, node.lineno))
    return reads


def test_the_console_handlers_read_no_query_parameter_that_could_be_personal_data() -> None:
    wrong = []
    for module in sorted(HANDLERS.glob("*.py")):
        for name, line in _query_reads(ast.parse(module.read_text())):
            modules = QUERY_PARAMETERS_OF.get(name)
            if name not in QUERY_PARAMETERS or (modules and module.name not in modules):
                wrong.append(f"{module.name}:{line}: ?{name}=")

    assert wrong == [], "read from the POST body instead (what is typed never goes in a URL)"


def test_the_walk_of_the_handlers_sees_their_reads() -> None:
    reads = _query_reads(ast.parse((HANDLERS / "directory_pages.py").read_text()))

    assert "q" in [name for name, _line in reads]
