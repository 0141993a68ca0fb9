"""The model's scores with each segmenter, on news gold dev (or another split):

    .venv/bin/python scripts/segmenter_check.py [SPLIT] [MODEL]   # -> docs/runs/segmenter-check.SPLIT.json

The canonical gold documents are cut into sentences by the parser. Here the same documents are cut again by the
`senter` segmenter (`pipeline.segment`; mentions keep their offsets and get their new sentence index), the model
runs on both versions, and the script reports the scores, the sentence agreement and the segmenters' own time over
the split's texts.
"""

from __future__ import annotations

import bisect
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from pipeline.config import Config
from pipeline.gold.format import GoldDocument
from pipeline.run import ModelExtractor, resolve_model
from pipeline.segment import load_nlp, sentence_spans
from pipeline.train.common import load_corpora
from pipeline.train.joint import NewsPredictor, evaluate

ROOT = Path(__file__).resolve().parent.parent


def resegmented(doc: GoldDocument, spans: list[tuple[int, int]]) -> GoldDocument:
    starts = [s for s, _ in spans]
    mentions = tuple(
        replace(m, sentence=max(0, bisect.bisect_right(starts, m.start) - 1)) for m in doc.mentions
    )
    return replace(doc, sentences=tuple(spans), mentions=mentions)


def main(split: str = "dev", model: str | None = None) -> None:
    torch.set_num_threads(2)
    config = Config(ROOT / "configs")
    folder = resolve_model(
        model or config.pipeline["default_extractor"], config
    )  # the shipped model by default
    model = str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)
    docs = load_corpora(config, [f"newsgold:{split}"])
    texts = [d.text for d in docs]
    out: dict = {"split": split, "model": model, "documents": len(docs)}
    cut: dict[str, list[list[tuple[int, int]]]] = {}
    for name in ("parser", "senter"):
        nlp = load_nlp(config.pipeline["spacy_model"], name)
        disable = list(ModelExtractor.spacy_disable) if name == "parser" else []
        list(nlp.pipe(texts[:4], disable=disable))  # warm up
        t0 = time.perf_counter()
        cut[name] = [sentence_spans(d) for d in nlp.pipe(texts, batch_size=32, disable=disable)]
        out[f"{name}_seconds"] = round(time.perf_counter() - t0, 3)
        out[f"{name}_sentences"] = sum(map(len, cut[name]))
    same = sum(len(set(a) & set(b)) for a, b in zip(cut["parser"], cut["senter"], strict=True))
    out["sentences_in_both"] = same
    predictor = NewsPredictor.load(folder, config)
    for name in ("parser", "senter"):
        versions = [resegmented(d, s) for d, s in zip(docs, cut[name], strict=True)]
        scores = evaluate(predictor, versions)
        out[name] = {k: v["micro"] for k, v in scores.items() if isinstance(v, dict) and "micro" in v}
    path = ROOT / "docs" / "runs" / f"segmenter-check.{split}.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:])
