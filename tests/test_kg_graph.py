"""The aggregated graph built from a synthetic extraction output: nodes, edges, provenance, bad input."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.kg.graph import Graph, build_graph

from .conftest import ROOT
from .test_kg_helpers import DOC_A, DOC_B, SyntheticDoc, write_output


@pytest.fixture(scope="module")
def config() -> Config:
    return Config(ROOT / "configs")


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Graph:
    return build_graph(write_output(tmp_path_factory.mktemp("kg") / "out", [DOC_A, DOC_B]), config)


def edge(graph: Graph, head: str, relation: str, tail: str):
    return next(e for e in graph.edges if (e.head, e.relation, e.tail) == (head, relation, tail))


def test_nodes_merge_name_variants_across_documents(graph: Graph) -> None:
    ids = {n.id for n in graph.nodes}
    assert {"country:CN", "country:US", "country:IT", "agency:CN:ministry-of-foreign-affairs",
            "agency:federal-bureau-of-investigation", "person:kyriakos-mitsotakis", "org:safeguard-defenders",
            "loc:madrid", "loc:athens"} <= ids  # fmt: skip
    assert not any(i.startswith("person:mitsotakis") or i.endswith(":fbi") for i in ids)
    china = graph.node("country:CN")
    assert china.type == "COUNTRY" and china.name == "China" and china.iso == "CN" and china.iso3 == "CHN"
    assert dict(china.aliases) == {"China": 3, "Beijing": 2, "People's Republic of China": 1}
    assert china.mentions == 6 and china.documents == 2 and china.doc_ids == ("a1", "b1")
    mfa = graph.node("agency:CN:ministry-of-foreign-affairs")
    assert mfa.scope == "CN" and mfa.documents == 2
    assert dict(mfa.aliases) == {"Ministry of Foreign Affairs": 2, "Chinese Ministry of Foreign Affairs": 1}
    assert graph.node("person:kyriakos-mitsotakis").name == "Kyriakos Mitsotakis"


def test_edges_aggregate_support_with_provenance(graph: Graph) -> None:
    alleges = edge(graph, "org:safeguard-defenders", "alleges", "country:CN")
    assert (alleges.documents, alleges.mentions, alleges.max_confidence) == (1, 1, 0.9)
    [support] = alleges.support
    assert support.doc_id == "a1" and support.score == 0.9 and support.head.text == "Safeguard Defenders"
    assert DOC_A.text[support.tail.start : support.tail.end] == "China"
    assert support.evidence.startswith("Safeguard") and support.date == "2025-01-10"
    us = edge(graph, "country:US", "alleges", "country:CN")
    assert us.first_date == us.last_date == "2025-02-01"


def test_symmetric_relations_are_one_undirected_edge(graph: Graph) -> None:
    cooperation = [e for e in graph.edges if e.relation == "cooperates_with"]
    assert len(cooperation) == 1
    [e] = cooperation
    assert (e.head, e.tail) == ("country:CN", "country:IT") and e.symmetric
    assert (e.documents, e.mentions, e.max_confidence, e.mean_confidence) == (2, 2, 0.7, 0.65)
    assert (e.first_date, e.last_date) == ("2025-01-10", "2025-02-01")
    meets = edge(graph, "country:US", "meets", "person:kyriakos-mitsotakis")
    assert meets.support[0].head.text == "Mitsotakis"  # the document's own direction is kept in the support


def test_part_of_scoped_agency_edge(graph: Graph) -> None:
    e = edge(graph, "agency:CN:ministry-of-foreign-affairs", "part_of", "country:CN")
    assert e.support[0].head.text == "Ministry of Foreign Affairs"


def test_json_is_deterministic_and_complete(tmp_path: Path, graph: Graph, config: Config) -> None:
    again = build_graph(write_output(tmp_path / "out", [DOC_B, DOC_A]), config)
    assert again.to_json() == graph.to_json()
    data = json.loads(graph.to_json())
    assert data["stats"]["documents"] == 2 and data["stats"]["edges"] == len(data["edges"])
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])
    assert {m["rule"] for m in data["merges"]} >= {"acronym-expansion", "person-name-expansion", "iso-code",
                                                  "parenthetical-abbreviation", "same-key"}  # fmt: skip
    doc = next(d for d in data["documents"] if d["id"] == "b1")
    assert doc["date"] == "2025-02-01"
    assert {m["node"] for m in doc["mentions"] if m["text"] == "Washington"} == {"country:US"}


def test_self_loops_are_counted_not_drawn(tmp_path: Path, config: Config) -> None:
    doc = SyntheticDoc("s", "Beijing and China agreed.", [("Beijing", "COUNTRY"), ("China", "COUNTRY")],
                       [(("Beijing", "COUNTRY"), "cooperates_with", ("China", "COUNTRY"), 0.5)])  # fmt: skip
    graph = build_graph(write_output(tmp_path / "out", [doc]), config)
    assert graph.edges == () and graph.stats["self_loops"] == 1
    assert len(graph.documents[0].triples) == 1


def test_documents_that_are_not_ok_are_left_out(tmp_path: Path, config: Config) -> None:
    failed = SyntheticDoc("bad", "", [], status="error")
    graph = build_graph(write_output(tmp_path / "out", [DOC_A, failed]), config)
    assert [d.id for d in graph.documents] == ["a1"] and graph.stats["documents_not_ok"] == 1


def test_malformed_lines_are_reported_with_file_and_line(
    tmp_path: Path, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    out = write_output(tmp_path / "out", [DOC_A])
    with (out / "triples.jsonl").open("a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write(json.dumps({"doc_id": "a1", "relation": "likes"}) + "\n")
    with (out / "entities.jsonl").open("a", encoding="utf-8") as f:
        f.write("[1, 2]\n")
    with caplog.at_level(logging.WARNING, logger="pipeline.kg"):
        graph = build_graph(out, config)
    assert graph.stats["triples"] == len(DOC_A.triples)
    messages = [r.getMessage() for r in caplog.records]
    n_triples = len(DOC_A.triples)
    assert any(f"triples.jsonl:{n_triples + 1}: invalid JSON" in m for m in messages)
    assert any(f"triples.jsonl:{n_triples + 2}: unknown relation 'likes'" in m for m in messages)
    assert any(f"entities.jsonl:{len(DOC_A.mentions) + 1}: expected a JSON object" in m for m in messages)


def test_missing_folder_or_files_are_clear_errors(tmp_path: Path, config: Config) -> None:
    with pytest.raises(DataError, match="not found"):
        build_graph(tmp_path / "nowhere", config)
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "triples.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="missing documents.jsonl, entities.jsonl"):
        build_graph(tmp_path / "half", config)


def test_triple_without_entity_records_still_resolves(tmp_path: Path, config: Config) -> None:
    out = write_output(tmp_path / "out", [DOC_A])
    (out / "entities.jsonl").write_text("", encoding="utf-8")
    graph = build_graph(out, config)
    assert any(e.head == "org:safeguard-defenders" for e in graph.edges)
