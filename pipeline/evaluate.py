"""Metrics: line-level precision/recall/F1 of the cleaner on labelled boilerplate pages.

Reads the labelled set in `data/boilerplate/` (see its README): plain-text pages with a gold marker per line and
HTML pages with their gold body lines. Writes nothing; returns a report the CLI prints.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.clean import Cleaner, normalize_line, repeated_lines
from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.metrics import Counts

MARKERS = {"+": "body", "T": "title", "-": "boilerplate"}


@dataclass(frozen=True, slots=True)
class LabelledPage:
    name: str
    site: str
    fmt: str  # "text" or "html"
    content: str  # the page as the cleaner sees it
    gold_body: tuple[str, ...]  # normalised gold body lines (HTML) or () for text pages
    labels: tuple[
        str | None, ...
    ] = ()  # per input line for text pages: body, title, boilerplate or None (blank)
    title: str | None = None


def parse_marked_text(text: str, name: str) -> tuple[str, tuple[str | None, ...]]:
    """A marker-prefixed page into the raw page and the gold label of each of its lines."""
    raw: list[str] = []
    labels: list[str | None] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            raw.append("")
            labels.append(None)
            continue
        marker, sep, rest = line.partition(" ")
        if marker not in MARKERS or not sep:
            raise DataError(
                f"{name}:{lineno}: expected a '+', 'T' or '-' marker and a space, found {line[:20]!r}"
            )
        raw.append(rest)
        labels.append(MARKERS[marker])
    return "\n".join(raw), tuple(labels)


def load_pages(gold_dir: Path, split: str) -> list[LabelledPage]:
    split_file = gold_dir / "split.toml"
    if not split_file.exists():
        raise DataError(f"{split_file}: split file not found")
    splits = tomllib.loads(split_file.read_text(encoding="utf-8"))
    wanted = [s for s in ("dev", "test") if split in (s, "all")]
    if not wanted:
        raise DataError(f"unknown split {split!r}; expected dev, test or all")
    sites = {fmt: {site for s in wanted for site in splits[s].get(fmt, [])} for fmt in ("text", "html")}
    pages: list[LabelledPage] = []
    for path in sorted((gold_dir / "text").glob("*.txt")):
        site = path.stem.rsplit("-", 1)[0]
        if site in sites["text"]:
            content, labels = parse_marked_text(path.read_text(encoding="utf-8"), str(path))
            pages.append(LabelledPage(path.stem, site, "text", content, (), labels))
    for path in sorted((gold_dir / "html").glob("*.html")):
        site = path.stem.rsplit("-", 1)[0]
        if site not in sites["html"]:
            continue
        body = path.with_suffix(".body.txt").read_text(encoding="utf-8")
        title_file = path.with_suffix(".title.txt")
        title = title_file.read_text(encoding="utf-8").strip() if title_file.exists() else None
        gold = tuple(normalize_line(line) for line in body.split("\n") if line.strip())
        pages.append(
            LabelledPage(path.stem, site, "html", path.read_text(encoding="utf-8"), gold, title=title)
        )
    if not pages:
        raise DataError(f"{gold_dir}: no labelled pages for split {split!r}")
    return pages


def evaluate_cleaner(gold_dir: Path, split: str, config: Config) -> dict[str, Any]:
    """Body-line P/R/F1 per format and overall, plus title accuracy and a list of line errors."""
    cleaner = Cleaner(config)
    pages = load_pages(gold_dir, split)
    min_docs = int(cleaner.settings["repeated_min_docs"])
    by_site: dict[str, list[str]] = {}
    for page in pages:
        if page.fmt == "text":
            by_site.setdefault(page.site, []).append(page.content)
    repeated = {site: repeated_lines(texts, min_docs) for site, texts in by_site.items()}
    totals = {"text": Counts(), "html": Counts()}
    titles = Counter()
    errors: list[str] = []
    per_page: dict[str, dict[str, float | int]] = {}
    for page in pages:
        if page.fmt == "text":
            result = cleaner.clean_text(page.content, repeated_lines=repeated[page.site])
            counts = _score_text_page(page, set(result.body_lines), errors)
            gold_title = next(
                (
                    normalize_line(line)
                    for line, lab in zip(page.content.split("\n"), page.labels, strict=True)
                    if lab == "title"
                ),
                None,
            )
        else:
            result = cleaner.clean_html(page.content)
            counts = _score_html_page(page, result.text, errors)
            gold_title = normalize_line(page.title) if page.title else None
        titles["pages"] += 1
        titles["correct"] += int(gold_title is not None and normalize_line(result.title or "") == gold_title)
        totals[page.fmt].add(counts)
        per_page[page.name] = counts.metrics()
    overall = Counts()
    for c in totals.values():
        overall.add(c)
    metrics = {
        "split": split,
        "pages": {fmt: sum(1 for p in pages if p.fmt == fmt) for fmt in ("text", "html")},
        "text": totals["text"].metrics(),
        "html": totals["html"].metrics(),
        "all": overall.metrics(),
        "title_accuracy": round(titles["correct"] / titles["pages"], 4),
        "per_page": per_page,
    }
    return {"metrics": metrics, "errors": errors}


def _score_text_page(page: LabelledPage, kept: set[int], errors: list[str]) -> Counts:
    counts = Counts()
    lines = page.content.split("\n")
    for i, label in enumerate(page.labels):
        if label is None:
            continue
        is_gold = label == "body"
        if is_gold and i in kept:
            counts.tp += 1
        elif is_gold:
            counts.fn += 1
            errors.append(f"{page.name}:{i + 1}: DROPPED body line: {lines[i][:100]}")
        elif i in kept:
            counts.fp += 1
            errors.append(f"{page.name}:{i + 1}: KEPT {label} line: {lines[i][:100]}")
    return counts


def _score_html_page(page: LabelledPage, text: str, errors: list[str]) -> Counts:
    """Predicted body lines against gold lines as multisets of normalised text."""
    predicted = Counter(normalize_line(line) for line in text.split("\n") if line.strip())
    gold = Counter(page.gold_body)
    tp = sum((predicted & gold).values())
    for line in (predicted - gold).elements():
        errors.append(f"{page.name}: KEPT non-body line: {line[:100]}")
    for line in (gold - predicted).elements():
        errors.append(f"{page.name}: DROPPED body line: {line[:100]}")
    return Counts(tp=tp, fp=sum(predicted.values()) - tp, fn=sum(gold.values()) - tp)


def format_clean_table(report: dict[str, Any]) -> str:
    m = report["metrics"]
    rows = [
        f"cleaner, split {m['split']}: {m['pages']['text']} plain-text and {m['pages']['html']} HTML pages",
        f"{'format':<8}{'P':>8}{'R':>8}{'F1':>8}",
    ]
    for fmt in ("text", "html", "all"):
        x = m[fmt]
        rows.append(f"{fmt:<8}{x['precision']:>8.3f}{x['recall']:>8.3f}{x['f1']:>8.3f}")
    rows.append(f"title accuracy {m['title_accuracy']:.3f}")
    return "\n".join(rows)
