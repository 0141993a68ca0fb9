"""Whether the training sentences of a model that starts a benchmark run reach into the benchmark's dev or test split:

    .venv/bin/python scripts/heldout_check.py [BENCHMARK] [CORPUS:SPLIT ...]   # -> JSON on stdout

Every sentence of 8 tokens or more is compared by its token sequence (shorter ones are datelines, scores and
headlines that repeat across Reuters documents). The default checks CoNLL-2003 against the corpora the shipped model
(`default_extractor` in configs/pipeline.toml) was trained on, as its config.json records them; the CoNLL-2003
benchmark chains v3 and v4 start from it or from an earlier stage of it.
"""

from __future__ import annotations

import json
import sys

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.format import GoldDocument
from pipeline.run import resolve_model

MIN_TOKENS = 8


def shipped_corpora(config: Config) -> list[str]:
    """The corpora (CORPUS:SPLIT) the shipped model's last stage trained its tagger and relation head on."""
    folder = resolve_model(config.pipeline["default_extractor"], config)
    settings = json.loads((folder / "config.json").read_text(encoding="utf-8"))["settings"]
    return list(dict.fromkeys([*settings["ner_train"], *settings["rel_train"]]))


def sentences(doc: GoldDocument) -> set[tuple[str, ...]]:
    out = set()
    for s, e in doc.sentences or [(0, len(doc.text))]:
        if doc.tokens:
            tokens = tuple(doc.text[a:b] for a, b in doc.tokens if a >= s and b <= e)
        else:
            tokens = tuple(doc.text[s:e].split())
        if len(tokens) >= MIN_TOKENS:
            out.add(tokens)
    return out


def main(benchmark: str = "conll2003", corpora: list[str] | None = None) -> dict:
    config = Config()
    held: dict[str, set[tuple[str, ...]]] = {}
    for split in ("dev", "test"):
        held[split] = {t for d in store.load(config, benchmark, split) for t in sentences(d)}
    report = {"benchmark": benchmark, "min_tokens": MIN_TOKENS, "corpora": {}}
    for name in corpora or shipped_corpora(config):
        corpus, split = name.split(":")
        seen = {t for d in store.load(config, corpus, split) for t in sentences(d)}
        report["corpora"][name] = {
            "sentences": len(seen),
            **{f"in_{k}": len(seen & v) for k, v in held.items()},
        }
    return report


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(main(args[0] if args else "conll2003", args[1:] or None), indent=1))
