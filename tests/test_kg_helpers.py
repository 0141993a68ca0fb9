"""Builders of small synthetic extraction outputs for the knowledge-graph tests (no spaCy, no model).

A document is written as text plus mention specs `(surface, label)` or `(surface, label, occurrence)`; the
offsets are found in the text, and triples refer to the same specs. Records are written with the pipeline's own
record functions, so they follow the JSON Schemas exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.records import document_record, entity_record, triple_record, validate
from pipeline.types import Document, Entity, Mention, Triple

Spec = tuple[str, str] | tuple[str, str, int]


def find(text: str, spec: Spec) -> Mention:
    """The mention `spec` names: its surface's n-th occurrence in `text` (n = 0 unless given)."""
    surface, label = spec[0], spec[1]
    occurrence = spec[2] if len(spec) > 2 else 0
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return Mention(surface, label, start, start + len(surface))


def mentions_in(text: str, specs: list[Spec]) -> list[Mention]:
    return [find(text, s) for s in specs]


@dataclass
class SyntheticDoc:
    id: str
    text: str
    mentions: list[Spec]
    triples: list[tuple[Spec, str, Spec, float]] = field(default_factory=list)
    date: str | None = None
    title: str | None = None
    url: str | None = None
    status: str = "ok"

    def document(self) -> Document:
        doc = Document(id=self.id, source="synthetic", text=self.text, url=self.url, title=self.title,
                       date=self.date, origin=f"synthetic/{self.id}")  # fmt: skip
        for spec in self.mentions:
            doc.entities.append(Entity(self.id, find(self.text, spec), 0, 0.9, "synthetic"))
        for head, relation, tail, score in self.triples:
            h, t = find(self.text, head), find(self.text, tail)
            evidence = self.text[min(h.start, t.start) : max(h.end, t.end)]
            doc.triples.append(
                Triple(self.id, h, relation, t, score, 0, evidence, "synthetic", "0.0", rule="synthetic")
            )
        return doc


