"""The extraction run: read → clean → segment → extract → write, in input order, one block of documents at a time.

Writes `documents.jsonl`, `entities.jsonl`, `triples.jsonl` and `manifest.json` into an output folder (each
written under a temporary name and renamed when complete), or triples only to a stream. Every input document
ends as a line of `documents.jsonl`, with status `ok`, `empty`, `skipped` or `error`.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any, Protocol

from pipeline import __version__
from pipeline.clean import Cleaner, repeated_lines
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.io import AtomicWriter, dumps, read_documents
from pipeline.records import SCHEMA_VERSION, document_record, entity_record, triple_record
from pipeline.segment import load_nlp, segment, sentence_spans
from pipeline.types import CleanResult, Document, Entity, Mention, RawDocument, Status, Triple

logger = logging.getLogger(__name__)

OUTPUT_FILES = ("documents.jsonl", "entities.jsonl", "triples.jsonl", "manifest.json")
PACKAGES = ("spacy", "trafilatura", "pycountry", "warcio", "torch", "transformers")


class Extractor(Protocol):
    name: str
    version: str

    def pipe(self, docs: Iterable[Any]) -> Iterable[Any]: ...


def make_extractor(
    name: str, config: Config, thresholds: bool | None = None, int8: bool | None = None
) -> Extractor:
    """'baseline', or a trained model: a folder, or a name under `models/` next to the configuration folder."""
    if name == "baseline":
        from pipeline.baseline import BaselineExtractor

        return BaselineExtractor(config)
    folder = resolve_model(name, config)
    if thresholds is None:
        thresholds = bool(config.pipeline.get("relation_thresholds", False))
    if int8 is None:
        int8 = bool(config.pipeline.get("int8", False))
    return ModelExtractor(folder, thresholds, int8)


def resolve_model(name: str, config: Config) -> Path:
    for folder in (Path(name), config.root.parent / "models" / name, config.root.parent / name):
        if (folder / "config.json").is_file():
            return folder
    raise ConfigError(
        f"unknown extractor {name!r}: not 'baseline' and no model folder (with config.json) of that name; "
        "models ship in models/ (see models/README.md)"
    )


class ModelExtractor:
    """The trained tagger and relation head (spaCy components `news_ner` and `news_rel`) over parsed docs.
    spaCy's own NER is switched off while parsing: the model replaces it."""

    spacy_disable = ("ner",)

    def __init__(self, folder: Path, thresholds: bool, int8: bool = False) -> None:
        from pipeline.components import NewsNer, NewsRel, model_info

        info = model_info(folder)
        self.name, self.version = info["name"], info["version"]
        self.folder = folder
        self.ner = NewsNer(str(folder), int8=int8)
        self.rel = NewsRel(str(folder), thresholds=thresholds, int8=int8)
        digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
        self.models = {"newsgraph": f"{self.name}-{self.version}{' int8' if int8 else ''} sha256:{digest}"}

    def pipe(self, docs: Iterable[Any]) -> Iterable[Any]:
        return self.rel.pipe(self.ner.pipe(docs))


@dataclass
class RunStats:
    documents: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    triples: int = 0
    by_relation: Counter[str] = field(default_factory=Counter)
    words: int = 0
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, doc: Document) -> None:
        self.documents += 1
        self.by_status[str(doc.status)] += 1
        self.entities += len(doc.entities)
        self.triples += len(doc.triples)
        self.by_relation.update(t.relation for t in doc.triples)
        self.words += len(doc.text.split())


class Stopwatch:
    def __init__(self, stats: RunStats, stage: str) -> None:
        self.stats, self.stage = stats, stage

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.stats.seconds[self.stage] += time.perf_counter() - self.t0


