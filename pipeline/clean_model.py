"""A learned second opinion on the plain-text cleaner's line decisions.

The rules in `clean.py` (`Cleaner.analyse`) decide each line from hand-set scores; this module turns that analysis
into a feature vector per line (the line's own features, the rule decisions and reasons, and the same for its
neighbours) and a logistic-regression model (`configs/cleaner_model.json`, trained by
`scripts/train_cleaner.py` on the dev pages of `data/boilerplate/` only) gives the probability that the line is
article body. Inference is a dot product; nothing here needs scikit-learn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
        rows = []
        for j in range(n):
            info: LineInfo = a.infos[j]
            key = a.keys[j]
            near = min((abs(j - k) for k in kept_pos), default=10)
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
class LineModel:
    space: FeatureSpace
    weights: tuple[float, ...]
    threshold: float

    @classmethod
    def load(cls, path: Path) -> LineModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            space = FeatureSpace(tuple(data["reasons"]))
            weights = tuple(float(w) for w in data["weights"])
            threshold = float(data["threshold"])
        except (OSError, ValueError, KeyError) as e:
            raise ConfigError(f"{path}: not a cleaner model: {e}") from None
        if len(weights) != len(space.names()):
            raise ConfigError(f"{path}: {len(weights)} weights for {len(space.names())} features")
        return cls(space, weights, threshold)

    def probabilities(self, a: Analysis) -> list[float]:
        return [_sigmoid(_dot(self.weights, row)) for row in self.space.vectors(a)]

    def body_lines(self, a: Analysis) -> set[int]:
        """Indices j of the lines the model calls body; the rules' title line never is."""
        return {j for j, p in enumerate(self.probabilities(a)) if p >= self.threshold and j != a.title_j}


def _dot(w: Sequence[float], x: Sequence[float]) -> float:
    return sum(a * b for a, b in zip(w, x, strict=True))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