def write_output(folder: Path, docs: list[SyntheticDoc]) -> Path:
    """An extraction output folder holding `docs`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    documents, entities, triples = [], [], []
    for synthetic in docs:
        doc = synthetic.document()
        record = document_record(doc)
        record["status"] = synthetic.status
        documents.append(record)
        entities += [entity_record(e) for e in doc.entities]
        triples += [triple_record(t) for t in doc.triples]
    for name, records in (("documents", documents), ("entities", entities), ("triples", triples)):
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
        (folder / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")
    return folder


# A small news corpus: two documents that name the same entities differently, and a third about cooperation.

DOC_A = SyntheticDoc(
    id="a1",
    date="2025-01-10",
    title="Mitsotakis meets Erdogan",
    url="https://news.invalid/a1",
    text=(
        "Greek Prime Minister Kyriakos Mitsotakis met Recep Tayyip Erdogan in Athens. Mitsotakis said the "
        "Federal Bureau of Investigation (FBI) had shared intelligence. China's Ministry of Foreign Affairs "
        "condemned the talks, and the Ministry of Foreign Affairs said Beijing would respond. Safeguard "
        "Defenders accused China of running police stations. China and Italy signed a policing agreement."
    ),
    mentions=[
        ("Kyriakos Mitsotakis", "PERSON"),
        ("Recep Tayyip Erdogan", "PERSON"),
        ("Athens", "LOC"),
        ("Mitsotakis", "PERSON", 1),
        ("Federal Bureau of Investigation", "AGENCY"),
        ("FBI", "AGENCY"),
        ("China", "COUNTRY"),
        ("Ministry of Foreign Affairs", "AGENCY"),
        ("Ministry of Foreign Affairs", "AGENCY", 1),
        ("Beijing", "COUNTRY"),
        ("Safeguard Defenders", "ORG"),
        ("China", "COUNTRY", 1),
        ("China", "COUNTRY", 2),
        ("Italy", "COUNTRY"),
    ],
    triples=[
        (("Kyriakos Mitsotakis", "PERSON"), "meets", ("Recep Tayyip Erdogan", "PERSON"), 0.8),
        (("Ministry of Foreign Affairs", "AGENCY"), "part_of", ("China", "COUNTRY"), 0.75),
        (("Safeguard Defenders", "ORG"), "alleges", ("China", "COUNTRY", 1), 0.9),
        (("China", "COUNTRY", 2), "cooperates_with", ("Italy", "COUNTRY"), 0.7),
    ],
)

DOC_B = SyntheticDoc(
    id="b1",
    date="2025-02-01T08:00:00Z",
    title="Washington accuses Beijing",
    text=(
        "Washington accused Beijing of hacking. Mitsotakis visited Washington on Monday. The FBI arrested two "
        "men. Madrid-based Safeguard Defenders said the Chinese Ministry of Foreign Affairs ran the operation. "
        "Italy and the People's Republic of China renewed their joint patrols."
    ),
    mentions=[
        ("Washington", "COUNTRY"),
        ("Beijing", "COUNTRY"),
        ("Mitsotakis", "PERSON"),
        ("Washington", "COUNTRY", 1),
        ("FBI", "AGENCY"),
        ("Madrid", "LOC"),
        ("Safeguard Defenders", "ORG"),
        ("Chinese Ministry of Foreign Affairs", "AGENCY"),
        ("Italy", "COUNTRY"),
        ("People's Republic of China", "COUNTRY"),
    ],
    triples=[
        (("Washington", "COUNTRY"), "alleges", ("Beijing", "COUNTRY"), 0.7),
        (("Safeguard Defenders", "ORG"), "based_in", ("Madrid", "LOC"), 0.85),
        (("Mitsotakis", "PERSON"), "meets", ("Washington", "COUNTRY", 1), 0.5),
        (("Italy", "COUNTRY"), "cooperates_with", ("People's Republic of China", "COUNTRY"), 0.6),
    ],
)

# Names that break naive exporters: quotes, a backslash, a newline, markup characters, non-Latin scripts.
HOSTILE_NAMES = {
    "quotes": 'Ministry of "Truth" & <Love>',
    "backslash": "O'Brien \\ Associates",
    "chinese": "中华人民共和国外交部",
    "russian": "Министерство иностранных дел",
    "newline": "Line\nBreak Group",
}

DOC_HOSTILE = SyntheticDoc(
    id='odd "doc" <1>',
    date="2025-03-03",
    title="A <b>bold</b> & 'quoted' title",
    text=(
        f"{HOSTILE_NAMES['quotes']} accused {HOSTILE_NAMES['backslash']} of fraud. {HOSTILE_NAMES['chinese']} "
        f"met {HOSTILE_NAMES['russian']}. {HOSTILE_NAMES['newline']} cooperated with {HOSTILE_NAMES['quotes']}."
    ),
    mentions=[
        (HOSTILE_NAMES["quotes"], "AGENCY"),
        (HOSTILE_NAMES["backslash"], "ORG"),
        (HOSTILE_NAMES["chinese"], "AGENCY"),
        (HOSTILE_NAMES["russian"], "AGENCY"),
        (HOSTILE_NAMES["newline"], "ORG"),
        (HOSTILE_NAMES["quotes"], "AGENCY", 1),
    ],
    triples=[
        ((HOSTILE_NAMES["quotes"], "AGENCY"), "alleges", (HOSTILE_NAMES["backslash"], "ORG"), 0.9),
        ((HOSTILE_NAMES["chinese"], "AGENCY"), "meets", (HOSTILE_NAMES["russian"], "AGENCY"), 0.8),
        ((HOSTILE_NAMES["newline"], "ORG"), "cooperates_with", (HOSTILE_NAMES["quotes"], "AGENCY", 1), 0.7),
    ],
)


def test_synthetic_outputs_follow_the_schemas(tmp_path: Path) -> None:
    folder = write_output(tmp_path / "out", [DOC_A, DOC_B, DOC_HOSTILE])
    for kind, name in (("document", "documents"), ("entity", "entities"), ("triple", "triples")):
        for line in (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            validate(kind, json.loads(line))
    for doc in (DOC_A, DOC_B, DOC_HOSTILE):
        for m in mentions_in(doc.text, doc.mentions):
            assert doc.text[m.start : m.end] == m.text


def test_sharded_output_of_a_ray_run_reads_like_one_folder(sample_run: Path, tmp_path: Path) -> None:
    from pipeline.kg.inputs import read_output

    for kind in ("documents", "entities", "triples"):
        lines = (sample_run / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        (tmp_path / kind).mkdir()
        half = len(lines) // 2
        (tmp_path / kind / "part-000000.jsonl").write_text("".join(lines[:half]), encoding="utf-8")
        (tmp_path / kind / "part-000001.jsonl").write_text("".join(lines[half:]), encoding="utf-8")
    schema = Config().schema
    whole, sharded = read_output(sample_run, schema), read_output(tmp_path, schema)
    assert sharded.problems == whole.problems == []
    assert [(d.document, d.entities, d.triples) for d in sharded.documents] == [
        (d.document, d.entities, d.triples) for d in whole.documents
    ]
