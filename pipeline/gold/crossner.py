"""CrossNER (Liu et al. 2021), one domain folder: `token<TAB>tag` lines, IOB2, a blank line between sentences.

The files have no document boundaries (the sentences are drawn from many Wikipedia articles), so each sentence is
one GoldDocument with the id `<corpus>-<split>-<NNNN>` (sentence number from 0 in file order) and its mentions
have sentence index 0. Reading and building are those of the CoNLL column files (`conll2003.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.config import Config
from pipeline.gold.conll2003 import make_document, read_columns
from pipeline.gold.format import GoldDocument
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    mapper = Mapper(spec, config)
    scheme = spec.raw.get("scheme", "iob2")
    sentences = [s for doc in read_columns(root / spec.splits[split], sep="\t", columns=2) for s in doc]
    for n, sentence in enumerate(sentences):
        yield make_document(f"{spec.name}-{split}-{n:04d}", spec, split, [sentence], mapper, scheme)
