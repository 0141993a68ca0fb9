"""Article body from HTML or already-scraped plain text; every removed block is recorded with a reason.

Plain text (a page copied out of a browser or a scraper's text dump) has no markup to go by, so each line is
scored from its own features (length, final punctuation, stop-word ratio, title case, dates, cue phrases) and its
context (section headers such as "Related articles", lines that repeat across pages of the same source); the body
is the highest-scoring run of lines, extended over a standfirst, with chrome inside it removed line by line.
HTML goes through trafilatura, then through the same line filters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pipeline.config import Config
from pipeline.types import CleanResult, RemovedBlock

logger = logging.getLogger(__name__)

_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*|\d[\d,.:/-]*", re.UNICODE)
_SENTENCE_END = (".", "!", "?", '."', ".”", '?"', "?”", '!"', "!”", ".’", "’", "”", '"', ":", ".)", "…")
_SPACE_RE = re.compile(r"\s+")
# a numbered item needs the space after "1." so that "13.20 CET" or "3.5 million" keep their numbers
_BULLET_RE = re.compile(r"^\s*(?:[•·▪●◦*>\-–—]|\d{1,3}[.)](?=\s))\s*")
MAX_REMOVED_TEXT = 200
_SUBHEADING_REASONS = ("headline or link", "menu or label", "short line")
# trafilatura's fallback extractors (justext) take time quadratic in the number of list items and other blocks:
# 30,000 <li> took minutes. Pages with more block tags than this skip the fallback (a bound, not a tuned setting).
MAX_FALLBACK_BLOCKS = 3000
_XML_INCOMPATIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CUE_CHARS = 1000  # longer lines are matched against the any-length cues only
_BLOCK_TAG_RE = re.compile(r"<(?:li|p|div|br|td|th|tr|dd|dt|h[1-6]|blockquote|pre)\b", re.IGNORECASE)


def normalize_line(line: str) -> str:
    """Whitespace collapsed and list bullets dropped: the key by which lines are compared."""
    return _SPACE_RE.sub(" ", _BULLET_RE.sub("", line)).strip()


@dataclass(frozen=True, slots=True)
class LineInfo:
    words: int
    ends_sentence: bool
    stop_ratio: float
    title_ratio: float
    alpha: int


@dataclass(slots=True)
class Analysis:
    """Everything the plain-text cleaner decided about one page; index j runs over its non-empty lines."""

    lines: list[str]  # the page's lines
    idx: list[int]  # line number of each non-empty line
    keys: list[str]  # normalised text
    infos: list[LineInfo]
    scores: list[float]  # body evidence after story-list sections
    reasons: list[str | None]  # why each line is chrome; None for body
    first_reasons: tuple[str | None, ...]  # reasons from the line alone, before context
    bullets: list[bool]
    repeated: list[bool]  # seen on other pages of the same source
    paragraphs: list[bool]  # reads as an article paragraph (Cleaner._is_paragraph)
    title: str | None = None
    title_j: int | None = None
    span: tuple[int, int] = (0, 0)  # the body run [start, end)
    keep: set[int] = field(default_factory=set)
    blocks: list[list[int]] = field(default_factory=list)  # lines of one wrapped paragraph


# Reasons a headline may have from its own shape (`Cleaner.headline`), and the separators of a breadcrumb trail or
# a row of links ("Home › News › World", "Politics | Economy | World").
_HEADLINE_REASONS = frozenset(
    {None, "headline or link", "outside article body", "short line", "title", "caption", "menu or label"}
)
_TRAIL_RE = re.compile(r"[›»>|/·•]")


class Cleaner:
    """The plain-text and HTML cleaner, configured by `configs/cleaner.toml`."""

    def __init__(self, config: Config, *, line_model: bool = True) -> None:
        data = config.toml("cleaner.toml")
        self.settings: dict[str, Any] = data["text"]
        cues = dict(data["cues"])
        self.cue_max_words = int(cues.pop("cue_max_words"))
        self.any_length_cues = frozenset(cues.pop("any_length_cues", ()))
        self.cues = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in cues.items()]
        self.section_re = re.compile(data["sections"]["pattern"], re.IGNORECASE)
        self.section_max_words = int(data["sections"]["max_words"])
        self.date_re = re.compile(data["dates"]["pattern"], re.IGNORECASE)
        self.stopwords = frozenset(data["stopwords"]["words"].split())
        self.line_model = None
        if line_model and (model := self.settings.get("line_model")):
            from pipeline.clean_model import LineModel

            self.line_model = LineModel.load(config.path(model))

    # Line features ---------------------------------------------------------------------------------------------

    def describe(self, line: str) -> LineInfo:
        words = _WORD_RE.findall(line)
        alpha = [w for w in words if w[0].isalpha()]
        stop = sum(1 for w in alpha if w.lower() in self.stopwords)
        title = sum(1 for w in alpha if w[0].isupper())
        return LineInfo(
            words=len(words),
            ends_sentence=line.rstrip().endswith(_SENTENCE_END),
            stop_ratio=stop / len(alpha) if alpha else 0.0,
            title_ratio=title / len(alpha) if alpha else 0.0,
            alpha=len(alpha),
        )

    def cue(self, line: str, info: LineInfo) -> str | None:
        """The reason a line is chrome by its wording alone, or None."""
        # a line of thousands of characters with few words (dots, dashes) is no chrome wording either, and some
        # cue patterns take time quadratic in the length of such a line
        long_line = info.words > self.cue_max_words or len(line) > MAX_CUE_CHARS
        for name, pattern in self.cues:
            if long_line and name not in self.any_length_cues:
                continue
            if pattern.search(line):
                return name
        return None

    def is_section_header(self, line: str, info: LineInfo) -> bool:
        # a header is a label, not a sentence ("More convoys are planned this week." is body)
        if info.ends_sentence and info.words >= 4:
            return False
        return info.words <= self.section_max_words and bool(self.section_re.match(line))

    def is_date_line(self, line: str, info: LineInfo) -> bool:
        if info.words > self.settings["date_max_words"] or info.ends_sentence and info.words > 4:
            return False
        return bool(self.date_re.search(line))

    def is_headline_like(self, info: LineInfo) -> bool:
        return not info.ends_sentence and 3 <= info.words <= self.settings["title_max_words"]

    def score(self, line: str, info: LineInfo, repeated: bool) -> tuple[float, str | None]:
        """Evidence that the line is body text (positive) or chrome (negative), with the reason if chrome."""
        s = self.settings
        if (reason := self.cue(line, info)) is not None:
            return s["cue_score"], reason
        if self.is_section_header(line, info):
            return s["cue_score"], "story list"
        if repeated and info.words <= s["repeated_max_words"]:
            return s["repeated_score"], "repeated across pages of this source"
        if self.is_date_line(line, info):
            return s["date_score"], "date or byline"
        if info.alpha == 0:
            return s["menu_score"], "no words"
        if info.words <= s["menu_max_words"] and not info.ends_sentence:
            return s["menu_score"], "menu or label"
        if (
            info.ends_sentence
            and info.words >= s["min_paragraph_words"]
            and info.stop_ratio >= s["min_paragraph_stopword_ratio"]
        ):
            return min(info.words, s["paragraph_words_cap"]) / s["paragraph_words_per_point"], None
        if info.words >= s["min_plain_words"] and info.stop_ratio >= 0.2:
            return s["plain_score"], None
        if info.ends_sentence and info.words >= 4:
            return s["short_sentence_score"], None
        if self.is_headline_like(info):
            return s["headline_score"], "headline or link"
        return s["other_score"], "short line"

    # Plain text ------------------------------------------------------------------------------------------------

    def clean_text(
        self, text: str, *, title: str | None = None, repeated_lines: frozenset[str] = frozenset()
    ) -> CleanResult:
        """Article body of already-scraped plain text, one paragraph a line."""
        a = self.analyse(text, title=title, repeated_lines=repeated_lines)
        if a is None:
            return CleanResult(text="", title=title)
        keep, reasons = a.keep, a.reasons
        title_j, found = a.title_j, a.title
        if self.line_model is not None and len(a.idx) >= self.settings["line_model_min_lines"]:
            keep = self.line_model.body_lines(a)
            reasons = [None if j in keep else (r or "line model: not body") for j, r in enumerate(a.reasons)]
            if title is None and (j := self.headline(a, keep)) is not None:
                if title_j is not None and title_j != j:
                    reasons[title_j] = "headline or link"
                title_j, found = j, a.keys[j]
                reasons[j] = "title"
        return self._result(a.lines, a.idx, keep, reasons, found, title_j)

    def headline(self, a: Analysis, body: Set[int]) -> int | None:
        """The page's headline once the body is known: of the lines in the `headline_window` lines above the
        body's first paragraph, the longest that could be a headline (3 to `title_max_words` words, not body, not
        repeated on other pages of the source, no cue or date, no full stop or colon at the end, not a trail
        of links). The rules' own pick, made before the body was known, stops at the first headline-shaped line
        above the article, which is often a byline, a caption or a standfirst."""
        # above the first paragraph of the body: a stray line of chrome kept above the article does not count
        first = min((j for j in body if a.paragraphs[j]), default=min(body) if body else len(a.keys))
        best, most = None, 0
        for j in range(max(0, first - self.settings["headline_window"]), first):
            info, key = a.infos[j], a.keys[j]
            if (
                j in body
                or a.repeated[j]
                or not 3 <= info.words <= self.settings["title_max_words"]
                or a.first_reasons[j] not in _HEADLINE_REASONS
                or len(_TRAIL_RE.findall(key)) >= 2
                or key.endswith((":", "."))
                or a.bullets[j]
            ):
                continue
            if info.words > most:
                best, most = j, info.words
        return best

    def analyse(
        self, text: str, *, title: str | None = None, repeated_lines: frozenset[str] = frozenset()
    ) -> Analysis | None:
        """The rule decisions for every non-empty line of a plain-text page; None for a blank page."""
        lines = text.split("\n")
        idx = [i for i, line in enumerate(lines) if line.strip()]
        if not idx:
            return None
        keys = [normalize_line(lines[i]) for i in idx]
        bullets = [_BULLET_RE.match(lines[i]) is not None for i in idx]
        repeated = [k in repeated_lines for k in keys]
        infos = [self.describe(k) for k in keys]
        scored = [self.score(k, info, rep) for k, info, rep in zip(keys, infos, repeated, strict=True)]
        blocks = _wrapped_paragraphs(idx, keys, bullets)
        for block in blocks:
            # a paragraph broken over several lines (mobile pages, narrow columns) is judged as one
            joined = " ".join(keys[j] for j in block)
            info = self.describe(joined)
            score, reason = self.score(joined, info, all(repeated[j] for j in block))
            for j in block:
                infos[j], scored[j] = info, (score / len(block), reason)
        scores = [sc for sc, _ in scored]
        reasons: list[str | None] = [r for _, r in scored]
        first_reasons = tuple(reasons)
        self._apply_sections(keys, infos, scores, reasons, bullets)
        analysis = Analysis(
            lines=lines,
            idx=idx,
            keys=keys,
            infos=infos,
            scores=scores,
            reasons=reasons,
            first_reasons=first_reasons,
            bullets=bullets,
            repeated=repeated,
            paragraphs=[self._is_paragraph(info) for info in infos],
            title=title,
            blocks=blocks,
        )
        transparent = set(self.settings["transparent_reasons"])
        items = self._list_items(infos, reasons, bullets)
        start, end = _best_span(
            [
                0.0 if r in transparent or j in items else sc
                for j, (sc, r) in enumerate(zip(scores, reasons, strict=True))
            ]
        )
        analysis.span = (start, end)
        if scores[start] <= 0:  # nothing looks like prose
            return analysis
        start = self._extend_back(start, scores, reasons, infos, bullets)
        analysis.span = (start, end)
        for j in range(start, end):
            if j in items:
                reasons[j] = None  # a list item of the article (or its summary bullet points)
                if j > start and keys[j - 1].endswith(":") and reasons[j - 1] in (*_SUBHEADING_REASONS, None):
                    reasons[j - 1] = None  # the line that introduces the list
        keep = analysis.keep
        first_paragraph = next((j for j in range(start, end) if analysis.paragraphs[j]), end)
        for j in range(start, end):
            if reasons[j] is None:
                if (
                    j > first_paragraph
                    and not infos[j].ends_sentence
                    and infos[j].words >= self.settings["min_plain_words"]
                ):
                    reasons[j] = (
                        "caption"  # unpunctuated prose inside the body is a caption, not a standfirst
                    )
                else:
                    keep.add(j)
            elif reasons[j] in _SUBHEADING_REASONS and self._between_paragraphs(
                j, scores, reasons, start, end
            ):
                keep.add(j)  # an in-article subheading
        # a headline is never a list item, a line of a wrapped paragraph, a bracketed note or a row of cells
        # ("Key figures: $412m total cost | 200MW solar PV | 100MWh storage")
        not_title = {
            j for j in range(len(idx)) if bullets[j] or keys[j].startswith("(") or keys[j].count(" | ") >= 2
        }
        not_title.update(j for b in analysis.blocks for j in b)
        title_j = self._find_title(keys, infos, reasons, min(keep) if keep else start, title, not_title)
        if title_j is None and title is None and keep and min(keep) > 0:
            first = min(keep)
            if (
                first not in not_title
                and not infos[first].ends_sentence
                and any(k > first and not infos[k].ends_sentence for k in keep if k < first + 3)
            ):
                title_j = first  # two unpunctuated lines open the article: headline, then standfirst
        if title_j is not None:
            reasons[title_j] = "title"
            keep.discard(title_j)
            analysis.title = title or keys[title_j]
        analysis.title_j = title_j
        for j in range(len(idx)):
            if j not in keep and reasons[j] is None:
                reasons[j] = "outside article body"
        return analysis

    def _apply_sections(
        self,
        keys: Sequence[str],
        infos: Sequence[LineInfo],
        scores: list[float],
        reasons: list[str | None],
        bullets: Sequence[bool],
    ) -> None:
        """Lines after a story-list header count against the body until a long paragraph, or two sentences in
        a row (story lists alternate headlines and teasers; articles run sentence after sentence), appear."""
        s = self.settings
        in_section = False
        before = list(zip(scores, reasons, strict=True))
        prev_unit: list[int] = []  # the lines of the previous sentence (one line, or a wrapped paragraph)
        for j, (key, info) in enumerate(zip(keys, infos, strict=True)):
            if self.is_section_header(key, info):
                in_section, prev_unit = True, []
                continue
            if not in_section:
                continue
            if info.ends_sentence and info.words >= s["section_release_words"]:
                in_section = False
                continue
            same_unit = bool(prev_unit) and infos[prev_unit[-1]] is info
            is_sentence = (
                info.ends_sentence
                and info.words >= s["section_release_sentence_words"]
                and not key.endswith(("?", "!"))  # headlines ask and exclaim; list items are not prose
                and not bullets[j]
            )
            if is_sentence and prev_unit and not same_unit:
                in_section = False  # two sentences in a row: the article goes on
                for k in prev_unit:
                    scores[k], reasons[k] = before[k]
                continue
            scores[j] = min(scores[j], 0.0) + s["section_penalty"]
            reasons[j] = reasons[j] or "story list"
            if not is_sentence:
                prev_unit = []
            elif same_unit:
                prev_unit.append(j)
            else:
                prev_unit = [j]

    def _list_items(
        self, infos: Sequence[LineInfo], reasons: Sequence[str | None], bullets: Sequence[bool]
    ) -> set[int]:
        """Bullet points that read like list items of the article rather than menu entries or links: at least
        `min_bullet_words` words, and dropped only for their shape (short, headline-like, dated)."""
        shape_reasons = (*_SUBHEADING_REASONS, "date or byline", None)
        return {
            j
            for j, (info, reason) in enumerate(zip(infos, reasons, strict=True))
            if bullets[j] and reason in shape_reasons and info.words >= self.settings["min_bullet_words"]
        }

    def _is_paragraph(self, info: LineInfo) -> bool:
        s = self.settings
        return (
            info.ends_sentence
            and info.words >= s["min_paragraph_words"]
            and info.stop_ratio >= s["min_paragraph_stopword_ratio"]
        )

    def _extend_back(
        self,
        start: int,
        scores: Sequence[float],
        reasons: list[str | None],
        infos: Sequence[LineInfo],
        bullets: Sequence[bool],
    ) -> int:
        """Take in a standfirst or summary bullets separated from the first paragraph by date or byline lines."""
        gap = 0
        j = start - 1
        new_start = start
        while j >= 0:
            if reasons[j] in self.settings["gap_reasons"]:
                gap += 1
                if gap > self.settings["max_gap_lines"]:
                    break
            elif scores[j] > 0 or (bullets[j] and infos[j].words >= self.settings["min_bullet_words"]):
                new_start = j
                gap = 0
            else:
                break
            j -= 1
        return new_start

    def _between_paragraphs(
        self, j: int, scores: Sequence[float], reasons: Sequence[str | None], start: int, end: int
    ) -> bool:
        """A short line that leads into a paragraph, after a paragraph or after removed chrome, is a subheading;
        one that follows another headline-like line belongs to a list of links."""
        if j <= start or j + 1 >= end or scores[j + 1] <= 0:
            return False
        return scores[j - 1] > 0 or reasons[j - 1] not in (*_SUBHEADING_REASONS, "story list", "title")

    def _find_title(
        self,
        keys: Sequence[str],
        infos: Sequence[LineInfo],
        reasons: Sequence[str | None],
        first_body: int,
        known: str | None,
        not_title: Set[int] = frozenset(),
    ) -> int | None:
        if known:
            target = normalize_line(known).lower()
            for j, key in enumerate(keys):
                if key.lower() == target:
                    return j
        candidates = ("headline or link", "outside article body", "short line", "menu or label")
        looked = 0
        for j in range(first_body - 1, -1, -1):
            if j in not_title:
                continue  # skipped lines do not count towards the lookback
            looked += 1
            if looked > self.settings["title_lookback"]:
                break
            if reasons[j] is None or (
                reasons[j] in candidates and infos[j].words >= 3 and not infos[j].ends_sentence
            ):
                return self._headline_above(j, keys, infos, reasons, not_title)
        return None

    def _headline_above(
        self,
        j: int,
        keys: Sequence[str],
        infos: Sequence[LineInfo],
        reasons: Sequence[str | None],
        not_title: Set[int],
    ) -> int:
        """`j`, or the line right above it when that one reads as a headline too: two unpunctuated lines
        before the article are a headline and its standfirst, and the standfirst belongs to the body."""
        above = j - 1
        if above < 0 or above in not_title or infos[above] is infos[j]:
            return j
        if (
            reasons[above] in (None, "headline or link", "outside article body")
            and infos[above].words >= self.settings["min_headline_words"]
            and not infos[above].ends_sentence
            and not keys[above].endswith(":")
            and not infos[j].ends_sentence
        ):
            return above
        return j

    def _result(
        self,
        lines: Sequence[str],
        idx: Sequence[int],
        keep: set[int],
        reasons: Sequence[str | None],
        title: str | None,
        title_j: int | None,
    ) -> CleanResult:
        body = [
            normalize_line(lines[idx[j]])
            if _BULLET_RE.match(lines[idx[j]]) is None
            else lines[idx[j]].strip()
            for j in sorted(keep)
        ]
        removed = _group_removed(lines, idx, keep, reasons)
        return CleanResult(
            text="\n\n".join(body),
            title=title,
            removed=tuple(removed),
            body_lines=tuple(idx[j] for j in sorted(keep)),
        )

    # HTML ------------------------------------------------------------------------------------------------------

    def clean_html(self, html: str, *, title: str | None = None) -> CleanResult:
        """Article body and metadata of an HTML page: trafilatura's main text, then the line filters."""
        import trafilatura

        extracted = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=True,
            include_images=False,
            with_metadata=True,
            fast=_count_up_to(_BLOCK_TAG_RE, html, MAX_FALLBACK_BLOCKS + 1) > MAX_FALLBACK_BLOCKS,
        )
        body_lines: list[str] = []
        meta_title = meta_date = None
        if extracted is not None:
            meta_title = getattr(extracted, "title", None)
            meta_date = getattr(extracted, "date", None)
            body_lines = [line for line in (getattr(extracted, "text", "") or "").split("\n") if line.strip()]
        title = title or meta_title
        description = getattr(extracted, "description", None) if extracted is not None else None
        visible = self._visible_blocks(html)  # parsed once: for the standfirst check and the removal record
        if (
            description
            and any(text == normalize_line(description) for text, _ in visible)
            and not any(normalize_line(description) == normalize_line(line) for line in body_lines)
        ):
            body_lines.insert(
                0, description.strip()
            )  # a standfirst shown on the page that trafilatura left out
        kept: list[str] = []
        removed: list[RemovedBlock] = []
        for i, line in enumerate(body_lines):
            key = normalize_line(line)
            info = self.describe(key)
            reason = self.cue(key, info)
            if reason is None and self.is_section_header(key, info):
                reason = "story list"
            if reason is None and title and key.lower() == normalize_line(title).lower():
                reason = "title"
            if reason is None:
                kept.append(line.strip())
            else:
                removed.append(RemovedBlock(i, i + 1, reason, key[:MAX_REMOVED_TEXT]))
        kept_keys = {normalize_line(k) for k in kept}
        removed.extend(block for text, block in visible if text not in kept_keys)
        return CleanResult(text="\n\n".join(kept), title=title, date=meta_date, removed=tuple(removed))

    @cached_property
    def _block_tags(self) -> frozenset[str]:
        return frozenset(
            [
                "p",
                "li",
                "h1",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "td",
                "th",
                "figcaption",
                "blockquote",
                "dd",
                "dt",
                "pre",
                "caption",
                "label",
                "button",
            ]
        )

    def _visible_blocks(self, html: str) -> list[tuple[str, RemovedBlock]]:
        """Each visible text block of the page (normalised text), with where it sat as a removal record."""
        import lxml.html
        from lxml import etree

        try:
            # control characters survive parsing but make lxml refuse the text when drop_tree moves it
            root = lxml.html.document_fromstring(_XML_INCOMPATIBLE_RE.sub("", html))
        except (etree.ParserError, ValueError):
            return []
        for bad in root.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        blocks: list[tuple[str, RemovedBlock]] = []
        for n, el in enumerate(root.iter()):
            if not isinstance(el.tag, str) or el.tag not in self._block_tags:
                continue
            if any(isinstance(c.tag, str) and c.tag in self._block_tags for c in el.iterdescendants()):
                continue
            text = normalize_line(el.text_content())
            if text:
                blocks.append((text, RemovedBlock(n, n + 1, _html_region(el), text[:MAX_REMOVED_TEXT])))
        return blocks


