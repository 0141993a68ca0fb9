"""Running extractors over labelled texts and scoring them: `newsgraph evaluate run` and `make eval`.

Models: `baseline` (the rule-based extractor of the pipeline) and `spacy` (en_core_web_sm's NER alone, the peer
row). Both see the gold text as it is (it is clean already), parsed once by spaCy; the spaCy entities are copied
before the baseline replaces them. Predictions are `GoldDocument`s with the gold ids, so the metrics in
`pipeline/metrics.py` compare like with like. Each prediction carries its schema label (`label`) and the label in
the corpus's own set (`orig`), by the tables in `configs/eval.toml`, so a corpus is scored in its own label set
(comparable with published numbers) and in the news schema.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline import metrics
from pipeline.config import Config
from pipeline.errors import ConfigError, DataError
from pipeline.gold import store
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation
from pipeline.gold.refine import is_country_name
from pipeline.types import Document

logger = logging.getLogger(__name__)

MODELS = ("baseline", "spacy")
METRICS = ("ner", "relations", "relations-boundaries", "triples")


@dataclass(frozen=True)
class EvalCorpus:
    """What `configs/eval.toml` says about scoring one corpus."""

    name: str
    splits: tuple[str, ...]
    metrics: tuple[str, ...]
    label_sets: tuple[str, ...]
    relation_label_sets: tuple[str, ...]  # label sets for the relation and triple metrics
    from_schema: dict[str, str]  # schema entity label -> corpus label
    from_spacy: dict[str, str]  # spaCy entity label -> corpus label
    relations_from_schema: dict[str, str]  # schema relation -> corpus relation
    note: str = ""


def eval_settings(config: Config) -> dict[str, Any]:
    return config.toml("eval.toml")


def eval_corpus(config: Config, name: str) -> EvalCorpus:
    table = eval_settings(config).get("corpora", {}).get(name)
    if table is None:
        raise ConfigError(f"configs/eval.toml has no [corpora.{name}]")
    return EvalCorpus(
        name=name,
        splits=tuple(table.get("splits", ("dev", "test"))),
        metrics=tuple(table.get("metrics", ("ner",))),
        label_sets=tuple(table.get("labels", ("schema",))),
        relation_label_sets=tuple(table.get("relation_labels", table.get("labels", ("schema",)))),
        from_schema=dict(table.get("from_schema", {})),
        from_spacy=dict(table.get("from_spacy", {})),
        relations_from_schema=dict(table.get("relations_from_schema", {})),
        note=table.get("note", ""),
    )


# Predictions --------------------------------------------------------------------------------------------------


class Predictor:
    """Parses gold texts once and gives each model's predictions as canonical documents."""

    def __init__(self, config: Config, model: Path | None = None, int8: bool = False) -> None:
        from pipeline.baseline import BaselineExtractor
        from pipeline.segment import load_nlp

        self.config = config
        self.model = None
        if model is not None:
            from pipeline.train.joint import NewsPredictor

            self.model = NewsPredictor.load(model, config, int8=int8)
        self.settings = config.pipeline
        self.nlp = load_nlp(self.settings["spacy_model"])
        self.baseline = BaselineExtractor(config)
        self.spacy_schema: dict[str, str] = dict(eval_settings(config)["models"]["spacy"]["schema"])

    def predict(
        self, docs: Sequence[GoldDocument], corpus: EvalCorpus | None = None
    ) -> dict[str, list[GoldDocument]]:
        """model name -> predictions, one per gold document, in order."""
        from pipeline.run import fill_document
        from pipeline.segment import segment

        out: dict[str, list[GoldDocument]] = {m: [] for m in MODELS}
        if self.model is not None:
            bare = [replace(d, mentions=(), relations=()) for d in docs]
            out["model"] = [
                self._schema_prediction(
                    gold,
                    [(m.start, m.end, m.label) for m in p.mentions],
                    [(r.head, r.tail, r.label) for r in p.relations],
                    corpus,
                )
                for gold, p in zip(docs, self.model.predict_docs(bare), strict=True)
            ]
        parsed = segment(
            self.nlp,
            (d.text for d in docs),
            max_chars=int(self.settings["max_piece_chars"]),
            batch_size=int(self.settings["batch_size"]),
        )
        for gold, spacy_doc in zip(docs, parsed, strict=True):
            spacy_ents = [(e.start_char, e.end_char, e.label_) for e in spacy_doc.ents]
            out["spacy"].append(self._spacy_prediction(gold, spacy_ents, corpus))
            record = Document(id=gold.id, source=gold.dataset, text=gold.text)
            fill_document(record, self.baseline(spacy_doc), self.baseline)
            out["baseline"].append(self._baseline_prediction(gold, record, corpus))
        return out

    def _spacy_prediction(
        self, gold: GoldDocument, ents: Iterable[tuple[int, int, str]], corpus: EvalCorpus | None
    ) -> GoldDocument:
        mentions = []
        for start, end, label in ents:
            text = gold.text[start:end]
            schema = self.spacy_schema.get(label) or None
            if label == "GPE" and is_country_name(self.config, text):
                schema = "COUNTRY"
            orig = (corpus.from_spacy.get(label) if corpus else None) or label
            mentions.append(GoldMention(start=start, end=end, text=text, orig=orig, label=schema))
        return _prediction(gold, mentions, [])

    def _baseline_prediction(
        self, gold: GoldDocument, record: Document, corpus: EvalCorpus | None
    ) -> GoldDocument:
        ents = [(e.mention.start, e.mention.end, e.mention.label) for e in record.entities]
        index = {k: n for n, k in enumerate(ents)}
        rels = []
        for t in record.triples:
            for m in (t.head, t.tail):
                if (m.start, m.end, m.label) not in index:
                    index[(m.start, m.end, m.label)] = len(ents)
                    ents.append((m.start, m.end, m.label))
            rels.append(
                (
                    index[(t.head.start, t.head.end, t.head.label)],
                    index[(t.tail.start, t.tail.end, t.tail.label)],
                    t.relation,
                )
            )
        return self._schema_prediction(gold, ents, rels, corpus)

    def _schema_prediction(
        self,
        gold: GoldDocument,
        ents: Sequence[tuple[int, int, str]],
        rels: Sequence[tuple[int, int, str]],
        corpus: EvalCorpus | None,
    ) -> GoldDocument:
        """A prediction in the news schema, with each label also in the corpus's own label set."""
        from_schema = corpus.from_schema if corpus else {}
        rel_from_schema = corpus.relations_from_schema if corpus else {}
        index: dict[tuple[int, int, str], int] = {}
        mentions: list[GoldMention] = []
        position: list[int] = []
        for start, end, label in ents:
            key = (start, end, label)
            if key not in index:
                index[key] = len(mentions)
                orig = from_schema.get(label, label)
                mentions.append(
                    GoldMention(start=start, end=end, text=gold.text[start:end], orig=orig, label=label)
                )
            position.append(index[key])
        relations = [
            GoldRelation(head=position[h], tail=position[t], orig=rel_from_schema.get(r, r), label=r)
            for h, t, r in rels
        ]
        return _prediction(gold, mentions, relations)


