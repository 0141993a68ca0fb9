#!/usr/bin/env python3
"""List CoNLL-2003 mentions to review for `configs/gold/conll2003.reviewed.tsv`, one tab-separated line each.

Candidates (settings in the `[review]` table of `configs/gold/conll2003.toml`):
- ORG mentions that the baseline gazetteer calls agencies (`Gazetteers.is_agency`), that contain a government
  word ("ministry", "police", "court", ...) or that are a government body's name ("Bundesbank", "Kremlin");
- LOC mentions of seats of government ("Kremlin"), and of capitals or 1996 capitals (not themselves country
  names) in an actor position:
  followed by a verb or modal (after "and <Name>" and at most one adverb) or by a possessive, right after a verb,
  or after one of the phrases in `capital_before` ("between", "relations with", ...).

Columns: document id, sentence index, first token, end token (exclusive), corpus label, why, the label the
reviewed list gives now ("-" if none), the mention, the sentence with the mention in [[ ]] (with `--context N`,
the N sentences before it first, joined by " || "). The first four columns are the key of the reviewed list; for
CoNLL++ (`--corpus conllpp`) the key uses the CoNLL-2003 document id. Output goes to stdout.

    .venv/bin/python scripts/gold_review_candidates.py --split dev --context 1 > /tmp/dev-candidates.tsv
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from typing import Any

from pipeline.baseline import Gazetteers
from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.conll2003 import sentence_token_span
from pipeline.gold.format import GoldDocument, GoldMention
from pipeline.gold.refine import read_reviewed
from pipeline.gold.spec import load_spec

REVIEW_CONFIG = "gold/conll2003.toml"
POSSESSIVES = {"'s", "'"}


def word_matches(text: str, phrases: list[str]) -> list[str]:
    low = " " + re.sub(r"[^\w'.]+", " ", text.lower()) + " "
    return [p for p in phrases if f" {p} " in low]


def sentence_tokens(doc: GoldDocument, k: int) -> tuple[list[str], list[str]]:
    """Tokens and POS tags of sentence k."""
    s, e = doc.sentences[k]
    idx = [i for i, (ts, te) in enumerate(doc.tokens) if ts >= s and te <= e]
    pos = doc.meta.get("pos") or [""] * len(doc.tokens)
    return [doc.text[slice(*doc.tokens[i])] for i in idx], [pos[i] for i in idx]


def capital_use(
    tokens: list[str], pos: list[str], first: int, end: int, review: dict[str, Any]
) -> str | None:
    """How a capital at tokens [first, end) looks like an actor, or None."""
    n = len(tokens)
    if end < n and tokens[end] in POSSESSIVES:
        return "possessive"
    nxt = end
    if nxt < n and tokens[nxt] in ("and", ","):  # "<capital> and <capital> signed"
        nxt += 1
        while nxt < n and pos[nxt].startswith("NNP"):
            nxt += 1
    if nxt < n and pos[nxt].startswith("RB"):
        nxt += 1
    if nxt < n and any(pos[nxt].startswith(p) for p in review["subject_pos_prefixes"]):
        return f"subject:{tokens[nxt]}"
    if first > 0 and pos[first - 1].startswith("VB"):
        return f"object:{tokens[first - 1]}"
    before = " " + " ".join(t.lower() for t in tokens[max(0, first - 4) : first]) + " "
    for phrase in review["capital_before"]:
        if f" {phrase} " in before:
            return f"after:{phrase}"
    return None


def is_capital(text: str, gaz: Gazetteers, review: dict[str, Any]) -> bool:
    """A capital or 1996 seat of government that is not itself a country name (those are COUNTRY already)."""
    if gaz.is_country(text):
        return False
    return gaz.is_capital(text) or text.lower() in {c.lower() for c in review["extra_capitals"]}


def why_candidate(
    doc: GoldDocument, m: GoldMention, key: tuple[int, int, int], gaz: Gazetteers, review: dict[str, Any]
) -> list[str]:
    reasons: list[str] = []
    if m.orig == "ORG":
        if gaz.is_agency(m.text):
            reasons.append("gazetteer")
        reasons += [f"word:{w}" for w in word_matches(m.text, review["government_words"])]
        if m.text.lower().removeprefix("the ") in review["government_names"]:
            reasons.append("name")
    elif m.orig == "LOC" and m.text.lower() in {x.lower() for x in review["seats"]}:
        reasons.append("seat")
    elif m.orig == "LOC" and is_capital(m.text, gaz, review):
        tokens, pos = sentence_tokens(doc, key[0])
        if use := capital_use(tokens, pos, key[1], key[2], review):
            reasons.append(f"capital:{use}")
    return reasons


def candidates(
    config: Config, corpus: str, split: str, data_dir: str | None = None
) -> Iterator[tuple[GoldDocument, GoldMention, tuple[int, int, int], str]]:
    """(document, mention, (sentence, first token, end token), reasons) for each candidate of one split."""
    gaz = Gazetteers(config, config.toml("baseline.toml")["files"])
    review = config.toml(REVIEW_CONFIG)["review"]
    for doc in store.load(config, corpus, split, data_dir):
        for m in doc.mentions:
            key = sentence_token_span(doc, m)
            if reasons := why_candidate(doc, m, key, gaz, review):
                yield doc, m, key, ",".join(reasons)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", default="conll2003", choices=["conll2003", "conllpp"])
    parser.add_argument("--split", action="append", help="repeatable; default: every split of the corpus")
    parser.add_argument("--context", type=int, default=0, help="sentences before the mention's to show")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    config = Config()
    spec = load_spec(config, args.corpus)
    reviewed = read_reviewed(config, spec.raw.get("reviewed_list", spec.name))
    n = 0
    for split in args.split or list(spec.splits):
        for doc, m, (k, first, end), why in candidates(config, args.corpus, split, args.data_dir):
            doc_id = doc.meta.get("review_id", doc.id)
            tokens, _ = sentence_tokens(doc, k)
            marked = [*tokens[:first], "[[", *tokens[first:end], "]]", *tokens[end:]]
            before = [" ".join(sentence_tokens(doc, j)[0]) for j in range(max(0, k - args.context), k)]
            current = reviewed.get((doc_id, k, first, end), "-")
            shown = " || ".join([*before, " ".join(marked)])
            sys.stdout.write(
                "\t".join([doc_id, str(k), str(first), str(end), m.orig, why, current, m.text, shown])
            )
            sys.stdout.write("\n")
            n += 1
    print(f"{n} candidates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
