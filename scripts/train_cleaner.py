"""Train the cleaner's line model (pipeline/clean_model.py) on the dev pages of data/boilerplate/.

Model selection is by leave-one-site-out cross-validation over the dev sites, which estimates how the cleaner does
on a site style it has never seen (the situation of the test split and of real use). Test pages are never read.
The held-out pages are decided exactly as the cleaner decides them (`clean_model.decide`). The issue sets two
targets, body-line F1 0.95 and recall 0.97, so the setting chosen is the one that comes closest to meeting both:
the largest min(F1 / 0.95, recall / 0.975) (`--targets`). The recall target is raised by half a point because
recall on sites first seen blind has come out below the cross-validated figure (sessions 6 to 10: the raise was a
full point until session 11, when cleaner 10's test recall came out equal to its cross-validated recall, 0.974).
(Until session 9 the rule was the best F1 among settings with recall >= 0.98.)

The model is boosted regression trees by default (`--model trees`, settings in `TREE_SETTINGS`, fixed on the dev
set in session 11: at equal cross-validated recall they gave about 1.5 points more precision than the logistic
regression, `docs/runs/cleaner-session11.{trees,lr}-loso.log`); `--model lr` trains the logistic regression the
cleaner used until session 10.

    .venv/bin/python scripts/train_cleaner.py            # report CV figures, write configs/cleaner_model.json
    .venv/bin/python scripts/train_cleaner.py --dry-run  # report only
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from pipeline.clean import Analysis, Cleaner, repeated_lines
from pipeline.clean_model import BASE_REASONS, FeatureSpace, Trees, decide
from pipeline.config import Config
from pipeline.evaluate import load_pages

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)


def page_rows(
    cleaner: Cleaner, space: FeatureSpace, split: str
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, Analysis]]:
    """(site, features, gold body 0/1, rule decision 0/1, rule analysis) per dev text page."""
    pages = [p for p in load_pages(ROOT / "data" / "boilerplate", split) if p.fmt == "text"]
    min_docs = int(cleaner.settings["repeated_min_docs"])
    by_site: dict[str, list[str]] = defaultdict(list)
    for p in pages:
        by_site[p.site].append(p.content)
    repeated = {site: repeated_lines(texts, min_docs) for site, texts in by_site.items()}
    out = []
    for p in pages:
        a = cleaner.analyse(p.content, repeated_lines=repeated[p.site])
        x = np.array(space.vectors(a))
        y = np.array([p.labels[i] == "body" for i in a.idx], dtype=float)
        rule = np.array([j in a.keep for j in range(len(a.idx))], dtype=float)
        out.append((p.site, x, y, rule, a))
    return out


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float((y * pred).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / y.sum() if y.sum() else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=False, class_weight="balanced")
    model.fit(x, y)
    return model.coef_[0]


# Boosted trees: settings fixed once on the dev set (session 11), not searched per run.
TREE_SETTINGS = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "l2_regularization": 1.0}


def fit_trees(x: np.ndarray, y: np.ndarray) -> dict:
    """Boosted regression trees on the lines, body and chrome weighted equally (as `class_weight="balanced"`),
    exported in the form `clean_model.Trees` reads; the export is checked against scikit-learn's own output."""
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    model = HistGradientBoostingClassifier(**TREE_SETTINGS, random_state=0)
    model.fit(x, y, sample_weight=weight)
    # scikit-learn keeps the fitted trees in private attributes; the check below catches any change to them
    out: dict = {"base": float(np.ravel(model._baseline_prediction)[0])}
    for key in ("feature", "threshold", "left", "right", "value", "leaf"):
        out[key] = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        out["feature"].append(np.where(leaf, 0, nodes["feature_idx"]).astype(int).tolist())
        out["threshold"].append(np.where(leaf, 0.0, nodes["num_threshold"]).astype(float).tolist())
        out["left"].append(nodes["left"].astype(int).tolist())
        out["right"].append(nodes["right"].astype(int).tolist())
        out["value"].append(np.where(leaf, nodes["value"], 0.0).astype(float).tolist())
        out["leaf"].append([bool(v) for v in leaf])
    ours = 1 / (1 + np.exp(-Trees.from_json(out, x.shape[1]).log_odds(x)))
    theirs = model.predict_proba(x)[:, 1]
    if not np.allclose(ours, theirs, atol=1e-4):
        raise SystemExit(f"exported trees differ from scikit-learn by {np.abs(ours - theirs).max():.2g}")
    return out


def train_model(x: np.ndarray, y: np.ndarray, c: float | None):
    """A scorer (features → body probabilities) trained on x, y: boosted trees when `c` is None, else a
    logistic regression with inverse regularisation `c`."""
    if c is None:
        return trees_scorer(fit_trees(x, y), x.shape[1])
    w = fit(x, y, c)
    return lambda rows: 1 / (1 + np.exp(-(rows @ w)))