def _prediction(
    gold: GoldDocument, mentions: list[GoldMention], relations: list[GoldRelation]
) -> GoldDocument:
    return GoldDocument(
        id=gold.id,
        dataset=gold.dataset,
        split=gold.split,
        text=gold.text,
        sentences=gold.sentences,
        mentions=tuple(mentions),
        relations=tuple(relations),
    )


# Scoring ------------------------------------------------------------------------------------------------------


def symmetric_orig(config: Config, corpus: str) -> set[str]:
    table = eval_settings(config).get("corpora", {}).get(corpus, {})
    return set(table.get("symmetric_orig", ()))


def score(
    config: Config,
    gold: Sequence[GoldDocument],
    pred: Sequence[GoldDocument],
    metric: str,
    labels: str,
    corpus: str | None = None,
) -> dict[str, Any]:
    """One metric in one label set. `metric` is one of METRICS."""
    symmetric = None if labels == "schema" else symmetric_orig(config, corpus or "")
    if metric == "ner":
        return metrics.score_ner(gold, pred, labels=labels)
    if metric == "relations":
        return metrics.score_relations(gold, pred, labels=labels, mode="strict", symmetric=symmetric)
    if metric == "relations-boundaries":
        return metrics.score_relations(gold, pred, labels=labels, mode="boundaries", symmetric=symmetric)
    if metric == "triples":
        return metrics.score_triples(gold, pred, labels=labels, symmetric=symmetric)
    raise ConfigError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")