_REGION_WORDS = (
    ("nav", "navigation"),
    ("menu", "navigation"),
    ("footer", "footer"),
    ("header", "header"),
    ("aside", "sidebar"),
    ("sidebar", "sidebar"),
    ("related", "story list"),
    ("share", "share"),
    ("social", "share"),
    ("cookie", "cookie"),
    ("consent", "cookie"),
    ("comment", "comments"),
    ("newsletter", "follow"),
    ("subscribe", "follow"),
    ("advert", "advertisement"),
    ("promo", "advertisement"),
)


def _html_region(el: Any) -> str:
    """Why an HTML block is outside the body, from the tags, ids and classes of its ancestors."""
    for anc in [el, *el.iterancestors()]:
        names = " ".join([anc.tag, anc.get("id", ""), anc.get("class", ""), anc.get("role", "")]).lower()
        for word, reason in _REGION_WORDS:
            if word in names:
                return f"html {reason}"
    if el.tag in ("h1", "title"):
        return "title"
    return "outside main content"


def _count_up_to(pattern: re.Pattern[str], text: str, limit: int) -> int:
    """Matches of `pattern` in `text`, counting stops at `limit`."""
    n = 0
    for _ in pattern.finditer(text):
        n += 1
        if n >= limit:
            break
    return n