class Pipeline:
    """The configured stages; `process` turns raw documents into finished `Document`s, in order."""

    def __init__(
        self,
        config: Config,
        extractor: str | None = None,
        thresholds: bool | None = None,
        int8: bool | None = None,
    ) -> None:
        self.config = config
        settings = config.pipeline
        self.settings = settings
        self.cleaner = Cleaner(config)
        self.repeated_min_docs = int(self.cleaner.settings["repeated_min_docs"])
        self.nlp = load_nlp(settings["spacy_model"])
        self.extractor = make_extractor(extractor or settings["default_extractor"], config, thresholds, int8)

    def process(self, raws: Iterable[RawDocument], stats: RunStats) -> Iterator[Document]:
        seen: Counter[str] = Counter()
        for block in iter_blocks(raws, int(self.settings["clean_block_docs"])):
            with Stopwatch(stats, "clean"):
                docs = self.clean_block(block, seen)
            yield from self.extract(docs, stats)

    def clean_block(self, block: list[RawDocument], seen: Counter[str]) -> list[Document]:
        """Clean a block of documents, comparing the plain-text pages of each source with each other."""
        by_source: dict[str, list[str]] = defaultdict(list)
        for raw in block:
            if raw.status == Status.OK and raw.fmt == "text":
                by_source[raw.source].append(raw.content)
        repeated = {
            src: repeated_lines(texts, self.repeated_min_docs)
            for src, texts in by_source.items()
            if len(texts) >= self.repeated_min_docs
        }
        docs = []
        for raw in block:
            seen[raw.id] += 1
            doc_id = raw.id if seen[raw.id] == 1 else f"{raw.id}#dup{seen[raw.id]}"
            docs.append(self.clean_one(raw, doc_id, repeated.get(raw.source, frozenset())))
        return docs

    def clean_one(self, raw: RawDocument, doc_id: str, repeated: frozenset[str]) -> Document:
        doc = Document(
            id=doc_id,
            source=raw.source,
            text="",
            url=raw.url,
            title=raw.title,
            date=raw.date,
            origin=raw.origin,
            status=raw.status,
            reason=raw.reason,
            warnings=list(raw.warnings),
        )
        if doc_id != raw.id:
            doc.warnings.append(f"duplicate id {raw.id!r}; renamed")
        if raw.status != Status.OK:
            return doc
        try:
            result: CleanResult = (
                self.cleaner.clean_html(raw.content, title=raw.title)
                if raw.fmt == "html"
                else self.cleaner.clean_text(raw.content, title=raw.title, repeated_lines=repeated)
            )
        except Exception as e:  # one bad page must not stop a corpus run; it is recorded instead
            logger.exception("cleaning %s failed", doc_id)
            doc.status, doc.reason = Status.ERROR, f"cleaning failed: {type(e).__name__}: {e}"
            return doc
        doc.text, doc.removed = result.text, result.removed
        doc.title = raw.title or result.title
        doc.date = raw.date or result.date
        if not doc.text.strip():
            doc.status, doc.reason = (
                Status.EMPTY,
                "no article body found" if raw.fmt == "html" else "nothing left after cleaning",
            )
        return doc

    def extract(self, docs: list[Document], stats: RunStats) -> Iterator[Document]:
        todo = [d for d in docs if d.status == Status.OK]
        parsed = segment(
            self.nlp,
            (d.text for d in todo),
            max_chars=int(self.settings["max_piece_chars"]),
            batch_size=int(self.settings["batch_size"]),
            disable=getattr(self.extractor, "spacy_disable", ()),
        )
        results: dict[int, Any] = {}
        t0 = time.perf_counter()
        for n, spacy_doc in enumerate(self.extractor.pipe(parsed)):
            results[n] = spacy_doc
        stats.seconds["segment+extract"] += time.perf_counter() - t0
        k = 0
        for doc in docs:
            if doc.status == Status.OK:
                try:
                    fill_document(doc, results[k], self.extractor)
                except Exception as e:
                    logger.exception("extraction from %s failed", doc.id)
                    doc.status, doc.reason = Status.ERROR, f"extraction failed: {type(e).__name__}: {e}"
                k += 1
            stats.add(doc)
            yield doc


