"""Second annotation pass over the news gold corpus.

    .venv/bin/python scripts/news_gold_agreement.py prepare OUT_DIR ID...   # unannotated copies for annotator 2
    .venv/bin/python scripts/news_gold_agreement.py score                   # agreement -> data/news_gold/agreement.json

`prepare` writes each article's header and plain text (markup removed, one paragraph a line) and an empty
relation section, so the second annotator starts from the same text without seeing the first annotation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.config import Config
from pipeline.gold.newsgold import RELATIONS_MARK, agreement, parse_article

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "news_gold"


def prepare(out: Path, ids: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for aid in ids:
        path = CORPUS / "articles" / f"{aid}.txt"
        article = parse_article(path.read_text(encoding="utf-8"), str(path))
        header = "\n".join(f"{k}: {v}" for k, v in article.header.items())
        body = article.text
        (out / path.name).write_text(f"{header}\n\n{body}\n\n{RELATIONS_MARK}\n", encoding="utf-8")
    print(f"{len(ids)} files → {out}")


def score() -> None:
    result = agreement(Config(ROOT / "configs"), CORPUS)
    summary = {
        name: {k: r["micro"][k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")}
        for name, r in result.items()
        if name != "articles"
    }
    summary["articles"] = result["articles"]
    (CORPUS / "agreement.json").write_text(
        json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(Path(sys.argv[2]), sys.argv[3:])
    elif sys.argv[1:2] == ["score"]:
        score()
    else:
        sys.exit(__doc__)
