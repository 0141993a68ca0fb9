"""The shipped model (models/news-v12) as `make extract` runs it by default: the sample corpus and the shared
scraped article give model triples, including the three the issue names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import Config

from .conftest import ROOT, SAMPLE, SHARED_SAMPLE, read_jsonl

MODEL = ROOT / "models" / "news-v12"

pytestmark = pytest.mark.skipif(
    not (MODEL / "model.safetensors").is_file(), reason="models/news-v12 not present"
)


@pytest.fixture(scope="module")
def model_run(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Path:
    from pipeline.run import run_extract

    out = tmp_path_factory.mktemp("model-run")
    inputs = [str(SAMPLE)] + ([str(SHARED_SAMPLE)] if SHARED_SAMPLE.is_file() else [])
    run_extract(inputs, out, config=config)  # the default extractor
    return out


def test_spacy_components_default_to_the_configured_model(config: Config) -> None:
    """components.DEFAULT_MODEL is written out (reading the config at import time is avoided on purpose), so a model
    swap that updates configs/pipeline.toml but not the spaCy components is caught here."""
    from pipeline import components

    assert f"models/{config.pipeline['default_extractor']}" == components.DEFAULT_MODEL
    assert (ROOT / components.DEFAULT_MODEL / "config.json").is_file()


def test_default_run_uses_the_shipped_model(model_run: Path, config: Config) -> None:
    manifest = json.loads((model_run / "manifest.json").read_text(encoding="utf-8"))
    assert config.pipeline["default_extractor"] == "news-v12"
    assert manifest["extractor"]["name"] == "news-v12"
    assert manifest["models"]["newsgraph"].startswith("news-v12-")
    triples = read_jsonl(model_run / "triples.jsonl")
    assert triples and all(t["extractor"] == "news-v12" and t["rule"] == "model" for t in triples)
    docs = [d for d in read_jsonl(model_run / "documents.jsonl") if d["status"] == "ok"]
    assert all(d["windows"] >= 1 for d in docs)
    texts = {d["id"]: d["text"] for d in docs}
    for t in triples:
        for m in (t["head"], t["tail"]):
            assert texts[t["doc_id"]][m["start"] : m["end"]] == m["text"]
        assert 0.0 < t["score"] <= 1.0


@pytest.mark.skipif(not SHARED_SAMPLE.is_file(), reason="../shared/samples/scraped-article.txt not present")
def test_the_scraped_article_gives_the_named_triples(model_run: Path) -> None:
    triples = read_jsonl(model_run / "triples.jsonl")
    found = {
        (t["head"]["text"], t["relation"], t["tail"]["text"])
        for t in triples
        if t["doc_id"].endswith("scraped-article.txt")
    }
    for expected in [
        ("Safeguard Defenders", "alleges", "China"),
        ("Safeguard Defenders", "based_in", "Madrid"),
        ("Ministry of Public Security", "part_of", "China"),
    ]:
        assert expected in found, sorted(found)


def test_model_runs_are_byte_identical(tmp_path: Path, config: Config) -> None:
    from pipeline.run import run_extract

    for name in ("a", "b"):
        run_extract([str(SAMPLE / "feed.jsonl")], tmp_path / name, config=config)
    for output in ("documents.jsonl", "entities.jsonl", "triples.jsonl"):
        assert (tmp_path / "a" / output).read_bytes() == (tmp_path / "b" / output).read_bytes(), output
