"""Turn requirement text into tagged tokens, one list per sentence.

Normalises markdown (headings, bullets, emphasis, links), attaches bullets to the heading above
them, splits sentences and words, folds parenthesised lists onto the word before them, and tags
each word with a coarse part of speech from the lexicon, resolving noun/verb ambiguity ("book",
"order", "post") from its neighbours. It finds no entities: that is the clause reader's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.engine import naming
from generator.engine.analysis import lexicon as lx

# Coarse tags. AMBIG is resolved to NOUN or VERB before tokens leave this module.
DET, QUANT, PREP, CONJ, PRON, MODAL, BE, HAVE, NEG, ADV = (
    "DET", "QUANT", "PREP", "CONJ", "PRON", "MODAL", "BE", "HAVE", "NEG", "ADV",
)  # fmt: skip
ADJ, VERB, NOUN, NUM, PUNCT, BREAK, REL, AMBIG = (
    "ADJ", "VERB", "NOUN", "NUM", "PUNCT", "BREAK", "REL", "AMBIG",
)  # fmt: skip

_BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "being", "am"})
_HAVE_FORMS = frozenset({"has", "have", "had", "having"})
_IRREGULAR = {
    "made": "make", "wrote": "write", "written": "write", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "sold": "sell", "bought": "buy", "paid": "pay",
    "sent": "send", "kept": "keep", "held": "hold", "led": "lead", "met": "meet", "ran": "run",
    "chose": "choose", "chosen": "choose", "saw": "see", "seen": "see", "got": "get",
    "gotten": "get", "left": "leave", "built": "build", "lent": "lend", "found": "find",
    "does": "do", "did": "do", "done": "do", "taught": "teach", "brought": "bring",
    "logged": "log", "signed": "sign",
}  # fmt: skip
_KNOWN_VERBS = (
    lx.VERBS
    | lx.NOUN_VERBS
    | lx.MANAGE_VERBS
    | lx.OWNING_VERBS
    | lx.CREATION_VERBS
    | lx.MANY_TO_MANY_VERBS
    | lx.POSSESSION_VERBS
    | lx.ENABLING_VERBS
    | lx.WISH_VERBS
)
_VERBISH = frozenset({VERB, BE, HAVE, MODAL})

_BULLET_RE = re.compile(r"^\s*(?:[-*+•·▪◦‣]|\d{1,3}[.)]|[a-z][.)])\s+")
_HEADING_RE = re.compile(r"^\s*#{1,6}\s*")
_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9'_.\-]*[a-z0-9]|[a-z0-9]|[(),:;/|&+\[\]]")
# Dashes become list commas; curly quotes become straight ones.
_PUNCTUATION = str.maketrans({"\u2014": ", ", "\u2013": ", ", "\u201c": '"', "\u201d": '"',
                              "\u2019": "'"})  # fmt: skip
_ABBREVIATIONS = (("e.g.", "eg"), ("i.e.", "ie"), ("etc.", "etc"), ("vs.", "vs"))


@dataclass
class Token:
    word: str  # lower-case surface form
    tag: str
    base: str = ""  # base form for verbs, singular for nouns
    form: str = ""  # verb form: base, s, ed, ing
    paren: tuple[str, ...] = ()  # a parenthesised list that followed this word


# --- sentences ----------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """Sentences in reading order; bullets under a heading come back as "heading: bullet"."""
    out: list[str] = []
    heading = ""
    for raw in _clean_markdown(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        bullet = _BULLET_RE.match(raw) is not None
        if _HEADING_RE.match(line) or _is_heading_line(line):
            heading = _HEADING_RE.sub("", line).rstrip(":").strip()
            if heading and _HEADING_RE.match(line) and not set(heading.split()) & lx.SECTION_WORDS:
                out.append(heading)
            continue
        if bullet:
            body = _BULLET_RE.sub("", raw).strip().replace(" - ", ": ")
            out.extend(_split_sentences(f"{heading}: {body}" if heading else body))
        elif out and _continues(out[-1]):
            heading = ""
            joined = _split_sentences(f"{out.pop()} {line.replace(' - ', ': ')}")
            out.extend(joined)
        else:
            heading = ""
            out.extend(_split_sentences(line.replace(" - ", ": ")))
    return [s for s in out if s]


def _continues(sentence: str) -> bool:
    """A line that leaves a parenthesis open or ends on a comma goes on in the next line."""
    return sentence.count("(") > sentence.count(")") or sentence.endswith((",", " and", " or"))


def _clean_markdown(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"[*_`~]{1,3}([^*_`~\n]+)[*_`~]{1,3}", r"\1", text)
    text = text.translate(_PUNCTUATION).replace("`", "").replace("**", "")
    lowered = text.lower()
    for abbreviation, plain in _ABBREVIATIONS:
        lowered = lowered.replace(abbreviation, plain)
    return lowered


def _is_heading_line(line: str) -> bool:
    """A short "Posts:" line with nothing after the colon heads the bullets below it."""
    return line.endswith(":") and len(line.split()) <= 5 and ":" not in line[:-1]


def _split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|[.!?]+$", text)
    return [p.strip().rstrip(".!?").strip() for p in parts if p and p.strip(" .!?")]


# --- tokens -------------------------------------------------------------------------------


def tokenize(sentence: str) -> list[Token]:
    """Tagged tokens of one sentence; "(a, b, c)" is folded onto the word before it."""
    words = _TOKEN_RE.findall(sentence.replace("'s ", " ").replace("s' ", "s "))
    words = _join_phrases(words)
    tokens: list[Token] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in "([":
            close = _closing(words, index)
            inner = words[index + 1 : close]
            if tokens and inner:
                tokens[-1].paren = _choices(inner)
            index = close + 1
            continue
        if word not in ")]":
            tokens.append(_tag_word(word.strip(".'")))
        index += 1
    _resolve(tokens)
    return _glue_moments(tokens)


def _glue_moments(tokens: list[Token]) -> list[Token]:
    """ "scheduled at", "a created at timestamp" in a list are one field: scheduled_at."""
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        after = tokens[index + 2] if index + 2 < len(tokens) else None
        starts_item = not out or out[-1].tag in {DET, PUNCT, CONJ}
        if (
            starts_item
            and token.word.endswith("ed")
            and nxt is not None
            and nxt.word in {"at", "on"}
            and (after is None or after.word in _MOMENT_ENDS)
        ):
            word = f"{token.word}_{nxt.word}"
            out.append(Token(word, NOUN, base=word))
            index += 3 if after is not None and after.word in {"timestamp", "datetime"} else 2
            continue
        out.append(token)
        index += 1
    return out


_MOMENT_ENDS = frozenset({",", ";", "and", "or", "timestamp", "datetime"})


def _join_phrases(words: list[str]) -> list[str]:
    """Glue multi-word expressions the rules treat as one word."""
    text = " ".join(words)
    for phrase, glued in (
        ("many to many", "many-to-many"),
        ("one to many", "one-to-many"),
        ("many to one", "many-to-one"),
        ("one to one", "one-to-one"),
        ("log in", "login"),
        ("log out", "logout"),
        ("sign up", "signup"),
        ("sign in", "signin"),
        ("sign out", "logout"),
        ("real time", "realtime"),
        ("e mail", "email"),
        ("a lot of", "many"),
        ("lots of", "many"),
        ("one or more", "many"),
        ("zero or more", "many"),
        ("a list of", "many"),
        ("a set of", "many"),
        ("a few", "several"),
        ("as well as", "and"),
        ("along with", "with"),
        ("together with", "with"),
        ("keep track of", "track"),
        ("keeps track of", "tracks"),
        ("keep track", "track"),
        ("consist of", "contain"),
        ("consists of", "contains"),
        ("made up of", "containing"),
        ("part of", "part-of"),
    ):
        text = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", glued, text)
    return text.split()


def _closing(words: list[str], start: int) -> int:
    depth = 0
    for index in range(start, len(words)):
        if words[index] in "([":
            depth += 1
        elif words[index] in ")]":
            depth -= 1
            if depth == 0:
                return index
    return len(words)


def _choices(inner: list[str]) -> tuple[str, ...]:
    """ "low , medium or high" -> ("low", "medium", "high"); "type: a/b, size" keeps
    "type : a / b" as one item."""
    items: list[list[str]] = [[]]
    for word in inner:
        if ":" in items[-1] and word in {"/", "|", "or"}:
            items[-1].append("/")
        elif word in {",", "/", "|", "or", "and", ";", "&", "+"} or word in "()[]":
            items.append([])
        else:
            items[-1].append(word.strip(".'"))
    return tuple(" ".join(item) for item in items if item and any(item))


def verb_form(word: str) -> tuple[str, str] | None:
    """(base, form) when the word is a known verb in some form, else None."""
    if word in _IRREGULAR:
        return _IRREGULAR[word], "ed"
    known = _KNOWN_VERBS
    if word in known:
        return word, "base"
    candidates: list[tuple[str, str]] = []
    if word.endswith("ies"):
        candidates.append((word[:-3] + "y", "s"))
    if word.endswith("es"):
        candidates.append((word[:-2], "s"))
    if word.endswith("s") and not word.endswith("ss"):
        candidates.append((word[:-1], "s"))
    if word.endswith("ied"):
        candidates.append((word[:-3] + "y", "ed"))
    if word.endswith("ed"):
        candidates += [(word[:-2], "ed"), (word[:-1], "ed"), (word[:-3], "ed")]
    if word.endswith("ing") and word not in lx.ING_NOUNS:
        candidates += [(word[:-3], "ing"), (word[:-3] + "e", "ing"), (word[:-4], "ing")]
    for base, form in candidates:
        if base in known and len(base) > 1:
            return base, form
    return None


def _tag_word(word: str) -> Token:
    simple = _simple_tag(word)
    if simple:
        return Token(word, simple, base=word)
    if re.fullmatch(r"[\d.,]+", word):
        return Token(word, NUM, base=word)
    verb = verb_form(word)
    if verb and word not in lx.ING_NOUNS:
        base, form = verb
        return Token(word, AMBIG if base in lx.NOUN_VERBS else VERB, base=base, form=form)
    if _is_adjective(word) or _unknown_participle(word):
        return Token(word, ADJ, base=word)
    return Token(word, NOUN, base=naming.singularize(word))


def _simple_tag(word: str) -> str | None:
    if word in {",", ":", ";", "/", "|", "&", "+"}:
        return CONJ if word in {"&", "+"} else PUNCT
    if word in _BE_FORMS:
        return BE
    if word in _HAVE_FORMS:
        return HAVE
    checks = (
        (lx.MODALS, MODAL),
        (lx.NEGATIONS, NEG),
        (lx.RELATIVE_PRONOUNS, REL),
        (lx.MANY_QUANTIFIERS, QUANT),
        (lx.ONE_QUANTIFIERS, QUANT),
        (lx.DETERMINERS, DET),
        (lx.PREPOSITIONS, PREP),
        (lx.CONJUNCTIONS, CONJ),
        (lx.PRONOUNS, PRON),
        (lx.CLAUSE_BREAKS, BREAK),
        (lx.ADVERBS, ADV),
    )
    return next((tag for words, tag in checks if word in words), None)


def _unknown_participle(word: str) -> bool:
    """ "pinned", "starred", "locked": a participle of a verb the lexicon does not list."""
    return len(word) > 5 and word.endswith("ed") and not word.endswith("eed") and word.isalpha()


def _is_adjective(word: str) -> bool:
    if word in lx.ADJECTIVES:
        return True
    return word.endswith(lx.ADJECTIVE_SUFFIXES) and word not in lx.ADJECTIVE_SUFFIX_EXCEPTIONS


# --- noun or verb? ------------------------------------------------------------------------


def _resolve(tokens: list[Token]) -> None:
    for index, token in enumerate(tokens):
        if token.tag == VERB and _in_noun_slot(tokens, index):
            token.tag = NOUN  # "with sets", "the needs", "a publish date", "a published flag"
            token.base = naming.singularize(token.word)
        elif token.tag in {VERB, AMBIG} and token.form == "ing" and _gerund_noun(tokens, index):
            nxt = tokens[index + 1] if index + 1 < len(tokens) else None
            token.tag = ADJ if nxt is not None and nxt.tag in {NOUN, AMBIG} else NOUN
            token.base = token.word
        if token.tag == AMBIG:
            token.tag = VERB if _reads_as_verb(tokens, index) else NOUN
            if token.tag == NOUN:
                token.base = naming.singularize(token.word)
        if token.tag == REL and token.word == "that" and not _after_noun(tokens, index):
            token.tag = DET
    for index, token in enumerate(tokens):
        if token.tag == VERB and token.form == "ed" and _is_modifier(tokens, index):
            token.tag = ADJ


def _in_noun_slot(tokens: list[Token], index: int) -> bool:
    """A present-tense verb form that is a noun: right after a determiner ("a publish date",
    "a published flag"), in front of a time word ("send date"), or a compound subject's head
    before its verb ("sync runs belong to")."""
    token = tokens[index]
    if index == 0 and token.form == "base":  # "Sync runs belong to", not "Sync runs"
        return token.base not in lx.ENABLING_VERBS | {"make"} and not _starts_imperative(tokens, 0)
    if token.form not in {"base", "s"} or index == 0:
        return False
    prev, nxt = tokens[index - 1], tokens[index + 1] if index + 1 < len(tokens) else None
    if nxt is not None and nxt.word in lx.TIME_WORDS and prev.tag not in {MODAL, NEG, NOUN, PRON}:
        return prev.word != "to"
    if token.form == "s" and prev.tag == NOUN and nxt is not None and _starts_verb_group(nxt):
        return True
    if (
        token.form == "s"
        and prev.tag in {CONJ, PUNCT}
        and (nxt is None or nxt.tag in {CONJ, PUNCT})
    ):
        return _in_list(tokens, index)  # "a title, reps and sets"
    back = index - 1
    while back > 0 and (tokens[back].tag == ADJ or tokens[back].form == "ed"
                        or (token.form == "base" and _singular_noun(tokens[back]))):  # fmt: skip
        back -= 1  # "a published flag", "a data flag" (but "the users flag posts")
    prev = tokens[back]
    if back < index - 1:
        return prev.tag in {DET, QUANT}
    return prev.tag in {DET, QUANT, ADJ} or (prev.tag == PREP and prev.word != "to"
                                               and token.form == "s")  # fmt: skip


def _singular_noun(token: Token) -> bool:
    return token.tag == NOUN and token.base == token.word


def _starts_verb_group(token: Token) -> bool:
    return token.tag in {MODAL, HAVE} or (token.tag == VERB and token.form == "base")


def _gerund_noun(tokens: list[Token], index: int) -> bool:
    """ "each viewing" names a thing, "a cooking time" describes one; "users viewing" acts."""
    prev = tokens[index - 1] if index else None
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    if prev is not None and prev.tag in {DET, QUANT}:
        return True
    after_list = prev is None or prev.word in {",", "and", "or", ":", ";"}
    return after_list and nxt is not None and nxt.word in lx.ATTRIBUTE_NOUNS


def _after_noun(tokens: list[Token], index: int) -> bool:
    return index > 0 and tokens[index - 1].tag == NOUN


def _is_modifier(tokens: list[Token], index: int) -> bool:
    """ "completed tasks", "published date": a participle in front of a noun."""
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    prev = tokens[index - 1] if index > 0 else None
    if nxt is None or nxt.tag != NOUN:
        return False
    return prev is None or prev.tag not in {BE, HAVE, MODAL, NEG, ADV}


def _reads_as_verb(tokens: list[Token], index: int) -> bool:
    token = tokens[index]
    prev = _previous(tokens, index)
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    if token.form in {"ing", "ed"}:
        return True
    if prev is None or prev.tag in {BREAK, REL} or prev.word in {":", ";"}:
        if prev is not None and prev.word == ":" and _one_attribute_follows(tokens, index):
            return False  # "Books: cover image"
        return token.form == "base" and _starts_imperative(tokens, index)
    if prev.tag in {DET, QUANT, ADJ, NUM} or (prev.tag == PREP and prev.word != "to"):
        return False
    if prev.tag in {MODAL, NEG} or prev.word == "to":
        return token.form == "base"
    if prev.tag in {VERB, HAVE, BE}:
        return False
    if prev.tag in {CONJ, PUNCT}:
        before = _previous(tokens, index - 1) if index > 1 else None
        if token.form != "base":
            return False
        takes_object = nxt is not None and nxt.tag in {PREP, DET, QUANT} and prev.tag == CONJ
        return (
            (before is not None and before.tag == VERB)
            or _verb_list_follows(tokens, index)
            or takes_object
            or _follows_predicate(tokens, index)
        )
    if prev.tag in {NOUN, PRON}:
        if nxt is not None and nxt.tag in _VERBISH:
            return False  # "order items have"
        if (
            prev.tag == NOUN
            and (nxt is None or nxt.tag in {PUNCT, CONJ})
            and _in_list(tokens, index)
        ):
            return False  # "a date, a dentist and treatment notes"
        if _after_enabling_verb(tokens, index):
            return token.form == "base"
        if not _subject_before(tokens, index):
            return False
        plural_subject = prev.tag == PRON or naming.is_plural(prev.word)
        return token.form == ("base" if plural_subject else "s")
    return False


def _in_list(tokens: list[Token], index: int) -> bool:
    """Whether a predicate came earlier, so a word at the end of an item is a list noun."""
    before = tokens[:index]
    return any(t.tag in _VERBISH for t in before) and any(t.tag in {PUNCT, CONJ} for t in before)


def _one_attribute_follows(tokens: list[Token], index: int) -> bool:
    rest = tokens[index + 1 :]
    return len(rest) == 1 and rest[0].word in lx.ATTRIBUTE_NOUNS


def _follows_predicate(tokens: list[Token], index: int) -> bool:
    """ "propose books, vote for a book, and schedule meetings": the item before began with
    a verb, so this one is a verb too."""
    back = index - 1
    while back >= 0 and tokens[back].word in {",", "and", "or"}:
        back -= 1
    while back >= 0 and tokens[back].word not in {",", "and", "or", ";", ":"}:
        back -= 1
    first = tokens[back + 1] if back + 1 < index else None
    if first is not None and first.tag == VERB and back >= 0:
        return True
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    takes_object = nxt is not None and nxt.tag in {PREP, DET, QUANT}
    return takes_object and _subject_verb_item(tokens[back + 1 : index])


def _subject_verb_item(item: list[Token]) -> bool:
    """ "members propose books": a subject, then a verb."""
    verb = next((i for i, t in enumerate(item) if t.tag == VERB), None)
    if not verb or item[verb].form not in {"base", "s"}:
        return False
    return all(t.tag in {NOUN, ADJ, DET} for t in item[:verb])


def _verb_list_follows(tokens: list[Token], index: int) -> bool:
    """ "search and filter posts": a base form joined to another verb."""
    rest = tokens[index + 1 : index + 3]
    if len(rest) < 2 or rest[0].tag != CONJ:
        return False
    return rest[1].tag in {VERB, AMBIG} and rest[1].form == "base"


def _after_enabling_verb(tokens: list[Token], index: int) -> bool:
    """ "help our team track volunteers": a bare infinitive after let/help/make + object."""
    back = index - 1
    while back >= 0 and tokens[back].tag in {NOUN, ADJ, DET, QUANT, PRON}:
        back -= 1
    return (
        back >= 0 and tokens[back].tag == VERB and tokens[back].base in lx.ENABLING_VERBS | {"make"}
    )


def _subject_before(tokens: list[Token], index: int) -> bool:
    """Whether the noun phrase before ``index`` opens its clause (so it can be a subject)."""
    back = index - 1
    while back >= 0 and tokens[back].tag in {NOUN, ADJ, DET, QUANT, ADV, PRON}:
        back -= 1
    return back < 0 or tokens[back].tag in {BREAK, REL, CONJ} or tokens[back].word in ";:"


def _previous(tokens: list[Token], index: int) -> Token | None:
    for back in range(index - 1, -1, -1):
        if tokens[back].tag != ADV:
            return tokens[back]
    return None


def _starts_imperative(tokens: list[Token], index: int) -> bool:
    """ "Book rooms and pay online" is a command; "Order items belong to orders" is not."""
    rest = tokens[index + 1 :]
    if not rest:
        return False
    if rest[0].tag in _VERBISH:
        return False
    if rest[0].tag in {CONJ, PUNCT} or rest[0].tag in {DET, QUANT, PRON, PREP}:
        return True
    for position, token in enumerate(rest):
        if token.tag in {NOUN, ADJ, AMBIG}:
            continue
        return not (token.tag in _VERBISH and position > 0)
    return True
