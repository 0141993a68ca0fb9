"""The NER tagger: shapes, windows, and a tiny random model that must overfit two sentences and survive a
save/load round trip (seconds, no pretrained weights needed beyond the tokenizer files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from pipeline.gold.format import GoldDocument, GoldMention  # noqa: E402
from pipeline.model.ner import SHAPES, Encoded, NerTagger, examples_from_doc, windows, word_shape  # noqa: E402


def test_word_shapes() -> None:
    assert [
        SHAPES[word_shape(w)] for w in ["china", "China", "NATO", "McDonald", "2026", "G7", ",", "I"]
    ] == [
        "lower",
        "title",
        "upper",
        "mixed",
        "digit",
        "alnum",
        "punct",
        "title",
    ]


def test_windows_cover_every_word_with_overlap() -> None:
    pieces = [1, 2, 1, 3, 1, 1, 2, 1, 1, 1] * 5
    spans = windows(pieces, max_pieces=8, stride=3)
    covered = set()
    for a, b in spans:
        assert sum(pieces[a:b]) <= 8
        covered.update(range(a, b))
    assert covered == set(range(len(pieces)))
    assert all(spans[k + 1][0] < spans[k][1] for k in range(len(spans) - 1))  # consecutive windows overlap


def _doc(text: str, spans: list[tuple[str, str]], doc_id: str) -> GoldDocument:
    mentions = []
    for surface, label in spans:
        start = text.index(surface)
        mentions.append(
            GoldMention(start=start, end=start + len(surface), text=surface, orig=label, label=label)
        )
    return GoldDocument(
        id=doc_id,
        dataset="toy",
        split="train",
        text=text,
        sentences=((0, len(text)),),
        mentions=tuple(mentions),
    )


def tiny_encoder(tokenizer, **kwargs: object):
    """A randomly initialised 2-layer BERT with the real tokenizer's vocabulary (seconds to train on CPU)."""
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
    )
    return BertModel(config, **kwargs)


def test_tiny_model_overfits_and_reloads(tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file
    from transformers import BertModel

    from pipeline.model.encoder import load_tokenizer
    from pipeline.train.ner import DEFAULTS, NerPredictor

    torch.manual_seed(0)
    tokenizer = load_tokenizer()
    docs = [
        _doc(
            "The Interior Ministry said Kenya expelled Anna Roth.",
            [("Interior Ministry", "AGENCY"), ("Kenya", "COUNTRY"), ("Anna Roth", "PERSON")],
            "a",
        ),
        _doc(
            "Amnesty International met officials in Nairobi.",
            [("Amnesty International", "ORG"), ("Nairobi", "LOC")],
            "b",
        ),
    ]
    examples = [ex for d in docs for ex in examples_from_doc(d)]
    tags = ["O", *[f"{p}-{t}" for t in ("AGENCY", "COUNTRY", "LOC", "ORG", "PERSON") for p in ("B", "I")]]
    index = {t: i for i, t in enumerate(tags)}
    encoder = tiny_encoder(tokenizer)
    model = NerTagger(encoder, tags, shape_dim=8, dropout=0.0)
    optim = torch.optim.Adam(model.parameters(), lr=5e-3)
    enc = Encoded(tokenizer, examples, index, 64)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    for _ in range(80):
        loss = loss_fn(
            model(enc.input_ids, enc.attention_mask, enc.shapes).view(-1, len(tags)), enc.labels.view(-1)
        )
        optim.zero_grad()
        loss.backward()
        optim.step()
    assert loss.item() < 0.05
    predictor = NerPredictor(model, tokenizer, DEFAULTS)
    pred = predictor.predict_docs(docs)
    for gold, got in zip(docs, pred, strict=True):
        assert {(m.start, m.end, m.label) for m in got.mentions} == {
            (m.start, m.end, m.label) for m in gold.mentions
        }
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "m.safetensors"))
    encoder2 = BertModel(encoder.config)
    model2 = NerTagger(encoder2, tags, shape_dim=8, dropout=0.0)
    model2.load_state_dict(load_file(str(tmp_path / "m.safetensors")))
    again = NerPredictor(model2, tokenizer, DEFAULTS).predict_docs(docs)
    assert [d.mentions for d in again] == [d.mentions for d in pred]


