"""Check annotated news gold articles (docs/annotation.md): parse, schema checks, and a one-line summary per file.

.venv/bin/python scripts/check_news_gold.py [FILE...]     # default: every data/news_gold/articles/*.txt
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from pipeline.config import Config
from pipeline.gold.newsgold import check_article, parse_article

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    config = Config(ROOT / "configs")
    paths = [Path(a) for a in argv] or sorted((ROOT / "data" / "news_gold" / "articles").glob("*.txt"))
    failed = 0
    mentions: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    for path in paths:
        article = parse_article(path.read_text(encoding="utf-8"), str(path))
        errors = check_article(article, config)
        words = len(article.text.split())
        if errors:
            failed += 1
            print("\n".join(errors))
        mentions.update(t for _, _, t, _ in article.mentions)
        relations.update(r for _, r, _, _, _ in article.relations)
        status = "FAIL" if errors else "ok"
        print(
            f"{status} {path.name}: {words} words, {len(article.mentions)} mentions, {len(article.relations)} relations"
        )
    print(f"{len(paths)} files, {failed} with errors")
    print("mentions:", dict(sorted(mentions.items())), sum(mentions.values()))
    print("relations:", dict(sorted(relations.items())), sum(relations.values()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
