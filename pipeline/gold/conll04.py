"""CoNLL04 (Roth & Yih 2004) in the SpERT split: one sentence per document.

Source: `conll04/spert_format/conll04_{split}.json` (tokens; entities as token spans with exclusive end;
relations between entity indices). Tokens are joined by single spaces, so each token keeps its surface form.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.config import Config
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation, TextBuilder
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    mapper = Mapper(spec, config)
    with (root / spec.splits[split]).open(encoding="utf-8") as f:
        records = json.load(f)
    for n, rec in enumerate(records):
        builder = TextBuilder()
        builder.add_sentence(rec["tokens"])
        text = builder.text
        doc_id = f"conll04-{split}-{rec.get('orig_id', n)}"
        mentions = []
        for ent in rec["entities"]:
            start, end = builder.span(ent["start"], ent["end"])
            mentions.append(
                GoldMention(
                    start=start,
                    end=end,
                    text=text[start:end],
                    orig=ent["type"],
                    label=mapper.entity(ent["type"], text[start:end]),
                    sentence=0,
                )
            )
        relations = [
            GoldRelation(
                head=r["head"],
                tail=r["tail"],
                orig=r["type"],
                label=mapper.relation(r["type"], mentions[r["head"]].label, mentions[r["tail"]].label),
            )
            for r in rec["relations"]
        ]
        yield builder.document(
            doc_id, spec.name, split, mentions, relations, {"orig_id": rec.get("orig_id", n)}
        )