def trees_scorer(trees: dict, n_features: int):
    t = Trees.from_json(trees, n_features)
    return lambda x: 1 / (1 + np.exp(-t.log_odds(x)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument(
        "--targets",
        type=float,
        nargs=2,
        default=(0.95, 0.975),
        metavar=("F1", "RECALL"),
        help="choose the setting with the largest min(F1 / F1 target, recall / recall target), cross-validated",
    )
    ap.add_argument(
        "--model",
        choices=("trees", "lr"),
        default="trees",
        help="boosted trees (the shipped kind) or logistic regression (searched over C)",
    )
    ap.add_argument(
        "--grid", type=float, nargs=2, metavar=("C", "THRESHOLD"), help="try this setting only (C: lr only)"
    )
    ap.add_argument(
        "--show-errors", action="store_true", help="list the held-out line errors of the chosen setting"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "configs" / "cleaner_model.json")
    args = ap.parse_args()
    config = Config(ROOT / "configs")
    cleaner = Cleaner(config, line_model=False)  # the rules alone give the features
    cue_names = tuple(name for name, _ in cleaner.cues)
    space = FeatureSpace((*BASE_REASONS, *cue_names))
    rows = page_rows(cleaner, space, "dev")
    sites = sorted({s for s, *_ in rows})
    y_all = np.concatenate([r[2] for r in rows])
    rule_all = np.concatenate([r[3] for r in rows])
    print(f"{len(rows)} dev pages, {len(sites)} sites, {len(y_all)} lines, {int(y_all.sum())} body")
    p, r, f = prf(y_all, rule_all)
    print(f"rules (tuned on all dev sites, so optimistic): P {p:.3f} R {r:.3f} F1 {f:.3f}")
    best = None
    thresholds = (args.grid[1],) if args.grid else THRESHOLDS
    grid_c: tuple[float | None, ...] = (None,)
    if args.model == "lr":
        grid_c = (args.grid[0],) if args.grid else (0.3, 1.0, 3.0)
    held_by_c = {}
    for c in grid_c:
        held: list[np.ndarray] = [np.zeros(0)] * len(rows)  # each page scored by a model without its site
        for site in sites:
            train = [r for r in rows if r[0] != site]
            score = train_model(
                np.concatenate([r[1] for r in train]), np.concatenate([r[2] for r in train]), c
            )
            for k, r in enumerate(rows):
                if r[0] == site:
                    held[k] = score(r[1])
        held_by_c[c] = held
        for t in thresholds:
            pred = np.concatenate(
                [
                    np.array([j in decide(r[4], pr, t) for j in range(len(pr))], dtype=float)
                    for r, pr in zip(rows, held, strict=True)
                ]
            )
            p, rc, f = prf(y_all, pred)
            setting = f"{args.model}" + (f" C={c:<5}" if c is not None else "")
            print(f"{setting} threshold={t}: leave-one-site-out P {p:.3f} R {rc:.3f} F1 {f:.3f}", flush=True)
            # the setting nearest to both targets: the smaller of its two ratios to target, ties to recall
            key = (round(min(f / args.targets[0], rc / args.targets[1]), 4), rc)
            if best is None or key > best[0]:
                best = (key, f, p, rc, c, t)
    _, f, p, rc, c, t = best
    print(f"chosen {args.model} C={c} threshold={t}: leave-one-site-out F1 {f:.3f} (P {p:.3f} R {rc:.3f})")
    if args.show_errors:
        for r, pr in zip(rows, held_by_c[c], strict=True):
            body = decide(r[4], pr, t)
            for j, gold in enumerate(r[2]):
                if bool(gold) != (j in body):
                    a = r[4]
                    what = "DROPPED body" if gold else "KEPT chrome"
                    print(
                        f"{r[0]} line {a.idx[j] + 1}: {what} (p {pr[j]:.2f}, {a.reasons[j]}): {a.keys[j][:90]}"
                    )
    if args.dry_run:
        return
    x_all = np.concatenate([r[1] for r in rows])
    fitted = (
        {"trees": fit_trees(x_all, y_all), "settings": TREE_SETTINGS}
        if c is None
        else {"weights": [round(float(v), 6) for v in fit(x_all, y_all, c)]}
    )
    args.out.write_text(
        json.dumps(
            {
                "about": "Line model of the plain-text cleaner; trained by scripts/train_cleaner.py on dev sites only.",
                "trained_on": sites,
                "kind": "boosted trees" if c is None else "logistic regression",
                "C": c,
                "threshold": t,
                "cv": {
                    "scheme": "leave one site out",
                    "selection": f"largest min(F1 / {args.targets[0]}, recall / {args.targets[1]})",
                    "precision": round(p, 4),
                    "recall": round(rc, 4),
                    "f1": round(f, 4),
                },
                "reasons": list(space.reasons),
                "features": space.names(),
                **fitted,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
