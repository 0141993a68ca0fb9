"""The cleaner: the shared scraped sample, HTML pages, and properties that hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean import Cleaner, normalize_line, repeated_lines

from .conftest import SHARED_SAMPLE

BODY = [
    "Madrid-based human rights campaigner Safeguard Defenders says it found evidence",
    "Its new release – dubbed “Patrol and Persuade” – focuses on the scale of the network",
    "Beijing has denied it is running undeclared police forces outside its territory",
]
CHROME = [
    "Politics",
    "Powered by Cloudevo",
    "Related articles",
    "Latest Stories",
    "Mattel releases the first Barbie",
    "January 12, 2026",
    "Copyright ©",
    "PERSONAL DATA PROTECTION POLICY",
    "Follow en.protothema.gr",
]


@pytest.fixture(scope="module")
def cleaner(config) -> Cleaner:
    return Cleaner(config)


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="../shared/samples/scraped-article.txt is not present")
def test_shared_sample_keeps_body_and_drops_chrome(cleaner: Cleaner) -> None:
    text = SHARED_SAMPLE.read_text(encoding="utf-8")
    result = cleaner.clean_text(text)
    for fragment in BODY:
        assert fragment in result.text
    for fragment in CHROME:
        assert fragment not in result.text
    assert result.title and result.title.startswith("Investigations into")
    reasons = {b.reason for b in result.removed}
    assert {"story list", "date or byline", "menu or label", "copyright", "title"} <= reasons
    lines = text.split("\n")
    for block in result.removed:  # every removed block points at the lines it came from
        assert normalize_line(lines[block.start_line]) in block.text


PAGE = """Home
World
Sport
Ministers agree new border deal
By Jane Roe
12 March 2026
Ministers from both countries agreed on Tuesday to reopen the border crossing after weeks of talks in the capital.
"We will keep talking," she said.
The agreement still needs the approval of both parliaments before it can take effect next month.
Related articles
Storm hits coast as thousands lose power
Share on Facebook
© 2026 Example News. All rights reserved."""


def test_plain_text_page(cleaner: Cleaner) -> None:
    result = cleaner.clean_text(PAGE)
    kept = result.text.split("\n\n")
    assert kept == [PAGE.split("\n")[i] for i in (6, 7, 8)]
    assert result.title == "Ministers agree new border deal"
    assert result.body_lines == (6, 7, 8)


def test_lines_repeated_across_a_source_are_chrome(cleaner: Cleaner) -> None:
    tagline = "Sign in to keep reading the stories that matter to the valley and beyond today"
    pages = [
        f"{tagline}.\n{PAGE}",
        f"{tagline}.\nOther story\nA different article body sentence that is long enough to count as prose.",
    ]
    repeated = repeated_lines(pages, 2)
    assert normalize_line(f"{tagline}.") in repeated
    result = cleaner.clean_text(pages[0], repeated_lines=repeated)
    assert tagline not in result.text
    assert any(b.reason == "repeated across pages of this source" for b in result.removed)


def test_clean_text_input_is_kept(cleaner: Cleaner) -> None:
    text = (
        "The Federal Cartel Office opened an investigation into the freight platform on Monday.\n\n"
        "The company said it would cooperate fully with the authority."
    )
    assert cleaner.clean_text(text).text == text


def test_html_page(cleaner: Cleaner) -> None:
    html = """<html><head><title>Deal agreed | Example</title></head><body>
    <nav><ul><li>Home</li><li>World</li></ul></nav>
    <article><h1>Deal agreed</h1>
    <p>Ministers from both countries agreed on Tuesday to reopen the border crossing after weeks of talks.</p>
    <p>The agreement still needs the approval of both parliaments before it can take effect next month.</p>
    <p>Share on Facebook</p></article>
    <footer><p>© 2026 Example News. All rights reserved.</p></footer></body></html>"""
    result = cleaner.clean_html(html)
    assert "reopen the border crossing" in result.text and "approval of both parliaments" in result.text
    assert "Share on Facebook" not in result.text and "All rights reserved" not in result.text
    assert any(b.reason == "share" for b in result.removed)
    assert any("footer" in b.reason or "copyright" in b.reason for b in result.removed)


def test_html_without_body(cleaner: Cleaner) -> None:
    assert cleaner.clean_html("<html><head><title>x</title></head></html>").text == ""
    assert cleaner.clean_html("").text == ""


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120), max_size=40))
@settings(max_examples=150, deadline=None)
def test_cleaning_never_invents_text(lines: list[str]) -> None:
    from pipeline.config import Config

    from .conftest import ROOT

    cleaner = _CACHE.setdefault("c", Cleaner(Config(ROOT / "configs")))
    text = "\n".join(lines)
    result = cleaner.clean_text(text)
    originals = {normalize_line(line) for line in text.split("\n")}  # a generated element may hold newlines
    for para in result.text.split("\n\n"):
        if para:
            assert normalize_line(para) in originals
    raw_lines = text.split("\n")
    for i in result.body_lines:
        assert raw_lines[i].strip()


_CACHE: dict[str, Cleaner] = {}


def test_line_model_matches_the_features_it_was_trained_on(config) -> None:
    """The committed line model must be retrained (scripts/train_cleaner.py) whenever the features change."""
    import json

    from pipeline.clean import Cleaner
    from pipeline.clean_model import BASE_REASONS, FeatureSpace

    cleaner = Cleaner(config)
    assert cleaner.line_model is not None
    data = json.loads(config.path(cleaner.settings["line_model"]).read_text(encoding="utf-8"))
    space = FeatureSpace((*BASE_REASONS, *(name for name, _ in cleaner.cues)))
    assert data["features"] == space.names()
    assert not {"siteB", "siteD", "siteF", "siteH"} & set(data["trained_on"])  # never the test sites


def test_line_model_and_rules_agree_on_a_plain_page(config) -> None:
    from pipeline.clean import Cleaner

    page = "\n".join(
        [
            "Home | World | Business | Sport",
            "Share on Facebook",
            "Ministers agree new sanctions package",
            "The foreign ministers of the union agreed on Monday to freeze the assets of twelve officials "
            "accused of organising the crackdown, diplomats said after the meeting in Brussels.",
            "The measures also ban the export of surveillance equipment and will be reviewed in six months, "
            "according to the text seen by reporters.",
            "",
            "Related articles",
            "Union extends sanctions on shipping firms",
            "© 2026 Example News. All rights reserved.",
        ]
    )
    rules = Cleaner(config, line_model=False).clean_text(page)
    learned = Cleaner(config).clean_text(page)
    assert rules.body_lines == learned.body_lines == (3, 4)
    assert any(b.reason == "copyright" for b in learned.removed)