def test_untokenised_text_splits_where_mentions_end() -> None:
    from pipeline.model.ner import split_words

    text = "The U.S. Treasury said China's Ministry of Public Security and Madrid-based Anna O'Brien."
    words = [text[a:b] for a, b in split_words(text)]
    assert words[:6] == ["The", "U.S.", "Treasury", "said", "China", "'s"]
    assert words[-7:] == ["and", "Madrid", "-", "based", "Anna", "O'Brien", "."]


def _log_probs(tags: list[str], rows: list[dict[str, float]]) -> np.ndarray:
    """words × tags log-probabilities; each row names its likely tags, the rest share what is left."""
    out = np.zeros((len(rows), len(tags)))
    for w, row in enumerate(rows):
        rest = (1.0 - sum(row.values())) / (len(tags) - len(row))
        out[w] = [np.log(row.get(t, rest)) for t in tags]
    return out


TAGS = ["O", "B-ORG", "I-ORG", "B-AGENCY", "I-AGENCY", "B-LOC", "I-LOC"]


def test_viterbi_keeps_one_type_through_a_name() -> None:
    from pipeline.model.ner import decode, transitions, viterbi

    # word by word the last word reads I-AGENCY, which would cut the name into ORG + AGENCY
    lp = _log_probs(
        TAGS,
        [{"B-ORG": 0.6, "B-AGENCY": 0.3}, {"I-ORG": 0.5, "I-AGENCY": 0.4}, {"I-AGENCY": 0.5, "I-ORG": 0.4}],
    )
    argmax = [TAGS[k] for k in lp.argmax(-1)]
    assert decode(argmax) == [(0, 2, "ORG"), (2, 3, "AGENCY")]
    start, move = transitions(TAGS)
    best = [TAGS[k] for k in viterbi(lp, start, move)]
    assert best == ["B-ORG", "I-ORG", "I-ORG"]
    # a sequence may not open with I-, nor switch type with I-
    lp2 = _log_probs(TAGS, [{"I-LOC": 0.7, "B-LOC": 0.2}, {"O": 0.9}])
    assert [TAGS[k] for k in viterbi(lp2, start, move)] == ["B-LOC", "O"]
    assert viterbi(np.zeros((0, len(TAGS))), start, move) == []


def test_adjacent_names_merge_into_the_longest_name() -> None:
    from pipeline.model.ner import merge_adjacent, span_type, trim_trailing

    # "Istanbul Police Department": LOC + AGENCY with one space between -> one AGENCY name
    lp = _log_probs(
        TAGS,
        [
            {"B-LOC": 0.6, "B-AGENCY": 0.3},
            {"B-AGENCY": 0.6, "I-AGENCY": 0.3},
            {"I-AGENCY": 0.9},
            {"O": 0.9},
            {"B-LOC": 0.9},
        ],
    )
    assert span_type(lp, TAGS, 0, 3) == "AGENCY"
    spans = [(0, 1, "LOC"), (1, 3, "AGENCY"), (4, 5, "LOC")]
    touching = [False, True, True, True, False]  # word 4 follows a comma, not a space
    assert merge_adjacent(spans, touching, lp, TAGS) == [(0, 3, "AGENCY"), (4, 5, "LOC")]
    assert merge_adjacent(spans, [False] * 5, lp, TAGS) == spans
    words = ["Ministry", "of", "Public", "Security", "of"]
    assert trim_trailing(words, [(0, 5, "AGENCY")]) == [(0, 4, "AGENCY")]
    assert trim_trailing(["of"], [(0, 1, "ORG")]) == [(0, 1, "ORG")]  # never emptied


def _random_predictor(**settings: object):
    from pipeline.model.encoder import load_tokenizer
    from pipeline.train.ner import DEFAULTS, NerPredictor

    torch.manual_seed(1)
    tokenizer = load_tokenizer()
    encoder = tiny_encoder(tokenizer)
    tags = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    model = NerTagger(encoder, tags, shape_dim=8, dropout=0.0).eval()
    return NerPredictor(model, tokenizer, {**DEFAULTS, **settings})


