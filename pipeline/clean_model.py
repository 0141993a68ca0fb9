"""A learned second opinion on the plain-text cleaner's line decisions.

The rules in `clean.py` (`Cleaner.analyse`) decide each line from hand-set scores; this module turns that analysis
into a feature vector per line (the line's own features, the rule decisions and reasons, and the same for its
neighbours) and a learned model (`configs/cleaner_model.json`, trained by `scripts/train_cleaner.py` on the dev
pages of `data/boilerplate/` only) gives the probability that the line is article body. The model is either a
logistic regression (a dot product) or boosted regression trees (`Trees`, walked with numpy for all lines and trees
at once); nothing here needs scikit-learn. `decide` turns the probabilities into
body lines with a few structural rules that hold on any site (wrapped paragraphs, in-article and numbered section
headings, pull quotes), and the training script scores held-out pages through the same function.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.clean import Analysis, LineInfo
from pipeline.errors import ConfigError

# Reasons the rules give (cue names come from configs/cleaner.toml and are added at run time).
BASE_REASONS = (
    "repeated across pages of this source",
    "story list",
    "date or byline",
    "no words",
    "menu or label",
    "headline or link",
    "short line",
    "caption",
    "outside article body",
    "title",
)
_WORD_BINS = (1, 3, 7, 15, 30)


def _bins(words: int) -> list[float]:
    return [float(words <= b) for b in _WORD_BINS]


@dataclass(frozen=True)
class FeatureSpace:
    reasons: tuple[str, ...]  # one-hot vocabulary of rule reasons

    def names(self) -> list[str]:
        own = [
            "kept",
            "in_span",
            "score",
            "log_words",
            *[f"words<={b}" for b in _WORD_BINS],
            "ends_sentence",
            "stop_ratio",
            "title_ratio",
            "bullet",
            "repeated",
            "paragraph",
            "quote",
            "colon_end",
            "position",
            "near_kept",
            "between_kept",
            "lower_start",
            "numbered",
            "upper_ratio",
            "symbol_start",
            "separators",
            "duplicate",
            "leads_paragraph",
            "sandwiched",
            "similar_run",
            "wrapped",
            "para_before3",
            "para_after3",
            "para_around3",
            "repeated_around",
            "numbered_heading",
            "numbered_section",
            "quoted_from_paragraph",
            "section_header",
            "below_comments",
            "colon_list",
            "heads_list",
            "standfirst",
            "cue_in_text",
            "field",
            "field_run",
            *[f"reason={r}" for r in self.reasons],
            *[f"first_reason={r}" for r in self.reasons],
        ]
        ctx = []
        for d in (-2, -1, 1, 2):
            ctx += [f"{d}:kept", f"{d}:paragraph", f"{d}:short", f"{d}:chrome_cue", f"{d}:absent"]
        return [*own, *ctx, "bias"]

    def vectors(self, a: Analysis) -> list[list[float]]:
        n = len(a.keys)
        start, end = a.span
        reason_index = {r: k for k, r in enumerate(self.reasons)}
        kept = [j in a.keep for j in range(n)]
        kept_pos = [j for j in range(n) if kept[j]]
        para = a.paragraphs
        cue_names = set(self.reasons) - set(BASE_REASONS)
        nearest_kept = _distance_to_nearest(kept, missing=10)
        dup, quoted = _duplicates(a.keys, a.title, para)
        last_kept = max(kept_pos, default=n)
        # user comments: lines below a comments header that follows the article body
        comments_from = next((k for k in range(last_kept + 1, n) if a.first_reasons[k] == "comments"), n)
        shapes = [_shape(a, j) for j in range(n)]
        leads = [
            not a.infos[j].ends_sentence and a.infos[j].words <= 12 and j + 1 < n and para[j + 1]
            for j in range(n)
        ]
        wrapped = {j for block in a.blocks for j in block}
        # a paragraph within three lines on each side: the line sits inside the running text
        before = [any(para[max(0, j - 3) : j]) for j in range(n)]
        after = [any(para[j + 1 : j + 4]) for j in range(n)]
        numbered = [_NUMBERED_RE.match(a.lines[a.idx[j]]) is not None for j in range(n)]
        sections = _numbered_sections(a, para)
        colon_list, heads_list = _lists(a)
        standfirst = _standfirsts(a)
        # a sentence with a loose cue word inside the running text ("... 'cookie walls' and tracking pixels",
        # "Comments on the draft can be sent to the ministry ..."): the story may be about the thing the cue names
        text_around = [para[k] or kept[k] for k in range(n)]
        cue_in_text = [
            a.first_reasons[j] in cue_names
            and a.first_reasons[j] not in _HARD_CUES
            and para[j]
            and 0 < j < n - 1
            and text_around[j - 1]
            and text_around[j + 1]
            for j in range(n)
        ]
        # "Capacity: 10 mtpa", "Flag: Panama": a field line, and three of them within five lines, a data box
        field = [
            _FIELD_RE.match(a.keys[j]) is not None and a.infos[j].words <= _FIELD_MAX_WORDS for j in range(n)
        ]
        field_run = [field[j] and sum(field[max(0, j - 2) : j + 3]) >= 3 for j in range(n)]
        rows = []
        for j in range(n):
            info: LineInfo = a.infos[j]
            key = a.keys[j]
            near = nearest_kept[j]
            prev_kept = any(kept[k] for k in range(max(0, j - 2), j))
            next_kept = any(kept[k] for k in range(j + 1, min(n, j + 3)))
            one_hot = [0.0] * len(self.reasons)
            first_hot = [0.0] * len(self.reasons)
            if (r := a.reasons[j]) in reason_index:
                one_hot[reason_index[r]] = 1.0
            if (r := a.first_reasons[j]) in reason_index:
                first_hot[reason_index[r]] = 1.0
            row = [
                float(kept[j]),
                float(start <= j < end),
                max(-3.0, min(12.0, a.scores[j])) / 4,
                math.log1p(info.words) / 4,
                *_bins(info.words),
                float(info.ends_sentence),
                info.stop_ratio,
                info.title_ratio,
                float(a.bullets[j]),
                float(a.repeated[j]),
                float(para[j]),
                float(key[:1] in "\"“‘'"),
                float(key.endswith(":")),
                j / max(1, n - 1),
                min(near, 10) / 10,
                float(prev_kept and next_kept),
                float(key[:1].islower()),
                float(numbered[j]),
                _upper_ratio(key),
                float(_is_symbol_start(key)),
                min(3, len(_SEPARATOR_RE.findall(key))) / 3,
                float(dup[j]),
                float(leads[j]),
                float(leads[j] and j > 0 and (para[j - 1] or kept[j - 1])),
                _similar_run(shapes, j),
                float(j in wrapped),
                float(before[j]),
                float(after[j]),
                float(before[j] and after[j]),
                float(a.repeated[j] and before[j] and after[j]),
                float(numbered[j] and not info.ends_sentence and info.words <= 8 and after[j]),
                float(j in sections),
                float(quoted[j]),
                float(
                    a.first_reasons[j] == "story list" or (a.reasons[j] == "story list" and info.words <= 6)
                ),
                float(j > comments_from),
                float(colon_list[j]),
                float(heads_list[j]),
                float(standfirst[j]),
                float(cue_in_text[j]),
                float(field[j]),
                float(field_run[j]),
                *one_hot,
                *first_hot,
            ]
            for d in (-2, -1, 1, 2):
                k = j + d
                if 0 <= k < n:
                    row += [
                        float(kept[k]),
                        float(para[k]),
                        float(a.infos[k].words <= 3),
                        float(a.first_reasons[k] in cue_names),
                        0.0,
                    ]
                else:
                    row += [0.0, 0.0, 0.0, 0.0, 1.0]
            rows.append([*row, 1.0])
        return rows


@dataclass(frozen=True)
class Trees:
    """Boosted regression trees, all nodes of all trees in flat arrays: at inner node k a line goes to `left[k]`
    when its feature `feature[k]` is at most `threshold[k]`, else to `right[k]`; a leaf points to itself on both
    sides, so `depth` steps from the roots (`roots`) bring every line to a leaf, whose `value` is added to the
    log-odds, which start at `base`."""

    base: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int

    @classmethod
    def from_json(cls, data: dict, n_features: int) -> Trees:
        """From the per-tree lists that scripts/train_cleaner.py writes (node indices local to their tree)."""
        keys = ("feature", "threshold", "left", "right", "value", "leaf")
        if len({len(data[k]) for k in keys}) != 1:
            raise ValueError("tree arrays of different lengths")
        trees = zip(*(data[k] for k in keys), strict=True)
        roots, feature, threshold, left, right, value = [], [], [], [], [], []
        depth = 0
        for t, (feat, thr, lo, hi, val, leaf) in enumerate(trees):
            size, offset = len(leaf), len(feature)
            if not size or any(len(col) != size for col in (feat, thr, lo, hi, val)):
                raise ValueError(f"tree {t}: node arrays of different lengths")
            for k in range(size):
                if leaf[k]:
                    feature.append(0)
                    threshold.append(0.0)
                    left.append(offset + k)
                    right.append(offset + k)
                    continue
                if not 0 <= feat[k] < n_features:
                    raise ValueError(f"tree {t}: a split on feature {feat[k]}, outside the feature space")
                if not (k < lo[k] < size and k < hi[k] < size):
                    raise ValueError(f"tree {t}: node {k} has a child outside its tree or above it")
                feature.append(int(feat[k]))
                threshold.append(float(thr[k]))
                left.append(offset + int(lo[k]))
                right.append(offset + int(hi[k]))
            roots.append(offset)
            value.extend(float(v) if lf else 0.0 for v, lf in zip(val, leaf, strict=True))
            depth = max(depth, _tree_depth(lo, hi, leaf))
        return cls(
            float(data["base"]),
            np.array(roots, dtype=np.int64),
            np.array(feature, dtype=np.int64),
            np.array(threshold, dtype=np.float64),
            np.array(left, dtype=np.int64),
            np.array(right, dtype=np.int64),
            np.array(value, dtype=np.float64),
            depth,
        )

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of body for each row of `x` (lines × features)."""
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        line = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            goes_left = x[line, self.feature[node]] <= self.threshold[node]
            node = np.where(goes_left, self.left[node], self.right[node])
        return self.base + self.value[node].sum(axis=1)