def _wrapped_paragraphs(idx: Sequence[int], keys: Sequence[str], bullets: Sequence[bool]) -> list[list[int]]:
    """Runs of adjacent lines (no blank line between) where each next line continues the paragraph of the line
    before: it starts in lower case, or the page is hard-wrapped and the line before fills the page width. Only
    runs of two or more lines."""
    full_width = _wrap_width(idx, keys)
    runs: list[list[int]] = []
    run = [0]
    for j in range(1, len(idx)):
        if (
            idx[j] == idx[j - 1] + 1
            and not bullets[j]
            and (_continues(keys[j - 1], keys[j]) or (full_width and len(keys[j - 1]) >= full_width))
        ):
            run.append(j)
            continue
        if len(run) > 1:
            runs.append(run)
        run = [j]
    if len(run) > 1:
        runs.append(run)
    return runs


def _wrap_width(idx: Sequence[int], keys: Sequence[str]) -> int | None:
    """The length from which a line counts as filling the page width, if the page is hard-wrapped (text from a
    PDF or an e-mail at a fixed width): several lines that end mid-sentence are continued in lower case on the
    next line, and such lines are about as long as the page's longest line. None otherwise."""
    longest = max((len(k) for k in keys), default=0)
    if longest < 50:
        return None
    threshold = int(0.8 * longest)
    wraps = sum(
        1
        for j in range(1, len(idx))
        if idx[j] == idx[j - 1] + 1 and len(keys[j - 1]) >= threshold and _continues(keys[j - 1], keys[j])
    )
    return threshold if wraps >= 3 else None


