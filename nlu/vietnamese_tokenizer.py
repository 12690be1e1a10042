"""Vietnamese word tokenizer on underthesea, robust to chat and SMS spelling.

underthesea groups syllables into words ("hộ chiếu" is one word), but it rewrites
what it reads (NFC, "Ð" -> "Đ", "hoà" -> "hòa", spaces around punctuation), so token
offsets are found again in the text Rasa holds by searching forward on the
accent-folded text, where those rewrites disappear.

Each token's ``lemma`` is what the featurizers see. With ``fold`` on it is the
accent-folded, teencode-expanded form ("ko" -> "khong", "hc" -> "ho chieu"), so a
message typed without diacritics reaches the same features as proper Vietnamese.
``join`` decides how the syllables of a word are glued in the lemma: "_" keeps
underthesea's words whole ("ho_chieu"); " " lets CountVectorsFeaturizer see
single syllables and syllable bigrams, which do not depend on how well underthesea
segmented text without diacritics. The README gives the measurements behind the
default.
"""
from __future__ import annotations

import logging
import unicodedata
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.text import Teencode, default_teencode, fold, plain_words, syllables

logger = logging.getLogger(__name__)

Span = Tuple[int, int, List[str]]  # start, end, syllables as written


def _nfc_with_index(text: str) -> Tuple[str, List[int]]:
    """NFC text and, for each of its characters (plus the end), the index in ``text``."""
    out: List[str] = []
    index: List[int] = []
    start = 0
    # Normalise cluster by cluster (a base character and its combining marks).
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            cluster = unicodedata.normalize("NFC", text[start:i])
            out.append(cluster)
            index.extend([start] * len(cluster))
            start = i
    index.append(len(text))
    return "".join(out), index


def _fold_aligned(text: str) -> str:
    """Fold character by character so the result is exactly as long as ``text``."""
    out = []
    for c in text:
        folded = fold(c)
        out.append(folded if len(folded) == 1 else c)
    return "".join(out)


def has_diacritics(text: str) -> bool:
    return any(c.isalpha() and fold(c) != c.lower() for c in text)


def segment(text: str, unaccented_by_syllable: bool = True) -> List[Span]:
    """Words of ``text`` as (start, end, syllables), offsets into ``text`` itself.

    underthesea groups unaccented syllables wrongly ("o myanma" as one word), which
    also breaks entity boundaries, so such text is split into syllables instead.
    """
    from underthesea import text_normalize, word_tokenize

    if unaccented_by_syllable and not has_diacritics(text):
        return _syllable_spans(text, 0)
    nfc_text, index = _nfc_with_index(text)
    folded = _fold_aligned(nfc_text)
    try:
        words = word_tokenize(text_normalize(nfc_text))
    except Exception:  # underthesea can fail on odd input; never lose the message
        logger.debug("underthesea failed; falling back to syllables", exc_info=True)
        words = []

    spans: List[Span] = []
    cursor = 0
    for word in words:
        parts = [s for s, _, _ in syllables(word)]
        if not parts:
            continue  # punctuation and symbols carry no features
        found: List[Tuple[int, int]] = []
        search_from = cursor
        for part in parts:
            key = fold(part)
            pos = folded.find(key, search_from)
            if pos < 0 or (found and folded[found[-1][1]:pos].strip(" \t")):
                found = []
                break
            found.append((pos, pos + len(key)))
            search_from = pos + len(key)
        if not found:
            # A rewrite we cannot align: fall back to plain syllables for the rest.
            return spans + _syllable_spans(text, index[cursor] if cursor < len(index) else len(text))
        start, end = found[0][0], found[-1][1]
        spans.append((index[start], index[end], [nfc_text[a:b] for a, b in found]))
        cursor = end
    return spans


def _syllable_spans(text: str, offset: int) -> List[Span]:
    return [(offset + s, offset + e, [w]) for w, s, e in syllables(text[offset:])]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class VietnameseTokenizer(Tokenizer):
    """Tokenizer for Vietnamese as typed in chats: accents optional, teencode welcome."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["vi"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # fold diacritics and expand teencode in the lemma
            "fold": True,
            # glue between the syllables of one word in the lemma: "_" or " "
            "join": " ",
            # text without any diacritics is split into syllables, not underthesea words
            "unaccented_by_syllable": True,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["underthesea"]

    def __init__(self, config: Dict[Text, Any], teencode: Optional[Teencode] = None) -> None:
        super().__init__(config)
        self._teencode = teencode or default_teencode()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        spans = segment(text, self._config["unaccented_by_syllable"])
        if not spans and text.strip():
            # Emoji or symbols only: one token so downstream components have input.
            stripped = text.strip()
            start = text.index(stripped)
            spans = [(start, start + len(stripped), [stripped])]
        lemmas = self.lemmas([parts for _, _, parts in spans])
        tokens = [
            Token(text[start:end], start, end, lemma=lemma)
            for (start, end, _), lemma in zip(spans, lemmas)
        ]
        return self._apply_token_pattern(tokens)

    def lemmas(self, words: List[List[str]]) -> List[str]:
        """One lemma per word; teencode is expanded over the whole message for context."""
        join = self._config["join"]
        flat = [part for parts in words for part in parts]
        if self._config["fold"]:
            # an expansion such as "ho chieu" stays one word
            flat = [w.replace(" ", join) for w in plain_words(flat, self._teencode)]
        else:
            flat = [w.lower() for w in flat]
        out, i = [], 0
        for parts in words:
            out.append(join.join(flat[i : i + len(parts)]))
            i += len(parts)
        return out
