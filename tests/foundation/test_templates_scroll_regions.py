"""Every box that scrolls sideways is reachable with Tab and has a name.

The stylesheets say which classes scroll (``overflow: auto`` or ``scroll``); the templates
may give those classes only through the ``scroll_region`` macro of ``_macros.html``, which
adds ``tabindex="0" role="region"`` and a name. The browser tests check the pages themselves.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assessment.auth.models import Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STYLESHEETS = sorted((ROOT / "static" / "css").glob("*.css"))
MACROS = TEMPLATES / "_macros.html"

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
SCROLLS = re.compile(r"\boverflow(?:-x|-y|-inline|-block)?\s*:\s*[^;}]*\b(?:auto|scroll)\b")
ONE_CLASS = re.compile(r"^(?:[a-z]+)?\.([\w-]+)$")
CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.S)
CALL = re.compile(r"scroll_region\((.*?)\)\s*}}", re.S)
LITERAL_FIRST = re.compile(r"""^\s*(?:labelledby\s*=\s*)?(["'])([\w-]+)\1\s*(?:,|$)""")


def scrolling_selectors() -> dict[str, str]:
    """Each selector of a rule that lets its element scroll, with the stylesheet it is in."""
    found = {}
    for sheet in STYLESHEETS:
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        for selectors, body in RULE.findall(css):
            if SCROLLS.search(body):
                for selector in selectors.split(","):
                    found[" ".join(selector.split())] = sheet.name
    return found


def scrolling_classes() -> set[str]:
    classes = set()
    for selector in scrolling_selectors():
        match = ONE_CLASS.match(selector)
        if match:
            classes.add(match.group(1))
    return classes


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if p != MACROS)


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def test_the_stylesheets_scroll_only_elements_the_macro_can_mark() -> None:
    """A scrolling rule on anything but one class could not be checked in the templates."""
    selectors = scrolling_selectors()
    assert "table-wrap" in scrolling_classes(), "the scroll guard lost track of .table-wrap"
    unmarkable = {s: sheet for s, sheet in selectors.items() if not ONE_CLASS.match(s)}
    assert not unmarkable, (
        "these selectors let an element scroll, but only one class can be given through "
        f"scroll_region in _macros.html: {unmarkable}")


def test_templates_give_scrolling_classes_only_through_the_macro() -> None:
    classes = scrolling_classes()
    bare = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for match in CLASS_ATTRIBUTE.finditer(text):
            written = set(re.sub(r"{[{%].*?[%}]}", " ", match.group(2)).split())
            for name in sorted(written & classes):
                bare.append(f"{path.relative_to(ROOT)}:{line_of(text, match.start())}: .{name}")
    assert not bare, (
        "a box that scrolls must be reachable with Tab and named; write "
        "<div {{ scroll_region(\"<caption id>\") }}> (see _macros.html) instead of:\n"
        + "\n".join(bare))


def test_every_scroll_region_is_named_by_an_id_of_its_template_or_a_label() -> None:
    calls = 0
    problems = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            calls += 1
            where = f"{path.relative_to(ROOT)}:{line_of(text, match.start())}"
            arguments = match.group(1)
            literal = LITERAL_FIRST.match(arguments)
            if literal:
                if f'id="{literal.group(2)}"' not in text:
                    problems.append(f"{where}: no element with id=\"{literal.group(2)}\"")
            elif not arguments.strip() or (arguments.lstrip().startswith(("label=", "classes="))
                                           and "label=_(" not in arguments):
                problems.append(f"{where}: neither an id to be labelled by nor a translated label")
    assert calls >= 30, f"only {calls} scroll regions found: has the macro been renamed?"
    assert not problems, "\n".join(problems)


# --- the macro and a page, as the browser receives them ---------------------------------


class Regions(HTMLParser):
    """The scroll regions of a page and the text of every element with an id."""

    def __init__(self, classes: set[str]) -> None:
        super().__init__()
        self.classes = classes
        self.regions: list[dict[str, str | None]] = []
        self.texts: dict[str, str] = {}
        self.open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if set((attributes.get("class") or "").split()) & self.classes:
            self.regions.append(attributes)
        if attributes.get("id"):
            self.texts[str(attributes["id"])] = ""
            self.open_ids.append((tag, str(attributes["id"])))

    def handle_endtag(self, tag: str) -> None:
        if self.open_ids and self.open_ids[-1][0] == tag:
            self.open_ids.pop()

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self.open_ids:
            self.texts[element_id] += data


def regions_of(page: str) -> Regions:
    parser = Regions(scrolling_classes())
    parser.feed(page)
    return parser


def name_of(region: dict[str, str | None], parser: Regions) -> str:
    if region.get("aria-labelledby"):
        return " ".join(parser.texts.get(i, "") for i in str(region["aria-labelledby"]).split()).strip()
    return (region.get("aria-label") or "").strip()


@pytest.mark.parametrize(("arguments", "expected"), [
    ('"cities-caption"', 'aria-labelledby="cities-caption"'),
    ('label="Example request", classes="export-example"', 'aria-label="Example request"'),
])
def test_the_macro_makes_a_named_focusable_region(app, arguments: str, expected: str) -> None:
    source = '{% from "_macros.html" import scroll_region %}<div {{ scroll_region(' + arguments + ") }}>"
    with app.test_request_context():
        html = app.jinja_env.from_string(source).render()
    assert 'tabindex="0"' in html and 'role="region"' in html and expected in html
    assert html.count("class=") == 1


def test_the_officials_assessments_table_is_a_named_region(client, make, login) -> None:
    city = make.city(name="Huye")
    login(make.user(Role.OFFICIAL, city=city))
    for year in (2024, 2025, 2026):
        make.assessment(city=city, round=make.round(f"R-{year}", opens_on=date(year, 3, 1)))
    parser = regions_of(client.get("/assessments").get_data(as_text=True))
    assert len(parser.regions) == 1
    region = parser.regions[0]
    assert region.get("tabindex") == "0" and region.get("role") == "region"
    assert name_of(region, parser) == "Assessments of Huye, newest round first"


def test_the_data_page_names_each_of_its_scroll_regions(client, make, login) -> None:
    login(make.user(Role.ANALYST))
    parser = regions_of(client.get("/exports").get_data(as_text=True))
    assert len(parser.regions) >= 3, "the column tables and the example request"
    unnamed = [r for r in parser.regions
               if r.get("tabindex") != "0" or r.get("role") != "region" or not name_of(r, parser)]
    assert not unnamed, unnamed


def test_the_methodology_tables_scroll_in_named_regions(client) -> None:
    page = client.get("/methodology").get_data(as_text=True)
    parser = regions_of(page)
    assert len(parser.regions) == page.count("<table>") >= 5
    assert all(r.get("tabindex") == "0" and r.get("role") == "region" for r in parser.regions)
    names = [name_of(r, parser) for r in parser.regions]
    assert "2. The six elements — Id, Element, What it asks about, Main sources for the practices" in names
    assert len(set(names)) == len(names), "two tables of the methodology share a name"
