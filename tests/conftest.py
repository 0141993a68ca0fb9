"""Shared fixtures: the repository's configuration, one loaded pipeline, and one run over the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import Config

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
SHARED_SAMPLE = ROOT.parent / "shared" / "samples" / "scraped-article.txt"


@pytest.fixture(scope="session")
def config() -> Config:
    return Config(ROOT / "configs")


@pytest.fixture(scope="session")
def baseline(config: Config):
    from pipeline.baseline import BaselineExtractor

    return BaselineExtractor(config)


@pytest.fixture(scope="session")
def nlp(config: Config):
    from pipeline.segment import load_nlp

    return load_nlp(config.pipeline["spacy_model"])


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Path:
    """The four outputs of one baseline extraction over the bundled sample corpus."""
    from pipeline.run import run_extract

    out = tmp_path_factory.mktemp("sample-run")
    run_extract([str(SAMPLE)], out, config=config, extractor="baseline")
    return out


def config_with_blocks(folder: Path, block_docs: int) -> Config:
    """A copy of the repository's configuration in `folder`, with cleaning blocks of `block_docs` documents (a
    small corpus then makes many blocks, parts and work units)."""
    import shutil

    root = folder / "configs"
    shutil.copytree(ROOT / "configs", root)
    toml = root / "pipeline.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("clean_block_docs =") for line in lines)
    lines = [
        f"clean_block_docs = {block_docs}" if line.startswith("clean_block_docs =") else line
        for line in lines
    ]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Config(root)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def gold_docs(config: Config, corpus: str, split: str):
    """The converted documents of one corpus split; skips the test when the labelled data is absent."""
    from pipeline.gold import store

    if reason := store.missing_reason(config, corpus):
        pytest.skip(reason)
    return store.load(config, corpus, split)
