"""The HTML report on a synthetic extraction output with hostile and non-Latin names: the file itself (offline,
embedded JSON that round-trips, deterministic), and the page in a real headless Chromium driven by Playwright.

The browser test needs the `playwright` package (dev extra) and a system Chromium (Debian `chromium`; Playwright's
own browser download is never used). Without them it skips, unless NEWSGRAPH_REQUIRE_BROWSER is set (CI), where it
fails. Screenshots go to `test-artifacts/report/` (or $NEWSGRAPH_TEST_ARTIFACTS).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.config import Config
from pipeline.report import build_report, embed_json
from pipeline.report.cli import report

from .conftest import ROOT
from .test_kg_helpers import DOC_A, DOC_B, SyntheticDoc, write_output

SCRIPT = "<script>alert(1)</script>"
MARKUP = '"quotes" & <b>tags</b>'
CLOSER = "</script><!-- Bureau"
IMG = "<img src=x onerror=alert(2)>"

DOC_HOSTILE = SyntheticDoc(
    id="hostile <1>",
    date="2025-03-03",
    title="A <b>bold</b> & 'quoted' </script> title",
    text=(f"{SCRIPT} accused {MARKUP} of fraud in Paris. {CLOSER} met {IMG} on Monday. {MARKUP} denied it."),
    mentions=[
        (SCRIPT, "ORG"),
        (MARKUP, "ORG"),
        ("Paris", "LOC"),
        (CLOSER, "AGENCY"),
        (IMG, "PERSON"),
        (MARKUP, "ORG", 1),
    ],
    triples=[
        ((SCRIPT, "ORG"), "alleges", (MARKUP, "ORG"), 0.9),
        ((IMG, "PERSON"), "works_for", (CLOSER, "AGENCY"), 0.6),
        ((SCRIPT, "ORG"), "based_in", ("Paris", "LOC"), 0.4),
    ],
)

# Astral characters before the mentions: offsets count code points, as Python does, not UTF-16 units.
DOC_SCRIPTS = SyntheticDoc(
    id="non-latin",
    date="2025-04-01",
    title="Переговоры 会谈 🙂",
    text="🙂🙂 中华人民共和国外交部 met Министерство иностранных дел in Москва. 𝔸 Пётр Иванов works for Министерство иностранных дел.",
    mentions=[
        ("中华人民共和国外交部", "AGENCY"),
        ("Министерство иностранных дел", "AGENCY"),
        ("Москва", "LOC"),
        ("Пётр Иванов", "PERSON"),
        ("Министерство иностранных дел", "AGENCY", 1),
    ],
    triples=[
        (("中华人民共和国外交部", "AGENCY"), "meets", ("Министерство иностранных дел", "AGENCY"), 0.8),
        (("Пётр Иванов", "PERSON"), "works_for", ("Министерство иностранных дел", "AGENCY", 1), 0.7),
    ],
)

DOC_FAILED = SyntheticDoc(id="failed", text="", mentions=[], status="error")

DOCS = [DOC_A, DOC_B, DOC_HOSTILE, DOC_SCRIPTS, DOC_FAILED]
SHOWN = [DOC_A, DOC_B, DOC_HOSTILE, DOC_SCRIPTS]
DATA_ELEMENT = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def report_app() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report)
    app.command("other")(lambda: None)  # two commands, so `report` stays a subcommand as in `newsgraph`
    return app


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_output(tmp_path_factory.mktemp("report") / "out", DOCS)


@pytest.fixture(scope="module")
def page_file(out_dir: Path) -> Path:
    output = out_dir.parent / "report" / "report.html"
    result = CliRunner().invoke(report_app(), ["report", str(out_dir), "-o", str(output)])
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture(scope="module")
def page(page_file: Path) -> str:
    return page_file.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data(page: str) -> dict[str, Any]:
    [text] = DATA_ELEMENT.findall(page)
    return json.loads(text)


def node_named(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["name"] == name)


def test_the_page_loads_nothing_from_outside(page: str) -> None:
    assert not re.search(
        r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z]+:)?//""", page, re.I
    )
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//|<link\b|<iframe\b|<object\b", page, re.I)
    assert all("src" not in tag for tag in re.findall(r"<script\b[^>]*>", page))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "default-src &#x27;none&#x27;" in csp