def _continues(prev: str, nxt: str) -> bool:
    return bool(prev) and bool(nxt) and nxt[0].islower() and not prev.endswith(":")


def _best_span(scores: Sequence[float]) -> tuple[int, int]:
    """[start, end) of the contiguous run of lines with the largest total score (Kadane)."""
    best, best_span = float("-inf"), (0, 1)
    total, start = 0.0, 0
    for j, sc in enumerate(scores):
        if total <= 0:
            total, start = sc, j
        else:
            total += sc
        if total > best:
            best, best_span = total, (start, j + 1)
    return best_span


def _group_removed(
    lines: Sequence[str], idx: Sequence[int], keep: set[int], reasons: Sequence[str | None]
) -> list[RemovedBlock]:
    """Consecutive removed lines with the same reason as one block (blank lines between them join the block)."""
    blocks: list[RemovedBlock] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            first, last = idx[run[0]], idx[run[-1]]
            text = " | ".join(normalize_line(lines[idx[j]]) for j in run)
            blocks.append(
                RemovedBlock(first, last + 1, reasons[run[0]] or "removed", text[:MAX_REMOVED_TEXT])
            )

    for j in range(len(idx)):
        if j in keep:
            flush()
            run = []
        elif run and reasons[j] == reasons[run[0]]:
            run.append(j)
        else:
            flush()
            run = [j]
    flush()
    return blocks


def repeated_lines(texts: Iterable[str], min_docs: int) -> frozenset[str]:
    """Normalised lines that occur in at least `min_docs` of the given documents (of one source)."""
    counts: dict[str, int] = {}
    for text in texts:
        for key in {normalize_line(line) for line in text.split("\n") if line.strip()}:
            counts[key] = counts.get(key, 0) + 1
    return frozenset(k for k, c in counts.items() if c >= min_docs)
