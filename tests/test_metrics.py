"""Scoring of NER, mention-level relations and document-level triples: hand-computed cases, agreement with
seqeval on random and real CoNLL-2003 tags, and the markdown table."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import (
    GoldDocument,
    GoldMention,
    GoldRelation,
    TextBuilder,
    spans_to_tags,
    tags_to_spans,
)
from pipeline.metrics import (
    Counts,
    default_symmetric,
    format_table,
    normalize_name,
    score_ner,
    score_relations,
    score_triples,
)

TEXT = (
    "Madrid-based Safeguard Defenders says China was operating police stations abroad, "
    "with joint initiatives between China and Italy."
)


def mention(text: str, sub: str, label: str | None, nth: int = 0, orig: str | None = None, cluster=None):
    """The `nth` occurrence of `sub` in `text` as a mention."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return GoldMention(start, start + len(sub), sub, orig or label or "X", label, cluster=cluster)


def doc(mentions=(), relations=(), text: str = TEXT, doc_id: str = "d1") -> GoldDocument:
    rels = tuple(
        GoldRelation(h, t, orig[0] if orig else label or "x", label) for h, t, label, *orig in relations
    )
    return GoldDocument(doc_id, "toy", "dev", text, mentions=tuple(mentions), relations=rels)


MADRID = mention(TEXT, "Madrid", "LOC")
SD = mention(TEXT, "Safeguard Defenders", "ORG")
CHINA = mention(TEXT, "China", "COUNTRY")
CHINA2 = mention(TEXT, "China", "COUNTRY", nth=1)
ITALY = mention(TEXT, "Italy", "COUNTRY")
GOLD_MENTIONS = (MADRID, SD, CHINA, CHINA2, ITALY)


def micro(result: dict) -> tuple:
    m = result["micro"]
    return m["precision"], m["recall"], m["f1"], m["tp"], m["fp"], m["fn"]


# NER