def test_the_policy_allows_exactly_the_inline_style_and_script(page: str) -> None:
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(script) == 1
    assert f"style-src &#x27;sha256-{digest(style)}&#x27;" in page
    assert f"script-src &#x27;sha256-{digest(script[0])}&#x27;" in page


def test_the_embedded_json_round_trips_and_cannot_end_its_element(
    page: str, data: dict[str, Any], out_dir: Path
) -> None:
    _, expected = build_report(out_dir, Config(ROOT / "configs"))
    assert data == expected
    raw = DATA_ELEMENT.search(page).group(1)
    assert not set(raw) & set("<>&")
    assert page.count("</script>") == 2 and page.lower().count("<script") == 2
    for hostile in (SCRIPT, MARKUP, CLOSER, IMG):
        assert hostile not in page
        assert node_named(data, hostile)["type"] in {"ORG", "AGENCY", "PERSON"}
    assert [d["id"] for d in data["documents"]] == sorted(d.id for d in SHOWN)
    assert data["stats"]["documents_not_ok"] == 1
    titles = {d["id"]: d["title"] for d in data["documents"]}
    assert titles[DOC_HOSTILE.id] == DOC_HOSTILE.title and titles[DOC_SCRIPTS.id] == DOC_SCRIPTS.title


def test_documents_carry_their_text_and_mentions_that_slice_it(data: dict[str, Any]) -> None:
    by_id = {d["id"]: d for d in data["documents"]}
    for doc in SHOWN:
        shown = by_id[doc.id]
        assert shown["text"] == doc.text
        spans = {(m["start"], m["end"]) for m in shown["mentions"]}
        assert spans >= {(e.mention.start, e.mention.end) for e in doc.document().entities}
        for m in shown["mentions"]:
            assert doc.text[m["start"] : m["end"]] == m["text"] and m["node"]
        assert len(shown["triples"]) == len(doc.triples)
    hostile = by_id[DOC_HOSTILE.id]["triples"][0]
    assert {hostile["head"]["text"], hostile["tail"]["text"]} == {SCRIPT, MARKUP}


def test_the_page_is_deterministic(out_dir: Path, page: str) -> None:
    again, _ = build_report(out_dir, Config(ROOT / "configs"))
    assert again == page


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=8)
)
def test_embedded_json_never_holds_markup_and_decodes_to_the_value(value: Any) -> None:
    text = embed_json(value)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == value


