"""Segmentation: long texts are parsed in pieces and joined without losing or moving a character."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import ConfigError
from pipeline.segment import load_nlp, segment, sentence_spans, split_text


@given(st.text(max_size=3000), st.integers(min_value=10, max_value=500))
@settings(max_examples=300, deadline=None)
def test_split_text_pieces_concatenate_to_the_input(text: str, max_chars: int) -> None:
    pieces = split_text(text, max_chars)
    assert "".join(pieces) == text
    assert all(len(p) <= max_chars for p in pieces)


def test_long_text_is_parsed_in_pieces_with_exact_offsets(nlp) -> None:
    paragraph = "Poland expelled two Belarusian diplomats on Monday. NATO allies backed the decision.\n\n"
    text = paragraph * 40
    whole, pieced = (
        list(segment(nlp, [text, text], max_chars=10_000_000)),
        list(segment(nlp, [text], max_chars=500)),
    )
    assert pieced[0].text == text == whole[0].text
    assert len(sentence_spans(pieced[0])) == len(sentence_spans(whole[0])) == 80
    for ent in pieced[0].ents:
        assert text[ent.start_char : ent.end_char] == ent.text


def test_texts_beyond_spacy_max_length_are_not_truncated(nlp) -> None:
    text = "The court ruled on Tuesday. " * 2_000
    saved = nlp.max_length
    nlp.max_length = (
        20_000  # a lower limit keeps the test fast; the real one is checked in the slow test below
    )
    try:
        assert len(text) > nlp.max_length
        (doc,) = segment(nlp, [text], max_chars=10_000)
    finally:
        nlp.max_length = saved
    assert doc.text == text and len(sentence_spans(doc)) == 2_000


@pytest.mark.slow
def test_texts_beyond_the_real_max_length(nlp) -> None:
    text = "The court ruled on Tuesday. " * 40_000  # 1.1 million characters
    assert len(text) > nlp.max_length
    (doc,) = segment(nlp, [text], max_chars=100_000, batch_size=4)
    assert doc.text == text


def test_senter_segmenter_keeps_the_tokens_and_breaks_at_line_ends(nlp, config) -> None:
    senter = load_nlp(config.pipeline["spacy_model"], "senter")
    assert senter.pipe_names == ["senter", "newsgraph_line_breaks"]
    text = (
        "BRUSSELS, July 22 (Newsgraph) - The European Union froze the assets of 14 shipping companies. "
        "Moscow called the move illegal.\nA heading without a full stop\n\n"
        "Amnesty International, based in London, welcomed it."
    )
    fast, parsed = senter(text), nlp(text)
    assert [t.text for t in fast] == [t.text for t in parsed]
    sentences = [text[a:b].strip() for a, b in sentence_spans(fast)]
    assert sentences == [
        "BRUSSELS, July 22 (Newsgraph) - The European Union froze the assets of 14 shipping companies.",
        "Moscow called the move illegal.",
        "A heading without a full stop",
        "Amnesty International, based in London, welcomed it.",
    ]
    pieced = list(segment(senter, [(text + "\n") * 30], max_chars=400))[0]
    assert pieced.text == (text + "\n") * 30 and len(sentence_spans(pieced)) == 4 * 30


def test_unknown_segmenter_is_a_config_error(config) -> None:
    with pytest.raises(ConfigError, match="unknown segmenter"):
        load_nlp(config.pipeline["spacy_model"], "regex")