def _sentences_doc(sentences: list[str], doc_id: str) -> GoldDocument:
    text, spans = "", []
    for s in sentences:
        start = len(text) + (1 if text else 0)
        text = f"{text} {s}" if text else s
        spans.append((start, len(text)))
    return GoldDocument(id=doc_id, dataset="toy", split="dev", text=text, sentences=tuple(spans))


def test_document_context_reads_sentences_together() -> None:
    from dataclasses import replace

    from pipeline.model.ner import Example

    sentences = [
        "Amnesty International met officials in Nairobi.",
        "The group said the talks were useful.",
        "It will return to Kenya in May.",
    ]
    doc = _sentences_doc(sentences, "d")
    single = _sentences_doc(sentences[:1], "s")
    sentence_mode = _random_predictor()
    document_mode = _random_predictor(context="document")
    examples = examples_from_doc(doc)
    owner = [0] * len(examples)
    # one chunk holds the whole document: each sentence's rows are the chunk's rows for its words
    log_probs, counts = document_mode.document_log_probs(examples, owner)
    assert counts == [1, 0, 0]
    whole = Example(
        "d", tuple(w for ex in examples for w in ex.words), tuple(s for ex in examples for s in ex.spans)
    )
    _, [together], _ = sentence_mode.predict_examples([whole])
    assert np.allclose(np.concatenate(log_probs), together, atol=1e-5)
    # read alone, the second sentence gets other probabilities: the context is real
    _, [alone], _ = sentence_mode.predict_examples([examples[1]])
    assert not np.allclose(log_probs[1], alone, atol=1e-4)
    # a one-sentence document reads the same in both modes
    one = examples_from_doc(single)
    assert np.allclose(
        document_mode.document_log_probs(one, [0])[0][0], sentence_mode.predict_examples(one)[1][0], atol=1e-5
    )
    # chunks smaller than the document: every word still gets one row, and the chunk count is recorded
    small = _random_predictor(context="document", max_pieces=16, stride=4)
    log_probs, counts = small.document_log_probs(examples, owner)
    assert [len(lp) for lp in log_probs] == [len(ex.words) for ex in examples]
    assert counts[0] >= 2 and counts[1:] == [0, 0]
    two_docs = small.predict_docs([doc, replace(single, id="t")])
    assert [d.meta["windows"] for d in two_docs] == [counts[0], 1]


def test_piece_counts_match_the_tokenizer_word_by_word() -> None:
    from pipeline.model.encoder import load_tokenizer
    from pipeline.model.ner import Example, piece_counts

    tokenizer = load_tokenizer()
    words = [
        "The",
        "Ministry",
        "of",
        "Public",
        "Security",
        "U.S.-led",
        "naïve",
        "東京",
        "\u200b",
        "😀",
        "a" * 300,
        "qzxv" * 20,
    ]
    examples = [
        Example("d", tuple(words), tuple((0, 0) for _ in words)),
        Example("e", ("Safeguard", "The"), ((0, 0),) * 2),
    ]
    Encoded(tokenizer, examples[:1], None, 16)  # leaves truncation and padding set on the backend tokenizer
    counts = piece_counts(tokenizer, examples)
    one_by_one = [
        max(1, len(tokenizer(w, add_special_tokens=False)["input_ids"])) for ex in examples for w in ex.words
    ]
    assert [c for row in counts for c in row] == one_by_one
    assert [len(row) for row in counts] == [len(words), 2]
    assert counts[0][-1] > 16  # no truncation to the last call's max_length


def test_attention_dropout_setting_changes_only_the_attention_probabilities() -> None:
    from pipeline.model.encoder import load_encoder

    default, off = load_encoder(), load_encoder(attention_dropout=0.0)
    assert len(off.encoder.layer) == 6
    for layer_default, layer_off in zip(default.encoder.layer, off.encoder.layer, strict=True):
        assert layer_default.attention.self.dropout.p == pytest.approx(0.1)
        assert layer_off.attention.self.dropout.p == 0.0
        assert layer_off.attention.output.dropout.p == pytest.approx(0.1)  # hidden-state dropout stays
        assert layer_off.output.dropout.p == pytest.approx(0.1)
    for a, b in zip(default.state_dict().values(), off.state_dict().values(), strict=True):
        assert torch.equal(a, b)  # the same pretrained weights


