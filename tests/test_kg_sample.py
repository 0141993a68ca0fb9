"""`make kg` on the bundled sample corpus with the shipped model: the ready queries give the expected answers,
a second load is a no-op, and the report is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config

from .conftest import ROOT, SAMPLE

SHIPPED = ROOT / "models" / Config(ROOT / "configs").pipeline["default_extractor"]

pytestmark = pytest.mark.skipif(
    not (SHIPPED / "model.safetensors").is_file(), reason=f"{SHIPPED} not present"
)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, config: Config) -> tuple[Path, Path]:
    from pipeline.kg.store import load_output
    from pipeline.run import run_extract

    out = tmp_path_factory.mktemp("kg-sample")
    run_extract([str(SAMPLE)], out, config=config)  # the default extractor: the shipped model
    load_output(out, out / "kg", config)
    return out, out / "kg"


def _answers(store: Path, name: str, config: Config, column: str, **params: str) -> set[str]:
    from pipeline.kg.store import ready_queries, run_query, term_text

    query = ready_queries(config)[name]
    result = run_query(store, query.text, params)
    k = result.variables.index(column)
    return {term_text(row[k]) for row in result.rows if row[k] is not None}


def test_ready_queries_answer_on_the_sample_corpus(sample_store: tuple[Path, Path], config: Config) -> None:
    _, store = sample_store
    assert "Finland" in _answers(store, "alleges-against", config, "accuser", country="Russia")
    assert "Meridian Justice" in _answers(store, "alleges-against", config, "accuser", country="Iran")
    assert "Ministry of Intelligence" in _answers(
        store, "agencies-of-country", config, "name", country="Iran"
    )
    pairs = _answers(store, "strongest-cooperation", config, "a") | _answers(
        store, "strongest-cooperation", config, "b"
    )
    assert {"Lithuania", "Poland"} <= pairs


def test_second_load_changes_nothing_and_the_report_is_written(
    sample_store: tuple[Path, Path], config: Config, tmp_path: Path
) -> None:
    from pipeline.kg.store import load_output, quad_digest
    from pipeline.report.render import write_report

    out, store = sample_store
    before = quad_digest(store)
    load_output(out, store, config)
    assert quad_digest(store) == before
    page = tmp_path / "report.html"
    write_report(out, page)
    text = page.read_text(encoding="utf-8")
    assert "Meridian Justice" in text and "https://" not in text.split("<script", 1)[0]