def test_ner_perfect() -> None:
    gold = [doc(GOLD_MENTIONS)]
    result = score_ner(gold, [doc(GOLD_MENTIONS)])
    assert micro(result) == (1.0, 1.0, 1.0, 5, 0, 0)
    assert result["macro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert result["per_type"]["COUNTRY"]["tp"] == 3
    assert result["documents"] == 1


def test_ner_empty_gold_and_empty_predictions() -> None:
    nothing = [doc()]
    assert micro(score_ner(nothing, [doc()])) == (0.0, 0.0, 0.0, 0, 0, 0)
    assert score_ner(nothing, [doc()])["per_type"] == {}
    assert score_ner(nothing, [doc()])["macro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert micro(score_ner(nothing, [doc(GOLD_MENTIONS)])) == (0.0, 0.0, 0.0, 0, 5, 0)
    gold = [doc(GOLD_MENTIONS)]
    # a missing predicted document is an empty prediction
    assert micro(score_ner(gold, [])) == micro(score_ner(gold, [doc()])) == (0.0, 0.0, 0.0, 0, 0, 5)
    assert score_ner([], [])["documents"] == 0


def test_ner_duplicates_count_once() -> None:
    gold = [doc((SD, SD, CHINA))]
    result = score_ner(gold, [doc((SD, SD, SD, CHINA, CHINA))])
    assert micro(result) == (1.0, 1.0, 1.0, 2, 0, 0)


def test_ner_wrong_type_and_wrong_boundary() -> None:
    gold = [doc((SD,))]
    wrong_type = score_ner(gold, [doc((mention(TEXT, "Safeguard Defenders", "AGENCY"),))])
    assert micro(wrong_type) == (0.0, 0.0, 0.0, 0, 1, 1)
    assert wrong_type["per_type"]["ORG"] | {} == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "tp": 0,
        "fp": 0,
        "fn": 1,
    }
    assert wrong_type["per_type"]["AGENCY"]["fp"] == 1
    wrong_boundary = score_ner(gold, [doc((mention(TEXT, "Safeguard", "ORG"),))])
    assert micro(wrong_boundary) == (0.0, 0.0, 0.0, 0, 1, 1)
    assert set(wrong_boundary["per_type"]) == {"ORG"}


def test_ner_macro_differs_from_micro_on_unbalanced_types() -> None:
    text = " ".join(f"p{i}" for i in range(8)) + " l0 l1 Lx o0"
    persons = [mention(text, f"p{i}", "PERSON") for i in range(8)]
    gold = [doc([*persons, mention(text, "l0", "LOC"), mention(text, "l1", "LOC")], text=text)]
    pred = [doc([*persons, mention(text, "Lx", "LOC"), mention(text, "o0", "ORG")], text=text)]
    # PERSON tp 8 -> P = R = F1 = 1; LOC tp 0, fp 1, fn 2 -> 0; ORG (only predicted) tp 0, fp 1 -> 0.
    # micro: tp 8, fp 2, fn 2 -> P = 8/10, R = 8/10, F1 = 0.8.
    # macro over types in gold or predictions (PERSON, LOC, ORG): (1 + 0 + 0) / 3 = 0.3333.
    result = score_ner(gold, pred)
    assert micro(result) == (0.8, 0.8, 0.8, 8, 2, 2)
    assert result["macro"] == {"precision": 0.3333, "recall": 0.3333, "f1": 0.3333}
    assert list(result["per_type"]) == ["LOC", "ORG", "PERSON"]
    exact = score_ner(gold, pred, ndigits=None)
    assert exact["macro"]["f1"] == pytest.approx(1 / 3, abs=1e-15)


def test_ner_label_sets() -> None:
    other = mention(TEXT, "police stations", None, orig="Other")
    gold = [doc((SD, other))]
    # schema labels ignore unmapped mentions on both sides; the corpus labels count them
    assert micro(score_ner(gold, [doc((SD,))])) == (1.0, 1.0, 1.0, 1, 0, 0)
    assert micro(score_ner(gold, [doc((SD, other))])) == (1.0, 1.0, 1.0, 1, 0, 0)
    orig = score_ner(gold, [doc((SD,))], labels="orig")
    assert micro(orig) == (1.0, 0.5, 0.6667, 1, 0, 1)
    assert set(orig["per_type"]) == {"ORG", "Other"}
    with pytest.raises(ValueError, match="labels"):
        score_ner(gold, gold, labels="corpus")  # type: ignore[arg-type]


def test_document_pairing_errors() -> None:
    gold = [doc((SD,))]
    with pytest.raises(DataError, match="not in gold.*'elsewhere'"):
        score_ner(gold, [doc((SD,), doc_id="elsewhere")])
    with pytest.raises(DataError, match="'d1' appears more than once"):
        score_ner(gold, [doc(), doc()])
    with pytest.raises(DataError, match="gold: document id 'd1'"):
        score_ner([*gold, *gold], [])
    with pytest.raises(DataError, match="another text"):
        score_ner(gold, [doc(text="Something else entirely.")])
    # an empty predicted text is accepted (offsets are taken to point into the gold text)
    shell = GoldDocument("d1", "toy", "dev", "", mentions=(SD,))
    assert micro(score_ner(gold, [shell]))[:3] == (1.0, 1.0, 1.0)
    with pytest.raises(DataError, match="relation 0 joins mentions 0 and 7; expected indices below 1"):
        score_relations(gold, [doc((SD,), [(0, 7, "based_in")])])


# Relations


def test_relations_strict_and_boundaries() -> None:
    gold = [doc(GOLD_MENTIONS, [(1, 0, "based_in")])]
    madrid_as_country = mention(TEXT, "Madrid", "COUNTRY")
    pred = [doc((madrid_as_country, SD), [(1, 0, "based_in")])]
    strict = score_relations(gold, pred)
    assert micro(strict) == (0.0, 0.0, 0.0, 0, 1, 1)
    assert micro(score_relations(gold, pred, mode="boundaries")) == (1.0, 1.0, 1.0, 1, 0, 0)
    # a wrong boundary is wrong in both modes
    pred = [doc((mention(TEXT, "Safeguard", "ORG"), MADRID), [(0, 1, "based_in")])]
    assert micro(score_relations(gold, pred, mode="boundaries"))[3:] == (0, 1, 1)
    # a wrong relation label too
    pred = [doc(GOLD_MENTIONS, [(1, 0, "part_of")])]
    result = score_relations(gold, pred)
    assert result["per_type"]["based_in"]["fn"] == 1 and result["per_type"]["part_of"]["fp"] == 1
    with pytest.raises(ValueError, match="mode"):
        score_relations(gold, pred, mode="loose")  # type: ignore[arg-type]


def test_symmetric_relation_matches_in_reverse_but_asymmetric_does_not() -> None:
    gold = [doc(GOLD_MENTIONS, [(3, 4, "cooperates_with"), (1, 2, "alleges")])]
    pred = [doc(GOLD_MENTIONS, [(4, 3, "cooperates_with"), (2, 1, "alleges")])]
    result = score_relations(gold, pred)
    assert result["per_type"]["cooperates_with"] | {} == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    assert result["per_type"]["alleges"]["tp"] == 0
    assert micro(result) == (0.5, 0.5, 0.5, 1, 1, 1)
    # macro over cooperates_with (1.0) and alleges (0.0)
    assert result["macro"]["f1"] == 0.5
    # with no symmetric relations, the reversed one is wrong as well
    assert micro(score_relations(gold, pred, symmetric=()))[3:] == (0, 2, 2)
    # the corpus's own labels have no symmetric relations unless named
    assert micro(score_relations(gold, pred, labels="orig"))[3] == 0
    assert micro(score_relations(gold, pred, labels="orig", symmetric={"cooperates_with"}))[3] == 1


def test_symmetric_relation_predicted_both_ways_counts_once() -> None:
    gold = [doc(GOLD_MENTIONS, [(3, 4, "meets")])]
    pred = [doc(GOLD_MENTIONS, [(3, 4, "meets"), (4, 3, "meets"), (3, 4, "meets")])]
    assert micro(score_relations(gold, pred)) == (1.0, 1.0, 1.0, 1, 0, 0)
    assert micro(score_relations(gold, pred, mode="boundaries")) == (1.0, 1.0, 1.0, 1, 0, 0)
    # an asymmetric relation predicted both ways: one right, one wrong
    gold = [doc(GOLD_MENTIONS, [(1, 0, "based_in")])]
    pred = [doc(GOLD_MENTIONS, [(1, 0, "based_in"), (0, 1, "based_in")])]
    assert micro(score_relations(gold, pred))[3:] == (1, 1, 0)


def test_relations_without_schema_label_are_ignored() -> None:
    gold = [doc(GOLD_MENTIONS, [(1, 0, None, "OrgBased_In"), (2, 4, "alleges")])]
    pred = [doc(GOLD_MENTIONS, [(2, 4, "alleges"), (0, 1, None, "Live_In")])]
    assert micro(score_relations(gold, pred)) == (1.0, 1.0, 1.0, 1, 0, 0)
    orig = score_relations(gold, pred, labels="orig")
    assert set(orig["per_type"]) == {"OrgBased_In", "Live_In", "alleges"}
    assert micro(orig)[3:] == (1, 1, 1)


def test_default_symmetric_relations_come_from_the_schema(config: Config) -> None:
    assert default_symmetric("schema", config) == {"cooperates_with", "meets"}
    assert default_symmetric("orig", config) == frozenset()


# Document-level triples


def test_normalize_name() -> None:
    assert normalize_name("The  Kremlin\n") == "kremlin"
    assert normalize_name("THE") == "the"
    assert normalize_name("Theresa May") == "theresa may"
    assert normalize_name("Straße") == normalize_name("STRASSE")


def test_triples_match_cluster_aliases() -> None:
    text = (
        "The People's Republic of China was accused by Safeguard Defenders. "
        "Beijing denied it. the Safeguard  Defenders group says China lied. Italy met China."
    )
    prc = mention(text, "People's Republic of China", "COUNTRY", cluster=0)
    sd = mention(text, "Safeguard Defenders", "ORG", cluster=1)
    beijing = mention(text, "Beijing", "COUNTRY", cluster=0)
    china = mention(text, "China", "COUNTRY", nth=1, cluster=0)
    italy = mention(text, "Italy", "COUNTRY", cluster=2)
    china3 = mention(text, "China", "COUNTRY", nth=2, cluster=0)
    gold_mentions = (prc, sd, beijing, china, italy, china3)
    # DWIE-style: relations point at the first mention of each cluster
    gold = [doc(gold_mentions, [(1, 0, "alleges"), (0, 4, "meets")], text=text)]
    sloppy = mention(text, "the Safeguard  Defenders", "ORG")
    pred = [
        doc(
            (sloppy, beijing, china, italy, mention(text, "Italy", "LOC")),
            [
                (0, 1, "alleges"),  # "the Safeguard  Defenders" -> "Beijing": an alias of cluster 0
                (0, 2, "alleges"),  # the same triple through another alias: counted once
                (1, 3, "meets"),  # "Beijing" meets "Italy": symmetric, matches (PRC, meets, Italy) reversed
                (2, 4, "meets"),  # "China" meets "Italy" again, through another mention: the same name pair
                (3, 0, "alleges"),  # Italy alleges SD: not in gold
            ],
            text=text,
        )
    ]
    result = score_triples(gold, pred)
    # predicted triples after dedup: (sd, alleges, beijing), (sd, alleges, china), (beijing, meets, italy),
    # (china, meets, italy), (italy, alleges, sd). The two alleges aliases and the two meets aliases compete for
    # one gold triple each, so tp 2, fp 3, fn 0.
    assert micro(result) == (0.4, 1.0, 0.5714, 2, 3, 0)
    assert result["per_type"]["meets"]["tp"] == 1
    assert result["per_type"]["alleges"] | {} == {
        "precision": 0.3333,
        "recall": 1.0,
        "f1": 0.5,
        "tp": 1,
        "fp": 2,
        "fn": 0,
    }


def test_triples_without_clusters_use_names() -> None:
    gold = [doc(GOLD_MENTIONS, [(2, 4, "cooperates_with"), (3, 4, "cooperates_with"), (1, 0, "based_in")])]
    # both gold relations are the one triple (china, cooperates_with, italy)
    pred = [doc(GOLD_MENTIONS, [(4, 3, "cooperates_with")])]
    result = score_triples(gold, pred)
    assert micro(result) == (1.0, 0.5, 0.6667, 1, 0, 1)
    assert result["per_type"]["based_in"]["fn"] == 1
    # predicted text need not match the gold text: names, not offsets, are compared
    other_text = "Italy and China cooperate."
    pred = [
        doc(
            (mention(other_text, "Italy", "COUNTRY"), mention(other_text, "China", "LOC")),
            [(0, 1, "cooperates_with")],
            text=other_text,
        )
    ]
    assert micro(score_triples(gold, pred))[3:] == (1, 0, 1)


def test_triples_pairing_is_maximal_when_a_name_is_shared() -> None:
    text = "Zed Ann and Bo Ann work for Acme. Ann said so, and Ann agreed."
    zed = mention(text, "Zed Ann", "PERSON", cluster=0)
    bo = mention(text, "Bo Ann", "PERSON", cluster=1)
    acme = mention(text, "Acme", "ORG", cluster=2)
    ann0 = mention(text, "Ann", "PERSON", nth=2, cluster=0)
    ann1 = mention(text, "Ann", "PERSON", nth=3, cluster=1)  # "ann" is a name of both persons
    gold = [doc((zed, bo, acme, ann0, ann1), [(0, 2, "works_for"), (1, 2, "works_for")], text=text)]
    # "ann" is tried first (sorted) and could take Zed Ann's triple, leaving "zed ann" nothing; a maximum
    # pairing gives "ann" Bo Ann's triple instead
    pred = [doc((ann0, zed, acme), [(0, 2, "works_for"), (1, 2, "works_for")], text=text)]
    assert micro(score_triples(gold, pred)) == (1.0, 1.0, 1.0, 2, 0, 0)


def test_triples_empty_and_missing() -> None:
    gold = [doc(GOLD_MENTIONS, [(1, 0, "based_in")])]
    assert micro(score_triples(gold, [])) == (0.0, 0.0, 0.0, 0, 0, 1)
    assert micro(score_triples([doc(GOLD_MENTIONS)], gold)) == (0.0, 0.0, 0.0, 0, 1, 0)
    with pytest.raises(DataError, match="not in gold"):
        score_triples(gold, [doc(doc_id="d2")])


# Counts and tables


def test_counts_exact_and_rounded() -> None:
    c = Counts(tp=1, fp=2, fn=0)
    assert c.precision == 1 / 3 and c.recall == 1.0 and c.f1 == pytest.approx(0.5)
    assert c.metrics()["precision"] == 0.3333
    assert c.metrics(ndigits=None)["precision"] == 1 / 3


def test_format_table() -> None:
    gold = [doc(GOLD_MENTIONS, [(1, 0, "based_in"), (3, 4, "meets")])]
    pred = [doc(GOLD_MENTIONS, [(1, 0, "based_in")])]
    table = format_table(score_ner(gold, pred), "NER")
    lines = table.splitlines()
    assert lines[0] == "**NER** (1 documents)"
    assert lines[2] == "| metric | P | R | F1 | support |"
    assert "| micro | 1.0000 | 1.0000 | 1.0000 | 5 |" in lines
    assert "| COUNTRY | 1.0000 | 1.0000 | 1.0000 | 3 |" in lines
    both = format_table(
        {"strict": score_relations(gold, pred), "boundaries": score_relations(gold, pred, mode="boundaries")},
        "relations",
    )
    assert "| strict / micro | 1.0000 | 0.5000 | 0.6667 | 2 |" in both
    assert "| boundaries / meets | 0.0000 | 0.0000 | 0.0000 | 1 |" in both
    assert "| strict / macro | 0.5000 | 0.5000 | 0.5000 | 2 |" in both


# Agreement with seqeval

TYPES = ("PER", "LOC", "ORG", "MISC")
TAGS = ["O", *(f"{p}-{t}" for t in TYPES[:3] for p in "BI")]


def tagged_documents(docs: list[list[list[str]]], scheme: str, prefix: str = "doc") -> list[GoldDocument]:
    """Canonical documents from tag sequences, one sentence a list of tags, over placeholder tokens."""
    out = []
    for n, sentences in enumerate(docs):
        builder = TextBuilder()
        mentions = []
        for k, tags in enumerate(sentences):
            first = builder.add_sentence([f"w{i}" for i in range(len(tags))])
            for s, e, typ in tags_to_spans(tags, scheme):
                start, end = builder.span(first + s, first + e)
                mentions.append(GoldMention(start, end, "", typ, typ, sentence=k))
        text = builder.text
        mentions = [
            GoldMention(m.start, m.end, text[m.start : m.end], m.orig, m.label, m.sentence) for m in mentions
        ]
        out.append(
            GoldDocument(f"{prefix}{n}", "toy", "test", text, tuple(builder.sentences), tuple(mentions))
        )
    return out


def assert_agrees_with_seqeval(gold: list[GoldDocument], pred: list[GoldDocument], y_true, y_pred) -> None:
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

    result = score_ner(gold, pred, ndigits=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # seqeval warns where a score is 0/0
        expected = (precision_score(y_true, y_pred), recall_score(y_true, y_pred), f1_score(y_true, y_pred))
        report = classification_report(y_true, y_pred, output_dict=True)
    m = result["micro"]
    assert (m["precision"], m["recall"], m["f1"]) == pytest.approx(expected, abs=1e-9)
    per_type = {k: v for k, v in report.items() if not k.endswith(" avg")}
    assert set(result["per_type"]) == set(per_type)
    for typ, scores in per_type.items():
        ours = result["per_type"][typ]
        assert (ours["precision"], ours["recall"], ours["f1"]) == pytest.approx(
            (scores["precision"], scores["recall"], scores["f1-score"]), abs=1e-9
        )
        assert ours["tp"] + ours["fn"] == scores["support"]
    if per_type:  # seqeval's macro average of no types is NaN; ours is 0
        macro = report["macro avg"]
        assert (
            result["macro"]["precision"],
            result["macro"]["recall"],
            result["macro"]["f1"],
        ) == pytest.approx((macro["precision"], macro["recall"], macro["f1-score"]), abs=1e-9)


@st.composite
def paired_tag_documents(draw):
    """Random gold and predicted IOB2 tags (including ill-formed I- starts) over the same sentences."""
    pairs = st.lists(st.tuples(st.sampled_from(TAGS), st.sampled_from(TAGS)), min_size=1, max_size=12)
    docs = draw(st.lists(st.lists(pairs, min_size=1, max_size=4), min_size=1, max_size=4))
    gold = [[[g for g, _ in sent] for sent in d] for d in docs]
    pred = [[[p for _, p in sent] for sent in d] for d in docs]
    return gold, pred


@given(paired_tag_documents())
@settings(max_examples=150, deadline=None)
def test_ner_agrees_with_seqeval_on_random_tags(tags) -> None:
    gold_tags, pred_tags = tags
    gold = tagged_documents(gold_tags, "iob2")
    pred = tagged_documents(pred_tags, "iob2")
    flat_gold = [sent for d in gold_tags for sent in d]
    flat_pred = [sent for d in pred_tags for sent in d]
    assert_agrees_with_seqeval(gold, pred, flat_gold, flat_pred)


def read_conll(path: Path) -> list[list[tuple[list[str], list[str]]]]:
    """Documents of sentences of (tokens, tags) from a CoNLL-2003 file (last column the NER tag)."""
    docs: list[list[tuple[list[str], list[str]]]] = []
    tokens: list[str] = []
    tags: list[str] = []

    def end_sentence() -> None:
        if tokens:
            if not docs:
                docs.append([])
            docs[-1].append((list(tokens), list(tags)))
            tokens.clear()
            tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split()
        if not cols:
            end_sentence()
        elif cols[0] == "-DOCSTART-":
            end_sentence()
            docs.append([])
        else:
            tokens.append(cols[0])
            tags.append(cols[-1])
    end_sentence()
    return [d for d in docs if d]


def add_noise(
    spans: list[tuple[int, int, str]], n_tokens: int, rng: random.Random
) -> list[tuple[int, int, str]]:
    """Drop, retype or shorten about 10% of the entities each, and add a spurious one-token entity now and then."""
    out = []
    for s, e, typ in spans:
        x = rng.random()
        if x < 0.1:
            continue
        if x < 0.2:
            typ = rng.choice([t for t in TYPES if t != typ])
        elif x < 0.3 and e - s > 1:
            s += 1
        out.append((s, e, typ))
    covered = {i for s, e, _ in spans for i in range(s, e)}
    free = [i for i in range(n_tokens) if i not in covered]
    if free and rng.random() < 0.1:
        i = rng.choice(free)
        out.append((i, i + 1, rng.choice(TYPES)))
    return out


@pytest.mark.data
def test_ner_agrees_with_seqeval_on_conll2003_test(config: Config) -> None:
    from pipeline.gold.store import ENV_DATA_DIR, data_dir

    path = data_dir(config) / "conll2003" / "original" / "eng.testb"
    if not path.is_file():
        pytest.skip(f"CoNLL-2003 test file not found: {path} (set {ENV_DATA_DIR})")
    rng = random.Random(2003)
    gold, pred, y_true, y_pred = [], [], [], []
    for n, sentences in enumerate(read_conll(path)):
        builder = TextBuilder()
        gold_mentions, pred_mentions = [], []
        for k, (tokens, tags) in enumerate(sentences):
            first = builder.add_sentence(tokens)
            spans = tags_to_spans(tags, "iob1")
            noisy = add_noise(spans, len(tokens), rng)
            y_true.append(tags)  # the file's own IOB1 tags: seqeval reads them as conlleval does
            y_pred.append(spans_to_tags(len(tokens), noisy, "iob2"))
            for target, chosen in ((gold_mentions, spans), (pred_mentions, noisy)):
                for s, e, typ in chosen:
                    target.append((*builder.span(first + s, first + e), typ, k))
        text = builder.text
        for target, mentions in ((gold, gold_mentions), (pred, pred_mentions)):
            ms = tuple(GoldMention(s, e, text[s:e], typ, typ, sentence=k) for s, e, typ, k in mentions)
            target.append(GoldDocument(f"testb-{n}", "conll2003", "test", text, tuple(builder.sentences), ms))
    assert len(gold) == 231  # the test set's documents
    assert sum(len(d.mentions) for d in gold) == 5648
    assert_agrees_with_seqeval(gold, pred, y_true, y_pred)
    f1 = score_ner(gold, pred)["micro"]["f1"]
    assert 0.6 < f1 < 0.9  # the noise did something, but not everything