def test_tagger_starts_from_another_label_sets_encoder() -> None:
    """`init_encoder` in a `kind = "ner"` run: a news-schema tagger hands a CoNLL-2003 tagger its encoder and
    shape features; the new tag layer (9 tags, not 11) keeps its own initialisation."""
    from pipeline.errors import ConfigError
    from pipeline.model.encoder import load_tokenizer
    from pipeline.train.ner import load_encoder_state

    torch.manual_seed(0)
    tokenizer = load_tokenizer()
    schema_tags = [
        "O",
        *[f"{p}-{t}" for t in ("AGENCY", "COUNTRY", "LOC", "ORG", "PERSON") for p in ("B", "I")],
    ]
    conll_tags = ["O", *[f"{p}-{t}" for t in ("LOC", "MISC", "ORG", "PER") for p in ("B", "I")]]
    source = NerTagger(tiny_encoder(tokenizer), schema_tags, shape_dim=8)
    torch.nn.init.normal_(source.shape_in.weight)
    saved = {k: v.half() for k, v in source.state_dict().items()}  # as written: float16, keys without "ner."
    target = NerTagger(tiny_encoder(tokenizer), conll_tags, shape_dim=8)
    out_before = target.out.weight.detach().clone()
    load_encoder_state(target, saved)
    now = target.state_dict()
    for key in ("encoder.embeddings.word_embeddings.weight", "encoder.encoder.layer.1.output.dense.weight"):
        assert torch.equal(now[key], saved[key].float())
    assert torch.equal(now["shape_in.weight"], saved["shape_in.weight"].float())
    assert torch.equal(now["shape_out.weight"], saved["shape_out.weight"].float())
    assert torch.equal(target.out.weight, out_before) and target.out.weight.shape[0] == len(conll_tags)
    with pytest.raises(ConfigError, match="does not fit"):  # a state without the shape features
        load_encoder_state(target, {k: v for k, v in saved.items() if not k.startswith("shape_")})


def test_ensemble_averages_the_members_probabilities() -> None:
    from pipeline.errors import ConfigError
    from pipeline.model.encoder import load_tokenizer
    from pipeline.train.ner import DEFAULTS, NerEnsemble, NerPredictor

    tokenizer = load_tokenizer()
    tags = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    members = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        members.append(
            NerPredictor(NerTagger(tiny_encoder(tokenizer), tags, shape_dim=8), tokenizer, DEFAULTS)
        )
    doc = _doc("Amnesty International met officials in Nairobi on Tuesday.", [], "a")
    examples = examples_from_doc(doc)
    runs = [m.predict_examples(examples)[1] for m in members]
    got_tags, got, windows_used = NerEnsemble(members).predict_examples(examples)
    for k, lp in enumerate(got):
        mean = (np.exp(runs[0][k]) + np.exp(runs[1][k])) / 2
        np.testing.assert_allclose(np.exp(lp), mean, rtol=1e-5, atol=1e-6)
        assert not np.allclose(runs[0][k], runs[1][k])  # two different members
    assert got_tags == members[0].decode_tags(got) and windows_used == [1]
    alone, twice = members[0].predict_docs([doc]), NerEnsemble([members[0], members[0]]).predict_docs([doc])
    assert [(m.start, m.end, m.label) for m in twice[0].mentions] == [
        (m.start, m.end, m.label) for m in alone[0].mentions
    ]
    other = NerPredictor(NerTagger(tiny_encoder(tokenizer), tags[:3], shape_dim=8), tokenizer, DEFAULTS)
    with pytest.raises(ConfigError, match="disagree on tags"):
        NerEnsemble([members[0], other])
    with pytest.raises(ConfigError, match="read text differently: context"):
        NerEnsemble(
            [members[0], NerPredictor(members[1].model, tokenizer, {**DEFAULTS, "context": "document"})]
        )
    with pytest.raises(ConfigError, match="at least two"):
        NerEnsemble(members[:1])