def run_benchmarks(
    config: Config,
    data: str | Path | None = None,
    corpora: Sequence[str] | None = None,
    splits: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    model: Path | None = None,
) -> dict[str, Any]:
    """Every configured corpus × split × metric × label set × model (the baseline, spaCy's NER, and the trained
    `model` folder when given). Returns {"rows": [...], "skipped": [...]}."""
    settings = eval_settings(config)
    names = list(corpora or settings.get("corpora", {}))
    predictor = Predictor(config, model)
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for name in names:
        corpus = eval_corpus(config, name)
        if reason := store.missing_reason(config, name, data):
            skipped.append({"corpus": name, "reason": reason})
            continue
        for split in corpus.splits:
            if splits and split not in splits:
                continue
            t0 = time.perf_counter()
            gold = store.load(config, name, split, data)
            predictions = predictor.predict(gold, corpus)
            for model, pred in predictions.items():
                for metric in corpus.metrics:
                    if model == "spacy" and metric != "ner":
                        continue  # the peer row is NER alone
                    label_sets = corpus.label_sets if metric == "ner" else corpus.relation_label_sets
                    for labels in label_sets:
                        result = score(config, gold, pred, metric, labels, name)
                        rows.append(_row(name, split, model, metric, labels, result))
            if progress:
                progress(f"{name} {split}: {len(gold)} documents in {time.perf_counter() - t0:.0f} s")
    result: dict[str, Any] = {"rows": rows, "skipped": skipped}
    if "newsgold" in names:
        result["news_pages"] = news_pages_end_to_end(config, predictor, splits or ("dev", "test"))
    if "conll2003" in names and not store.missing_reason(config, "crossre-news", data):
        from pipeline.gold.country_check import country_mapping_scores

        check = country_mapping_scores(config, data)
        keep = ("tp", "fp", "fn", "precision", "recall", "aligned_sentences")
        result["country_check"] = {
            "all": {k: check[k] for k in keep},
            **{split: {k: v[k] for k in keep} for split, v in check["by_split"].items()},
        }
    return result


def news_pages_end_to_end(config: Config, predictor: Predictor, splits: Sequence[str]) -> dict[str, Any]:
    """The news gold articles as scraped pages: cleaning line P/R/F1, then document-level triples of the baseline
    on the cleaned text against the gold triples (the whole pipeline, from page to graph)."""
    from dataclasses import replace

    from pipeline.gold.newspages import score_cleaning

    spec_root = store.load_spec(config, "newsgold").source(store.data_dir(config))
    out = {}
    for split in splits:
        gold = store.load(config, "newsgold", split)
        cleaning = score_cleaning(config, spec_root, split)
        cleaned = cleaning.pop("cleaned")
        docs = [replace(g, text=cleaned[g.id], sentences=(), mentions=(), relations=()) for g in gold]
        pred = predictor.predict(docs)["baseline"]
        triples = metrics.score_triples(gold, pred)
        out[split] = {"cleaning": cleaning, "triples": triples["micro"]}
    return out


def _row(corpus: str, split: str, model: str, metric: str, labels: str, result: dict) -> dict[str, Any]:
    micro = result["micro"]
    return {
        "corpus": corpus,
        "split": split,
        "model": model,
        "metric": metric,
        "labels": labels,
        "precision": micro["precision"],
        "recall": micro["recall"],
        "f1": micro["f1"],
        "macro_f1": result["macro"]["f1"],
        "support": micro["tp"] + micro["fn"],
        "per_type": {k: v["f1"] for k, v in result.get("per_type", {}).items()},
    }


# Report -------------------------------------------------------------------------------------------------------

BEGIN, END = "<!-- make eval: begin -->", "<!-- make eval: end -->"


def anchors(config: Config) -> dict[tuple[str, str, str, str], str]:
    """(corpus, split, metric, labels) -> the published figure with its source, from configs/eval.toml."""
    out = {}
    for a in eval_settings(config).get("anchors", []):
        out[(a["corpus"], a["split"], a["metric"], a["labels"])] = f"{a['value']} ({a['source']})"
    return out