def iter_blocks(raws: Iterable[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    """Consecutive documents in blocks of at most `size`, the unit of cleaning (lines repeated across the pages
    of one source are found within a block). A block never spans two multi-document files (JSONL, WARC), and
    one-document files that follow each other share blocks, so any engine that cuts the same input files the
    same way (`pipeline.distributed`) cleans every page exactly as a single-process run does."""
    block: list[RawDocument] = []
    for raw in raws:
        if block and (len(block) == size or raw.container != block[-1].container):
            yield block
            block = []
        block.append(raw)
    if block:
        yield block


def fill_document(doc: Document, spacy_doc: Any, extractor: Extractor) -> None:
    """Copy sentences, entities and relations from an annotated spaCy doc into the record."""
    doc.sentences = sentence_spans(spacy_doc)
    doc.windows = spacy_doc._.windows
    starts = [s for s, _ in doc.sentences]

    def sentence_of(char: int) -> int:
        return max(0, bisect.bisect_right(starts, char) - 1)

    scores = spacy_doc._.entity_scores or [1.0] * len(spacy_doc.ents)
    for ent, score in zip(spacy_doc.ents, scores, strict=True):
        doc.entities.append(Entity(doc.id, _mention(ent), sentence_of(ent.start_char), score, extractor.name))
    for rel in spacy_doc._.relations or []:
        first = min(rel.head.start_char, rel.tail.start_char)
        last = max(rel.head.end_char, rel.tail.end_char)
        s0, s1 = sentence_of(first), sentence_of(last - 1)
        evidence = doc.text[doc.sentences[s0][0] : doc.sentences[s1][1]] if doc.sentences else ""
        doc.triples.append(
            Triple(
                doc_id=doc.id,
                head=_mention(rel.head),
                relation=rel.relation,
                tail=_mention(rel.tail),
                score=rel.score,
                sentence=sentence_of(rel.head.start_char),
                evidence=evidence.strip(),
                extractor=extractor.name,
                version=extractor.version,
                trigger=_mention(rel.trigger) if rel.trigger is not None else None,
                rule=rel.rule,
            )
        )
    if not doc.entities:
        doc.warnings.append("no entities found")


def _mention(span: Any) -> Mention:
    return Mention(text=span.text, label=span.label_, start=span.start_char, end=span.end_char)


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def manifest(pipeline: Pipeline, inputs: list[str], stats: RunStats) -> dict[str, Any]:
    meta = pipeline.nlp.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "newsgraph": __version__,
        "extractor": {"name": pipeline.extractor.name, "version": pipeline.extractor.version},
        "packages": package_versions(),
        "models": {
            "spacy": f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}",
            **getattr(pipeline.extractor, "models", {}),
        },
        "config_sha256": pipeline.config.digest(),
        "inputs": inputs,
        "counts": {
            "documents": stats.documents,
            "by_status": dict(sorted(stats.by_status.items())),
            "entities": stats.entities,
            "triples": stats.triples,
            "by_relation": dict(sorted(stats.by_relation.items())),
            "words": stats.words,
        },
        "seconds": {k: round(v, 3) for k, v in sorted(stats.seconds.items())},
    }


def prepare_output(out_dir: Path, force: bool) -> None:
    """Refuse to mix runs: an output folder holding earlier results needs `force`."""
    if out_dir.exists() and not out_dir.is_dir():
        raise PipelineError(f"{out_dir}: exists and is not a folder")
    existing = [name for name in OUTPUT_FILES if (out_dir / name).exists()]
    if existing and not force:
        raise PipelineError(f"{out_dir}: already holds {', '.join(existing)}; use --force to overwrite")
    out_dir.mkdir(parents=True, exist_ok=True)


def run_extract(
    inputs: list[str],
    out_dir: Path | None,
    *,
    config: Config | None = None,
    extractor: str | None = None,
    thresholds: bool | None = None,
    int8: bool | None = None,
    force: bool = False,
    stdout: IO[str] | None = None,
    stdin: IO[str] | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> dict[str, Any]:
    """Run the pipeline over `inputs`. With `out_dir` None, triples go to `stdout` as JSONL and nothing else is written."""
    config = config or Config()
    stats = RunStats()
    t0 = time.perf_counter()
    if out_dir is not None:
        prepare_output(out_dir, force)
    pipeline = Pipeline(config, extractor, thresholds, int8)
    stats.seconds["load"] += time.perf_counter() - t0
    docs = pipeline.process(read_documents(inputs, stdin=stdin), stats)
    with ExitStack() as stack:
        if out_dir is None:
            assert stdout is not None, "stdout is required without an output folder"
            files = {"triples": stdout}
        else:
            files = {
                kind: stack.enter_context(AtomicWriter(out_dir / f"{kind}.jsonl"))
                for kind in ("documents", "entities", "triples")
            }
        for doc in docs:
            t1 = time.perf_counter()
            if "documents" in files:
                files["documents"].write(dumps(document_record(doc)))
                files["entities"].writelines(dumps(entity_record(e)) for e in doc.entities)
            files["triples"].writelines(dumps(triple_record(t)) for t in doc.triples)
            stats.seconds["write"] += time.perf_counter() - t1
            if on_document is not None:
                on_document(doc)
    stats.seconds["total"] = time.perf_counter() - t0
    result = manifest(pipeline, inputs, stats)
    if out_dir is not None:
        import json

        with AtomicWriter(out_dir / "manifest.json") as f:
            f.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result