def test_cli_writes_stdout_with_dash_and_fails_cleanly_on_a_bad_folder(out_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(report_app(), ["report", str(out_dir), "-o", "-", "-q"])
    assert result.exit_code == 0 and result.stdout.startswith("<!doctype html>")
    result = runner.invoke(
        report_app(), ["report", str(tmp_path / "missing"), "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2 and "not found" in result.output and not (tmp_path / "r.html").exists()


def test_the_page_files_ship_with_the_package() -> None:
    package = ROOT / "pipeline" / "report"
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["pipeline.report"]
    for name in ("template.html", "report.css", "report.js"):
        assert (package / name).is_file()
        assert any(Path(name).match(p) for p in patterns), f"{name} is not package data"


# ---------- In a real browser ----------


def chromium_path() -> str:
    """The system Chromium, or a skip (a failure with NEWSGRAPH_REQUIRE_BROWSER set) saying what is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed (pip install -e '.[dev]')"
    else:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found or Path("/usr/bin/chromium").is_file():
            return found or "/usr/bin/chromium"
        missing = "no system Chromium (apt-get install chromium)"
    if os.environ.get("NEWSGRAPH_REQUIRE_BROWSER"):
        pytest.fail(f"browser test required but {missing}")
    pytest.skip(f"browser test skipped: {missing}")


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("NEWSGRAPH_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_report_in_headless_chromium(page_file: Path, data: dict[str, Any]) -> None:
    executable = chromium_path()
    from playwright.sync_api import expect, sync_playwright

    artifacts = artifacts_dir()
    shutil.copyfile(page_file, artifacts / "report.html")
    problems: list[str] = []
    dialogs: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            tab.on(
                "console",
                lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
            )
            tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(page_file.as_uri())
            tab.wait_for_selector("body[data-ready='true']")

            # Documents: the picker, the highlighted text, the triples; hostile text shows literally.
            expect(tab.locator("#doc-list button")).to_have_count(len(SHOWN))
            tab.locator("#doc-list button", has_text="bold").click()
            text = tab.locator("#doc-text")
            for hostile in (SCRIPT, MARKUP, CLOSER, IMG):
                expect(text).to_contain_text(hostile)
            assert tab.locator("#doc-text script, #doc-text b, #doc-text img, #doc-title b").count() == 0
            expect(tab.locator("#doc-title")).to_have_text(DOC_HOSTILE.title)
            hostile_doc = next(d for d in data["documents"] if d["id"] == DOC_HOSTILE.id)
            expect(text.locator("mark.ent")).to_have_count(len(hostile_doc["mentions"]))
            expect(tab.locator("#doc-triples tbody tr")).to_have_count(len(DOC_HOSTILE.triples))
            tab.screenshot(path=str(artifacts / "documents.png"))

            # Code-point offsets: every highlight holds exactly its mention, after astral characters too.
            tab.locator("#doc-list button", has_text="Переговоры").click()
            marks = tab.eval_on_selector_all(
                "#doc-text mark.ent",
                "ms => ms.map(m => [Number(m.dataset.start), m.querySelector('.ent-text').textContent])",
            )
            assert marks and all(DOC_SCRIPTS.text[start:].startswith(shown) for start, shown in marks)
            assert {shown for _, shown in marks} == {m[0] for m in DOC_SCRIPTS.mentions}

            # Graph: nodes drawn, a click opens the side panel with the evidence.
            tab.locator(".tabs button[data-view='graph']").click()
            graph = tab.locator("#graph")
            nodes = graph.locator("g.node")
            expect(nodes.first).to_be_visible()
            drawn = nodes.count()
            assert drawn == int(graph.get_attribute("data-nodes")) > 5
            assert graph.locator("path.edge").count() == int(graph.get_attribute("data-edges")) > 3
            script_node = node_named(data, SCRIPT)
            script_g = graph.locator(f"g.node[data-id='{script_node['id']}']")
            expect(script_g.locator("text")).to_have_text(SCRIPT)
            script_g.locator("circle").click()
            expect(script_g).to_have_class(re.compile(r"\bselected\b"))
            panel = tab.locator("#panel")
            expect(panel).to_be_visible()
            expect(tab.locator("#panel-title")).to_have_text(SCRIPT)
            expect(panel.locator(".edge-item")).to_have_count(2)
            expect(panel.locator("blockquote").first).to_contain_text(MARKUP)
            tab.screenshot(path=str(artifacts / "graph.png"))

            # Filters: a type and a relation taken out of the graph.
            tab.locator("#type-filters input[data-value='PERSON']").uncheck()
            expect(graph.locator("g.node[data-type='PERSON']")).to_have_count(0)
            assert 0 < nodes.count() < drawn
            tab.locator("#type-filters input[data-value='PERSON']").check()
            tab.locator("#relation-filters input[data-value='alleges']").uncheck()
            expect(graph.locator("path.edge[data-relation='alleges']")).to_have_count(0)
            tab.locator("#relation-filters input[data-value='alleges']").check()

            # Search filters the graph, the entity list and the documents.
            tab.locator("#search").fill("mitsotakis")
            mitsotakis = "person:kyriakos-mitsotakis"
            expect(graph.locator("g.node.match")).to_have_count(1)
            expect(graph.locator(f"g.node.match[data-id='{mitsotakis}']")).to_have_count(1)
            assert nodes.count() < drawn
            tab.locator(".tabs button[data-view='entities']").click()
            expect(tab.locator("#entity-table tbody tr")).to_have_count(1)
            tab.locator(".tabs button[data-view='documents']").click()
            expect(tab.locator("#doc-list button")).to_have_count(2)
            tab.locator("#search").fill("")
            expect(tab.locator("#doc-list button")).to_have_count(len(SHOWN))

            # From the panel's evidence back to the document.
            tab.locator(".tabs button[data-view='graph']").click()
            expect(nodes).to_have_count(drawn)
            tab.locator("#panel .doc-link").first.click()
            expect(tab.locator("#view-documents")).to_be_visible()
            expect(tab.locator("#doc-title")).to_have_text(DOC_HOSTILE.title)
            expect(tab.locator("#doc-triples tbody tr.focus")).to_have_count(1)
        finally:
            browser.close()
    assert problems == []
    assert dialogs == []
    assert requests == [page_file.as_uri()]