def _tree_depth(left: Sequence[int], right: Sequence[int], leaf: Sequence[bool]) -> int:
    """Splits on the longest path from the root (node 0) to a leaf; children come after their parent."""
    depth = [0] * len(leaf)
    for k in range(len(leaf)):
        if not leaf[k]:
            depth[left[k]] = depth[right[k]] = depth[k] + 1
    return max(depth)


@dataclass(frozen=True)
class LineModel:
    space: FeatureSpace
    weights: tuple[float, ...]
    threshold: float
    trees: Trees | None = None  # when set, the model is the trees and `weights` is empty

    @classmethod
    def load(cls, path: Path) -> LineModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            space = FeatureSpace(tuple(data["reasons"]))
            threshold = float(data["threshold"])
            if "trees" in data:
                return cls(space, (), threshold, Trees.from_json(data["trees"], len(space.names())))
            weights = tuple(float(w) for w in data["weights"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"{path}: not a cleaner model: {e}") from None
        if len(weights) != len(space.names()):
            raise ConfigError(f"{path}: {len(weights)} weights for {len(space.names())} features")
        return cls(space, weights, threshold)

    def probabilities(self, a: Analysis) -> list[float]:
        rows = self.space.vectors(a)
        if self.trees is not None:
            z = self.trees.log_odds(np.asarray(rows, dtype=np.float64).reshape(len(rows), -1))
            return [_sigmoid(float(v)) for v in z]
        return [_sigmoid(_dot(self.weights, row)) for row in rows]

    def body_lines(self, a: Analysis) -> set[int]:
        """Indices j of the lines the model calls body (see `decide`)."""
        return decide(a, self.probabilities(a), self.threshold)


def decide(a: Analysis, probs: Sequence[float], threshold: float) -> set[int]:
    """Body lines from the model's probabilities: the lines of a wrapped paragraph share one decision (their
    mean probability), the rules' title line is never body, and a heading is body when it opens body text that
    follows body text (an in-article subheading) or is one of the article's numbered section headings."""
    probs = list(probs)
    for block in a.blocks:
        mean = sum(probs[j] for j in block) / len(block)
        for j in block:
            probs[j] = mean
    # a short line the source repeats on its other pages is body only as a heading, summary label or list item
    # below ("Background", "Key takeaways"), never on its own ("Add to your selection", "Support us")
    probs = [
        0.0
        if a.first_reasons[j] == _REPEATED and not a.paragraphs[j] and a.infos[j].words <= _REPEATED_MAX_WORDS
        else p
        for j, p in enumerate(probs)
    ]
    # a line without a letter (a rule of dashes, a row of stars, a clip's running time) is never body
    body = {
        j
        for j, p in enumerate(probs)
        if p >= threshold and j != a.title_j and any(c.isalpha() for c in a.keys[j])
    }
    sections = _numbered_sections(a, a.paragraphs)
    n = len(a.keys)
    for j in range(n):
        if j in body or j == a.title_j or not _is_heading(a, j):
            continue
        # the text the heading opens may sit after one line of chrome (a source or page reference)
        # (a paragraph, or a short sentence or question: "Q: Who benefits?")
        opens = [
            k
            for k in (j + 1, j + 2)
            if k < n and k in body and (a.paragraphs[k] or a.infos[k].ends_sentence and a.infos[k].words >= 3)
        ]
        if opens and opens[0] == j + 2 and a.first_reasons[j + 1] in _LINE_REASONS:
            opens = []
        if not opens:
            continue
        if (
            j in sections
            or j - 1 in body
            or (j >= 2 and a.first_reasons[j - 1] not in _LINE_REASONS and j - 2 in body)
        ):
            body.add(j)
    for j in sections - body:
        if j != a.title_j and any(k in body for k in range(j + 1, min(n, j + 4))):
            body.add(j)
    # a summary label ("Key points", "Executive summary") over body text within a few lines is the article's
    for j in range(n):
        if j in body or j == a.title_j or not _SUMMARY_RE.match(a.keys[j]) or _vetoed(a, j):
            continue
        if any(k in body for k in range(j + 1, min(n, j + 1 + _SUMMARY_REACH))):
            body.add(j)
    # the items of a list whose lead-in is body ("The court directed that:", "Key moments"), unless a cue calls
    # them chrome
    in_list, _ = _lists(a)
    for j in range(1, n):
        if in_list[j] and j not in body and a.first_reasons[j] in _LINE_REASONS:
            lead = j - 1
            while lead > 0 and in_list[lead] and not _is_lead_in(a, lead):
                lead -= 1
            if lead in body and _is_lead_in(a, lead):
                body.add(j)
    body |= _enclosed_lists(a, body)
    body -= _bullet_menus(a)
    _, quoted = _duplicates(a.keys, a.title, a.paragraphs)
    # a pull quote: a quoted sentence that repeats words of a longer paragraph of the same page (a quoted
    # subheading is shorter)
    return {
        j
        for j in body
        if not (quoted[j] and a.keys[j][:1] in _QUOTES and a.infos[j].words >= 8) and not _vetoed(a, j)
    }


# cues precise enough that a body sentence does not match them ("Story continues below", "5 min read",
# "Page 2 of 4", "Correction, 2 May 2026:", "This interview has been edited for length and clarity"): a line one of
# them matches is chrome whatever the model says. The looser cues (nav's "More ..." and "Search ...", follow's
# "sign up", cookie's "personal data", credit's "Video, ...", paywall's "support independent journalism") also
# match body sentences, so the model weighs them with everything else.
_HARD_CUES = frozenset(
    {
        "advertisement",
        "teaser",
        "media",
        "page_reference",
        "contents",
        "citation",
        "correction",
        "contact",
        "edited_note",
        "tip_line",
        "developing",
        "embed",
        "disclaimer",
        "photo_credit",
        "pull_quote",
        "promo",
    }
)


# A section header (configs/cleaner.toml [sections]: "Related articles", "Most read", "About the author", "Notes
# to editors") is chrome whatever the model says, except the headers of a note on method ("How we did this",
# "About this investigation"), which some articles end with: on the dev pages 448 header lines are chrome and the
# 5 that are body are all of that kind.
_METHOD_HEADER_RE = re.compile(r"^\W*(how we|about this)\b", re.IGNORECASE)


_REPEATED = "repeated across pages of this source"
# a short line that is not a paragraph: what the source repeats as template, where a repeated paragraph may be a
# syndicated or updated story
_REPEATED_MAX_WORDS = 12
_FIELD_RE = re.compile(r"^[A-Z][\w/&().'’-]*(?: [\w/&().'’-]+){0,3}:\s+\S")
_FIELD_MAX_WORDS = 15


def _vetoed(a: Analysis, j: int) -> bool:
    reason = a.first_reasons[j]
    return reason in _HARD_CUES or (reason == "story list" and not _METHOD_HEADER_RE.match(a.keys[j]))


# reasons the rules give a line for its shape alone, which an in-article heading may also have
_HEADING_REASONS = (
    "headline or link",
    "menu or label",
    "short line",
    _REPEATED,
    None,
)
# reasons from the line's own shape rather than a cue phrase
_LINE_REASONS = (
    *_HEADING_REASONS,
    "date or byline",
    "outside article body",
    "caption",
    "story list",
    "title",
)


def _is_heading(a: Analysis, j: int) -> bool:
    info = a.infos[j]
    if (
        info.ends_sentence
        or not 1 <= info.words <= 10
        or a.bullets[j]
        and not _NUMBERED_RE.match(a.lines[a.idx[j]])
    ):
        return False
    return a.first_reasons[j] in _HEADING_REASONS


_NUMBERED_RE = re.compile(r"^\s*\d{1,3}(\.\d{1,2})*[.)]\s+\S")
_QUOTE_WINDOW = 30
_QUOTES = "\"“”‘’'«»„"
_SECTION_NUMBER_RE = re.compile(r"^\s*(\d{1,2})[.)]\s+\S")
_SEPARATOR_RE = re.compile(r"\s[·|•/»›]\s")
_TOKEN_RE = re.compile(r"\w+")


def _upper_ratio(key: str) -> float:
    """Share of words (two letters or more) written in capitals: headings of reports and agency copy."""
    words = [w for w in _TOKEN_RE.findall(key) if len(w) > 1 and w[0].isalpha()]
    return sum(w.isupper() for w in words) / len(words) if words else 0.0


def _is_symbol_start(key: str) -> bool:
    """The line opens with a pictograph or symbol (an emoji, ▶, ✉, or a keycap such as 1️⃣): widget chrome."""
    head = key[:3]
    return any(unicodedata.category(c) == "So" or c in "\ufe0f\u20e3" for c in head)


def _duplicates(
    keys: Sequence[str], title: str | None, paragraphs: Sequence[bool]
) -> tuple[list[bool], list[bool]]:
    """For lines of four words or more: whether the same words make up another line of the page or the known
    headline (headlines repeated in story lists and teasers), and whether they appear inside a longer paragraph
    within `_QUOTE_WINDOW` lines (pull quotes sit next to the paragraph they repeat; the window also keeps the
    work linear in the length of the page)."""
    tokens = [" ".join(_TOKEN_RE.findall(k.lower())) for k in keys]
    counts = Counter(tokens)
    if title:
        counts[" ".join(_TOKEN_RE.findall(title.lower()))] += 1
    same, quoted = [], []
    for j, t in enumerate(tokens):
        if t.count(" ") < 3:
            same.append(False)
            quoted.append(False)
            continue
        same.append(counts[t] > 1)
        near = range(max(0, j - _QUOTE_WINDOW), min(len(tokens), j + _QUOTE_WINDOW + 1))
        quoted.append(
            any(k != j and paragraphs[k] and len(tokens[k]) > len(t) + 20 and t in tokens[k] for k in near)
        )
    return same, quoted


def _distance_to_nearest(flags: Sequence[bool], missing: int) -> list[int]:
    """For each position, the distance to the nearest true flag (`missing` when there is none); linear time."""
    n = len(flags)
    out = [n + missing] * n
    last = None
    for j in range(n):
        if flags[j]:
            last = j
        if last is not None:
            out[j] = j - last
    last = None
    for j in range(n - 1, -1, -1):
        if flags[j]:
            last = j
        if last is not None:
            out[j] = min(out[j], last - j)
    return [d if d < n + missing else missing for d in out]


def _numbered_sections(a: Analysis, paragraphs: Sequence[bool]) -> set[int]:
    """Short numbered lines ("2. CEASEFIRE AND SECURITY") whose neighbour in the numbering comes later on the
    page with a paragraph between them: section headings of the article, not a numbered list of links (whose
    items sit on adjacent lines)."""
    heads: list[tuple[int, int]] = []  # (j, number)
    for j in range(len(a.keys)):
        m = _SECTION_NUMBER_RE.match(a.lines[a.idx[j]])
        if m and not a.infos[j].ends_sentence and a.infos[j].words <= 10:
            heads.append((j, int(m.group(1))))
    found: set[int] = set()
    for (j, num), (k, nxt) in zip(heads, heads[1:], strict=False):
        between = range(j + 1, k)
        if nxt == num + 1 and any(paragraphs[i] or a.bullets[i] and a.infos[i].words >= 5 for i in between):
            found.update((j, k))
    return found


_LIST_MAX_ITEMS = 12
# labels of an article's own summary or timeline; "Key facts" boxes are more often sidebars, so not here
_SUMMARY_RE = re.compile(
    r"^(key (points|findings|takeaways|moments|messages|dates|questions)|executive summary|summary|at a glance"
    r"|in summary|in short|what we know( so far)?|main points)\W*$",
    re.IGNORECASE,
)
_SUMMARY_REACH = 8  # lines below a summary label within which body text must start


def _is_lead_in(a: Analysis, k: int) -> bool:
    """A line that introduces a list: a phrase of three words or more ending with a colon, or a summary label."""
    key = a.keys[k]
    return (key.endswith(":") and a.infos[k].words >= 3) or _SUMMARY_RE.match(key) is not None


_MENU_MIN_ITEMS = 3


def _bullet_menus(a: Analysis) -> set[int]:
    """Runs of three or more bullet points of one or two words each with no lead-in above them ("• Politics",
    "• World", "• Sports"): a site's menu saved as a list, never the article's (whose lists of names follow a
    lead-in such as "The signatories:")."""
    n = len(a.keys)
    short = [a.bullets[j] and a.infos[j].words <= 2 for j in range(n)]
    found: set[int] = set()
    j = 0
    while j < n:
        if not short[j]:
            j += 1
            continue
        k = j
        while k + 1 < n and short[k + 1]:
            k += 1
        if k - j + 1 >= _MENU_MIN_ITEMS and not (j > 0 and _is_lead_in(a, j - 1)):
            found.update(range(j, k + 1))
        j = k + 1
    return found


def _item_shape(a: Analysis, j: int) -> tuple[bool, bool, bool]:
    """Bullet point, starts in lower case, reads as a paragraph."""
    key = a.keys[j]
    return a.bullets[j], key[:1].islower(), a.paragraphs[j]


def _lists(a: Analysis) -> tuple[list[bool], list[bool]]:
    """Lists that belong to the text around them: the lines right below a lead-in ("The court directed that:",
    "Day rates, Baltic to Mediterranean:", "Key moments"), up to the next blank line (a colon lead-in may stand one
    blank line above its first item); and a short label right above two or more bullet points that read as
    sentences ("Key takeaways")."""
    n = len(a.keys)
    # line j follows line j - 1 with no blank line between them
    joined = [j > 0 and a.idx[j] == a.idx[j - 1] + 1 for j in range(n)]
    # a page saved without blank lines says nothing by them about where a list ends: there the list ends at the
    # first line of another shape than its first item ("require ...;" items, then "Marrowfield says ...")
    blankless = n > 1 and sum(joined) >= 0.9 * (n - 1)
    in_list = [False] * n
    for k in range(n):
        if _is_lead_in(a, k):
            j = k + 1
            # a lead-in ending with a colon may stand one blank line above its first item
            if j < n and not joined[j] and a.keys[k].endswith(":") and a.idx[j] == a.idx[k] + 2:
                in_list[j] = True
                j += 1
            first = j
            while j < n and joined[j] and j - k <= _LIST_MAX_ITEMS:
                if blankless and j > first and _item_shape(a, j) != _item_shape(a, first):
                    break
                in_list[j] = True
                j += 1
    heads = [False] * n
    for j in range(n - 2):
        if a.infos[j].ends_sentence or a.infos[j].words > 6 or a.bullets[j]:
            continue
        items = [k for k in (j + 1, j + 2) if joined[k] and a.bullets[k] and a.infos[k].words >= 5]
        heads[j] = len(items) == 2
    return in_list, heads


# forms of the items of a list inside the article: "Verdict: four-year ban", "1988: MBE for services to ...",
# "12 March - talks collapse", a bullet point, a name ("Valdonian Judo Union"), a table row ("Spain | 65 | 50")
_LABEL_ITEM_RE = re.compile(r"^[^\W\d][\w'’&/(). -]{0,40}?:\s+\S")
_DATED_ITEM_RE = re.compile(
    r"^(\d{4}(\s*[–-]\s*\d{2,4})?|\d{1,2} [A-Z][a-z]+( \d{4})?|[A-Z][a-z]+ \d{1,2}(, \d{4})?)\s*[:–—-]\s+\S"
)
_ENCLOSED_MAX_ITEMS = 12


def _item_form(a: Analysis, j: int) -> str | None:
    key, info = a.keys[j], a.infos[j]
    if (cells := key.count(" | ")) and info.words <= 30:
        return f"row of {cells + 1}"  # a table flattened to text, "Donor | Pledged | Paid"
    if info.words > 20 or _SEPARATOR_RE.search(key):
        return None
    if a.bullets[j]:
        return "bullet"
    if _DATED_ITEM_RE.match(key):
        return "dated"
    if _LABEL_ITEM_RE.match(key) and len(key.split(":", 1)[0].split()) <= 4:
        return "label"
    if not info.ends_sentence and info.title_ratio >= 0.6 and info.words <= 12:
        return "name"
    return None


def _enclosed_lists(a: Analysis, body: set[int]) -> set[int]:
    """A list standing inside the article: two or more lines of one item form, on consecutive lines, with body
    text right above (or a subheading over body text) and right below (body text, a row of the same table, or a
    subheading over body text), and no cue on any of them (a table row may carry a loose one); the subheading over
    the list comes with it. A list of names needs that subheading or a
    colon lead-in and at least three of them: bare names between paragraphs are too often links or commenters."""
    n = len(a.keys)
    found: set[int] = set()
    j = 1
    while j < n:
        if j in body or j == a.title_j:
            j += 1
            continue
        k = j
        while (
            k + 1 < n
            and k + 1 not in body
            and a.idx[k + 1] == a.idx[k] + 1
            and k + 1 - j < _ENCLOSED_MAX_ITEMS
        ):
            k += 1
        run = list(range(j, k + 1))
        j = k + 1
        if any(_vetoed(a, i) or i == a.title_j for i in run):
            continue
        loose_cue = any(a.first_reasons[i] not in _LINE_REASONS for i in run)
        head = run[0] if _is_heading(a, run[0]) and _item_form(a, run[0]) != "dated" else None
        items = run[1:] if head is not None else run
        forms = {_item_form(a, i) for i in items}
        if len(items) < 2 or len(forms) != 1 or None in forms:
            # a first line that looks like a subheading may be an item itself ("Appeal: dismissed" over
            # "Costs: ..."): try the whole run as items
            forms = {_item_form(a, i) for i in run}
            if len(run) < 2 or len(forms) != 1 or None in forms or head is None:
                continue
        before = run[0] - 1
        above_ok = before in body or (before >= 1 and _is_heading(a, before) and before - 1 in body)
        after = k + 1
        form = next(iter(forms))
        below_ok = after < n and (
            after in body
            and (
                a.paragraphs[after]
                or a.infos[after].ends_sentence
                or form.startswith("row")
                and _item_form(a, after) == form
            )
            or _is_heading(a, after)
            and after + 1 < n
            and after + 1 in body
        )
        if not (above_ok and below_ok):
            continue
        if loose_cue and not form.startswith("row"):
            continue  # a table's "Source | Amount" header may match a cue; other items may not
        if form.startswith("row") and sum(any(c.isdigit() for c in a.keys[i]) for i in items) * 2 < len(
            items
        ):
            continue  # rows of a table hold figures; a stack of "Home | News | Sport" menus does not
        if forms == {"name"} and (
            len(items) < 3 or head is None and not (before in body and a.keys[before].endswith(":"))
        ):
            continue
        found.update(run)
        if before not in body:
            found.add(before)
    return found


def _standfirsts(a: Analysis) -> list[bool]:
    """Lines that may be the article's standfirst: a summary phrase of six words or more, without a cue or a full
    stop, in the five lines above the first paragraph the rules keep ("Judges rule the ministry was entitled to
    rely on ...")."""
    n = len(a.keys)
    first = next((j for j in range(n) if a.paragraphs[j] and j in a.keep), None)
    out = [False] * n
    if first is None:
        return out
    for j in range(max(0, first - 5), first):
        info = a.infos[j]
        out[j] = (
            j != a.title_j
            and not info.ends_sentence
            and 6 <= info.words <= 40
            and a.first_reasons[j] in _HEADING_REASONS
            and not a.bullets[j]
        )
    return out


def _shape(a: Analysis, j: int) -> tuple[bool, ...]:
    info = a.infos[j]
    return (
        a.bullets[j],
        _is_symbol_start(a.keys[j]),
        info.ends_sentence,
        info.words <= 3,
        info.words <= 15,
        info.title_ratio >= 0.6,
    )


def _similar_run(shapes: Sequence[tuple[bool, ...]], j: int) -> float:
    """Share of the lines within two of j that have the same shape: lists repeat one shape line after line."""
    near = [shapes[k] for k in (j - 2, j - 1, j + 1, j + 2) if 0 <= k < len(shapes)]
    return sum(s == shapes[j] for s in near) / len(near) if near else 0.0


def _dot(w: Sequence[float], x: Sequence[float]) -> float:
    return sum(a * b for a, b in zip(w, x, strict=True))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
