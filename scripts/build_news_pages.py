"""Build the scraped form of the news gold articles: each article's body wrapped in one site's chrome, written in
the labelled-page marker format of data/boilerplate (`+` body, `T` headline, `-` boilerplate), so the gold body
lines are known by construction.

    .venv/bin/python scripts/build_news_pages.py     # writes data/news_gold/scraped/ng-NNN.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.gold.newspages import build_pages

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    corpus = ROOT / "data" / "news_gold"
    out = corpus / "scraped"
    out.mkdir(exist_ok=True)
    pages = build_pages(corpus)
    for name, text in pages.items():
        (out / f"{name}.txt").write_text(text, encoding="utf-8")
    print(f"{len(pages)} pages → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
