"""How far the CoNLL-2003 mapping into COUNTRY agrees with human `country` labels.

CrossRE's news sentences are CoNLL-2003 sentences (through CrossNER) whose entities were re-annotated with a
`country` type. This module aligns each of them to a CoNLL-2003 sentence with the same token sequence and compares,
span by span, our mapped COUNTRY mentions (CoNLL LOC turned COUNTRY by `country_names` or the reviewed list) with
CrossRE's `country` mentions.

Reads the CrossRE files named in `[country_check] crossre` of `configs/gold/conll2003.toml` (JSON lines with
`sentence` tokens and `ner` as `[start, end_inclusive, type]`) and the converted CoNLL-2003 splits. Writes nothing.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold import store
from pipeline.gold.conll2003 import sentence_token_span
from pipeline.gold.spec import load_spec

logger = logging.getLogger(__name__)

CORPUS = "conll2003"
Span = tuple[int, int]  # first token, end token (exclusive), within a sentence


def _conll_sentences(
    config: Config, data_dir: str | Path | None
) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Token sequence -> every CoNLL-2003 sentence with it: split, document, index and mentions by span."""
    index: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for split in load_spec(config, CORPUS).splits:
        for doc in store.load(config, CORPUS, split, data_dir):
            spans: dict[int, dict[Span, tuple[str, str | None, str]]] = defaultdict(dict)
            for m in doc.mentions:
                k, first, end = sentence_token_span(doc, m)
                spans[k][(first, end)] = (m.orig, m.label, m.text)
            for k, (s, e) in enumerate(doc.sentences):
                tokens = tuple(doc.text[ts:te] for ts, te in doc.tokens if ts >= s and te <= e)
                index[tokens].append({"split": split, "doc": doc.id, "sentence": k, "spans": spans[k]})
    return index


def _read_crossre(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise DataError(f"{path}:{n}: not JSON: {e}") from None
    return records


def _split_of(path: Path) -> str:
    """CrossRE `news-dev.json` -> the CoNLL split to look in first ("dev")."""
    return path.stem.rsplit("-", 1)[-1]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _scores(counts: Counter[str]) -> dict[str, Any]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "crossre_sentences": counts["crossre_sentences"],
        "aligned_sentences": counts["aligned_sentences"],
        "ambiguous_sentences": counts["ambiguous_sentences"],
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "loc_crossre_country": counts["loc_crossre_country"],
        "loc_tp": counts["loc_tp"],
        "loc_recall": _ratio(counts["loc_tp"], counts["loc_crossre_country"]),
    }


def country_mapping_scores(config: Config, data_dir: str | Path | None = None) -> dict[str, Any]:
    """Precision and recall of our COUNTRY mentions against CrossRE's `country` on the aligned sentences.

    Returns counts (`crossre_sentences`, `aligned_sentences`, `ambiguous_sentences`, `tp`, `fp`, `fn`), `precision`
    (share of our COUNTRY mentions that CrossRE labels `country` on the same span), `recall` (share of CrossRE
    `country` mentions that we label COUNTRY), the same recall on the spans CoNLL labels LOC (`loc_crossre_country`,
    `loc_tp`, `loc_recall`), the same figures for each CrossRE file (`by_split`), the disagreements counted by what
    the other side has on the span (`fp_by_crossre_type`, `fn_by_conll_label`: "CoNLL label->our label") and each
    disagreement (`disagreements`: split, document, sentence, token span, mention text, the three labels).
    """
    files = load_spec(config, CORPUS).raw.get("country_check", {}).get("crossre", [])
    root = store.data_dir(config, data_dir)
    index = _conll_sentences(config, data_dir)
    total: Counter[str] = Counter()
    by_split: dict[str, Counter[str]] = {}
    fp_by_type: Counter[str] = Counter()
    fn_by_label: Counter[str] = Counter()
    disagreements: list[dict[str, Any]] = []
    for name in files:
        path = root / name
        if not path.is_file():
            raise DataError(f"CrossRE file not found: {path}")
        preferred = _split_of(path)
        counts = by_split.setdefault(preferred, Counter())
        for rec in _read_crossre(path):
            counts["crossre_sentences"] += 1
            matches = index.get(tuple(rec["sentence"]), [])
            if not matches:
                logger.debug("%s: %s has no CoNLL-2003 sentence with its tokens", path, rec.get("doc_key"))
                continue
            counts["aligned_sentences"] += 1
            # a sentence repeated in CoNLL (datelines, headlines) may carry different labels; take the copy in the
            # corresponding split and count the case
            if len({tuple(sorted(m["spans"].items())) for m in matches}) > 1:
                counts["ambiguous_sentences"] += 1
            conll = next((m for m in matches if m["split"] == preferred), matches[0])
            theirs = {(s, e + 1): typ for s, e, typ in rec["ner"]}
            ours = conll["spans"]
            our_country = {span for span, (_, label, _) in ours.items() if label == "COUNTRY"}
            their_country = {span for span, typ in theirs.items() if typ == "country"}
            counts["tp"] += len(our_country & their_country)
            for span in our_country - their_country:
                counts["fp"] += 1
                fp_by_type[theirs.get(span, "none")] += 1
            for span in their_country:
                orig, label, _ = ours.get(span, ("none", None, ""))
                if orig == "LOC":
                    counts["loc_crossre_country"] += 1
                    counts["loc_tp"] += span in our_country
                if span not in our_country:
                    counts["fn"] += 1
                    fn_by_label[f"{orig}->{label}" if orig != "none" else "none"] += 1
            for span in sorted(our_country ^ their_country):
                orig, label, text = ours.get(
                    span, ("none", None, " ".join(rec["sentence"][span[0] : span[1]]))
                )
                disagreements.append(
                    {
                        "split": conll["split"],
                        "doc": conll["doc"],
                        "sentence": conll["sentence"],
                        "span": list(span),
                        "text": text,
                        "conll": orig,
                        "ours": label,
                        "crossre": theirs.get(span, "none"),
                    }
                )
        total.update(counts)
    result = _scores(total)
    result["by_split"] = {split: _scores(counts) for split, counts in by_split.items()}
    result["fp_by_crossre_type"] = dict(fp_by_type.most_common())
    result["fn_by_conll_label"] = dict(fn_by_label.most_common())
    result["disagreements"] = disagreements
    logger.info(
        "COUNTRY vs CrossRE: P %.3f R %.3f (tp %d fp %d fn %d) on %d aligned sentences",
        result["precision"],
        result["recall"],
        result["tp"],
        result["fp"],
        result["fn"],
        result["aligned_sentences"],
    )
    return result