def markdown(config: Config, result: dict[str, Any], command: str) -> str:
    """The evaluation section of docs/benchmarks.md: one row per corpus/split/metric/label set."""
    published = anchors(config)
    by_key: dict[tuple[str, str, str, str], dict[str, dict]] = {}
    for row in result["rows"]:
        key = (row["corpus"], row["split"], row["metric"], row["labels"])
        by_key.setdefault(key, {})[row["model"]] = row
    lines = [
        BEGIN,
        "",
        f"Command: `{command}`. Micro-averaged precision / recall / F1 in per cent; macro F1 in brackets; support =",
        "gold items. `ner`: exact span and type; `relations`: strict (spans, entity types and relation type);",
        "`relations-boundaries`: spans and relation type; `triples`: document-level (head entity, relation, tail",
        "entity) matched by name against any mention of the gold entity. `orig` = the corpus's own labels, `schema` =",
        "the news schema via `configs/gold/<corpus>.toml`.",
        *(
            [
                f"`model` = `{result['model']}` run on the gold texts (its labels mapped into each corpus's own set);",
                "it was trained on the train splits and on DWIE dev, and selected on news gold dev, so those rows",
                "are not held out for it.",
            ]
            if result.get("model")
            else []
        ),
        "",
        "| corpus | split | metric | labels | support | baseline P / R / F1 (macro) | spaCy sm NER F1 | published | model |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, models in by_key.items():
        base = models.get("baseline")
        peer = models.get("spacy")
        cells = [
            *key,
            str(base["support"] if base else peer["support"]),
            _prf(base) if base else "",
            f"{100 * peer['f1']:.1f}" if peer else "",
            published.get(key, ""),
            _prf(models["model"]) if "model" in models else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for skip in result["skipped"]:
        lines.append(f"\nSkipped {skip['corpus']}: {skip['reason']}")
    if check := result.get("country_check"):
        lines += [
            "",
            "COUNTRY mapping of CoNLL-2003 (LOC naming a sovereign state, plus the reviewed list) against CrossRE's",
            "human `country` labels on the same sentences (`pipeline/gold/country_check.py`). CrossRE's train file",
            "labels most countries `location`, so its dev and test files are the fair comparison:",
            "",
            "| CrossRE file | tp | fp | fn | precision | recall |",
            "|---|---|---|---|---|---|",
        ]
        for split, c in check.items():
            lines.append(
                f"| {split} | {c['tp']} | {c['fp']} | {c['fn']} | {100 * c['precision']:.1f} | {100 * c['recall']:.1f} |"
            )
    if pages := result.get("news_pages"):
        lines += [
            "",
            "News gold articles as scraped pages (`data/news_gold/scraped/`, chrome by construction): body-line",
            "cleaning, then the baseline's document-level triples from the cleaned text, end to end:",
            "",
            "| split | pages | cleaning P / R / F1 | triples P / R / F1 (support) |",
            "|---|---|---|---|",
        ]
        for split, r in pages.items():
            c, t = r["cleaning"], r["triples"]
            lines.append(
                f"| {split} | {c['pages']} | {100 * c['precision']:.1f} / {100 * c['recall']:.1f} / "
                f"{100 * c['f1']:.1f} | {100 * t['precision']:.1f} / {100 * t['recall']:.1f} / "
                f"**{100 * t['f1']:.1f}** ({t['tp'] + t['fn']}) |"
            )
    for name in sorted({r["corpus"] for r in result["rows"]}):
        if note := eval_corpus(config, name).note:
            lines.append(f"\n{name}: {note}")
    lines += ["", END]
    return "\n".join(lines)


def _prf(row: dict) -> str:
    return (
        f"{100 * row['precision']:.1f} / {100 * row['recall']:.1f} / **{100 * row['f1']:.1f}**"
        f" ({100 * row['macro_f1']:.1f})"
    )


def write_report(
    path: Path,
    section: str,
    markers: tuple[str, str] = (BEGIN, END),
    heading: str = "Labelled corpora (`make eval`)",
) -> None:
    """Put `section` (which starts and ends with `markers`) between the markers in `path`, keeping the rest of
    the file; append it under `heading` if absent."""
    begin, end = markers
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, result: dict[str, Any]) -> None:
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_predictions(path: Path, gold: Sequence[GoldDocument]) -> list[GoldDocument]:
    """Predictions from canonical JSONL, or from an `newsgraph extract` output folder run on the gold texts."""
    if path.is_file():
        return store.read_gold(path)
    entities = path / "entities.jsonl"
    if not entities.is_file():
        raise DataError(f"{path}: neither canonical JSONL nor an extract output folder (no entities.jsonl)")
    import hashlib

    by_id = {g.id: g for g in gold}
    mentions: dict[str, list[GoldMention]] = {}
    relations: dict[str, list[GoldRelation]] = {}
    index: dict[str, dict[tuple[int, int, str], int]] = {}
    documents = path / "documents.jsonl"
    for rec in _jsonl(documents):
        g = by_id.get(rec["id"])
        if g is not None and rec.get("sha256") != hashlib.sha256(g.text.encode()).hexdigest():
            raise DataError(
                f"{documents}: document {rec['id']!r} was extracted from a different text than gold"
            )

    def add(doc_id: str, m: dict) -> int:
        key = (m["start"], m["end"], m["label"])
        idx = index.setdefault(doc_id, {})
        if key not in idx:
            idx[key] = len(mentions.setdefault(doc_id, []))
            mentions[doc_id].append(
                GoldMention(start=m["start"], end=m["end"], text=m["text"], orig=m["label"], label=m["label"])
            )
        return idx[key]

    for rec in _jsonl(entities):
        add(rec["doc_id"], rec)
    triples = path / "triples.jsonl"
    if triples.is_file():
        for rec in _jsonl(triples):
            h, t = add(rec["doc_id"], rec["head"]), add(rec["doc_id"], rec["tail"])
            rel = GoldRelation(head=h, tail=t, orig=rec["relation"], label=rec["relation"])
            relations.setdefault(rec["doc_id"], []).append(rel)
    return [
        _prediction(g, mentions.get(g.id, []), relations.get(g.id, []))
        for g in gold
        if g.id in mentions or g.id in relations
    ]


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
