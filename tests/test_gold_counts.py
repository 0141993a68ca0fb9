"""Every converted corpus reproduces the figures its README publishes, and every mention slices to its text."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.spec import corpus_names, load_spec
from tests.conftest import ROOT, gold_docs

CONFIG = Config(ROOT / "configs")
CASES = [(name, split) for name in corpus_names(CONFIG) for split in load_spec(CONFIG, name).counts]


@pytest.mark.data
@pytest.mark.parametrize(("corpus", "split"), CASES, ids=[f"{c}-{s}" for c, s in CASES])
def test_counts_match_the_readme(config: Config, corpus: str, split: str) -> None:
    docs = gold_docs(config, corpus, split)
    expected = load_spec(config, corpus).counts[split]
    got = store.counts(docs)
    for key, want in expected.items():
        assert got[key] == want, f"{corpus} {split} {key}: converted {got[key]}, README says {want}"
    for doc in docs:
        doc.check()  # offsets in range, mention text == text[start:end]
        assert doc.dataset == corpus and doc.split == split


@pytest.mark.data
def test_every_corpus_states_its_counts(config: Config) -> None:
    for name in corpus_names(config):
        spec = load_spec(config, name)
        assert spec.counts, f"configs/gold/{name}.toml has no [counts] from the corpus README"
        assert set(spec.counts) <= set(spec.splits)


@pytest.mark.data
def test_schema_labels_are_schema_types(config: Config) -> None:
    for name in corpus_names(config):
        for split in load_spec(config, name).counts:
            docs = gold_docs(config, name, split)
            labels = {m.label for d in docs for m in d.mentions} - {None}
            assert labels <= set(config.schema.entity_types), name
            rels = {r.label for d in docs for r in d.relations} - {None}
            assert rels <= set(config.schema.relations), name
            break
