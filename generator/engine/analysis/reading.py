"""Modelling rules over the parse: what each unit of text says about things, people and links.

Each rule reads one shape of English from spaCy's dependency parse and writes evidence:

- possession: "a shift has a date, start time and end time"; "events with a title and a venue";
- lists: "crm: contacts, companies, deals", "Patients: name, date of birth", headings over
  bullets, and "X (a, b, c)" (attributes make X an entity, values make X a choice field);
- composition: "courses made of lessons", "each project has many tasks", "clients and their
  dogs" put the key on the part;
- participation: "students enroll in courses" gives an Enrollment linking the person and the
  course (see hints.PARTICIPATION);
- ownership and authorship: "landlords own buildings", "customers place orders";
- tagging: "let users tag posts" gives a many-to-many;
- actions in general: the subject acts (a role, when it is a person), the object is a thing;
- nouns tied by a preposition: "leases for units", "shifts at different locations";
- user stories: the persona acts, the objects of the wanted action recur across stories.

Only nouns (by the parser's tags) ever become things; adjectives, adverbs, verbs and pronouns
cannot. What becomes an entity, role or field is decided in modelling.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from generator.engine import naming
from generator.engine.analysis import hints
from generator.engine.analysis.document import Unit
from generator.engine.analysis.evidence import MEDIUM, STRONG, USER_KEY, WEAK, Evidence, Pending
from generator.engine.analysis.fields import (
    FILLER_WORDS,
    RANGE,
    field_from_words,
    infer_type,
    ranged_field,
)
from generator.engine.analysis.lexicon import MEASURE_UNITS
from generator.engine.analysis.nlp import known_nouns, known_verbs
from generator.engine.spec import FieldSpec, FieldType, RelationKind

M2O, O2O, M2M = RelationKind.MANY_TO_ONE, RelationKind.ONE_TO_ONE, RelationKind.MANY_TO_MANY
_NOUNS = frozenset({"NOUN", "PROPN"})
_USER_PRONOUNS = frozenset({"i", "we", "you", "me", "us", "everyone", "anyone", "someone"})
_RELATIVE = frozenset({"who", "that", "which"})
_SPLITTERS = frozenset({",", ";", "and", "or", "&", "+", "plus", "/"})
_OBJECT_PREPS = frozenset({"for", "in", "on", "to", "into", "onto", "at", "up", "from"})
_PARTICLES = frozenset({"in", "up", "out", "off", "on", "over", "back", "through"})
_APP_USE_VERBS = frozenset({"log", "sign", "use", "access", "book", "login", "register"})
_EVENT_DAYS = frozenset({"day", "night", "evening", "weekend"})  # "a planting day"
_PERSONA_CUTS = frozenset({"of", "in", "at", "for", "from", "on", "with", "who", "that"})
_ONTO = frozenset({"onto", "into", "on", "in", "for"})
_ABOUT = frozenset({"for", "of", "on", "about", "per"})
# Verbs that place their subject somewhere: "each guest sits at a table".
_SITUATED = frozenset({"sit", "live", "stay", "happen", "occur", "park", "hang", "stand"})
_NOT_ACTING = _SITUATED | {"be", "have"}  # "guests sit at tables" is not using the app
_BE_PREPS = frozenset({"for", "of", "by", "in", "on", "at", "to"})
_NOUN_LINK_PREPS = frozenset({"for", "at", "in", "on", "of", "to", "from", "under", "within"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_FINITE = frozenset({"VBZ", "VBP", "VBD", "MD"})
_UNIT_WORDS = frozenset({"m", "cm", "mm", "km", "kg", "g", "l", "ml", "min", "mins", "h", "hrs",
                         "eur", "usd", "gbp", "chf", "%", "sec", "s", "lb", "lbs", "in", "ft",
                         "c", "f", "kwh", "w", "mhz"})  # fmt: skip
_DROPPED_MODIFIERS = frozenset(
    {
        USER_KEY,
        "online",
        "system",
        "app",
        "blog",
        "website",
        "site",
        "company",
        "team",
        "personal",
        "customer",
        "member",
        "staff",
        "fav",
        "favorite",
        "favourite",
        "main",
        "new",
    }
)
# Verbs that make records of the people they are done to: "participants are enrolled".
_ENROLLED = frozenset({"register", "enroll", "enrol", "admit", "record", "store", "keep", "list",
                       "add", "file", "index"})  # fmt: skip
# Verbs whose passive agent is the person in charge: "each crew is led by a supervisor".
_LED_VERBS = frozenset({"lead", "brew", "enter", "supervise", "run", "coach", "teach"})
_PARTICIPLES = frozenset({"needed", "required", "allowed", "wanted", "used", "included"})


@dataclass
class Item:
    """One element of a list: its tokens and a parenthesised list that followed it."""

    tokens: list[Token]
    choices: tuple[str, ...] = ()
    inner: tuple[Token, ...] = ()  # the tokens of the parenthesised list


def key_of(token: Token) -> str:
    """The snake_case singular name of the thing a noun names: the head, and its noun
    modifier when the head alone is too generic ("order item") or tracks another thing."""
    head = _lemma(token)
    before = token.doc[token.i - 1] if token.i else None
    if head in _PARTICLES and before is not None and before.text == "-" and token.i >= 2:
        return f"{_lemma(token.doc[token.i - 2])}_{head}"  # "check-ins", "sign-ups"
    if token.i + 2 < len(token.doc) and token.doc[token.i + 1].text == "-" and \
            not token.whitespace_ and token.doc[token.i + 2].lower_ in _PARTICLES:  # fmt: skip
        return f"{head}_{token.doc[token.i + 2].lower_}"  # "each clean-up": not a "clean"
    if before is None or before.dep_ != "compound" or before.head != token:
        return head
    if not (
        before.pos_ == "NOUN"
        or (
            before.pos_ == "PROPN"
            and (before.lower_ in known_nouns() or (before.text.isupper() and len(before) <= 5))
        )
    ):
        return head  # fmt: skip
    modifier = _lemma(before)
    if modifier in hints.OWNING_VERBS or modifier in hints.PARTICIPATION:
        return head  # "landlords list properties": a verb the tagger took for a noun
    earlier = token.doc[before.i - 1] if before.i else None
    if earlier is not None and (earlier.text == "-" or earlier.pos_ in {"AUX", "PART", "PRON"}
                                or earlier.lower_ == "to"):  # fmt: skip
        return head  # "book desks", "multiple-choice questions": not a compound name
    if (head in hints.GENERIC_HEADS or head in hints.TRACKING_HEADS or head in _EVENT_DAYS) and \
            modifier not in _DROPPED_MODIFIERS:  # fmt: skip
        return f"{modifier}_{head}"
    if modifier in _DROPPED_MODIFIERS or is_person(modifier) or head in hints.ATTRIBUTE_NOUNS or \
            modifier in hints.APP_NOUNS | hints.APP_KIND_NOUNS | hints.FEATURE_NOUNS:  # fmt: skip
        return head
    return f"{modifier}_{head}"


def _lemma(token: Token) -> str:
    word = token.lower_ if token.lower_ in {"data", "media", "news", "series", "species"} else \
        token.lemma_  # fmt: skip
    if (
        token.pos_ == "PROPN"
        and token.is_sent_start
        and token.text[1:].islower()
        and (
            (token.dep_ == "nsubj" and token.head.tag_ == "VBP")
            or (token.lower_.endswith("s") and naming.singularize(token.lower_) in known_nouns())
        )
    ):
        word = naming.singularize(token.lower_)  # "Walks have a date", "Pickups: date"
    return naming.to_snake(word.lower()) or token.lower_


def is_person(lemma: str) -> bool:
    head = lemma.split("_")[-1]
    if head in hints.PERSON_NOUNS:
        return True
    if head in hints.NOT_PEOPLE or len(head) <= 4:
        return False
    if head.endswith(("ist", "ian")) or (head.endswith("tress") and len(head) > 6):
        return True  # "dentist", "librarian", "seamstress"
    if head.endswith(hints.AGENT_ENDINGS):
        stems = {head[:-2], head[:-1], head[:-3], head[:-2] + "e"}
        return bool(stems & known_verbs())
    return False


def persona_key(persona: str) -> str:
    persona = re.sub(r"^.*\b\w+['\u2019]s\s+", "", persona)  # "a client's relative" is a relative
    words = _CAMEL.sub(" ", persona).lower().split()
    cut = next((i for i, w in enumerate(words) if i and w in _PERSONA_CUTS), len(words))
    words = [w for w in words[:cut] if w not in {"a", "an", "the"}]  # "a parent in the co-op"
    return naming.to_snake(naming.singularize(" ".join(words[-3:]))) if words else USER_KEY


class UnitReader:
    def __init__(self, evidence: Evidence, unit: Unit, story: int | None) -> None:
        self.ev = evidence
        self.unit = unit
        self.story = story
        self.persona = persona_key(unit.persona) if unit.persona else ""
        self.done: set[int] = set()  # token indices already read as list items

    # --- entry --------------------------------------------------------------------------
    def read(self, doc: Doc) -> None:
        self.ev.clauses.append((doc.text.lower(), set()))
        if self.persona:
            self.ev.note(self.persona, MEDIUM, surface=self.unit.persona, person=True).acts = True
        if self.unit.kind == "heading":
            return
        if self.unit.heading and self._under_heading(doc):
            return
        if self._bare_list(doc):
            return
        for token in doc:
            if token.i in self.done:
                continue
            if token.pos_ in {"VERB", "AUX"} and token.dep_ not in {"aux", "auxpass"}:
                self._verb(token)
        self._attribute_groups(doc)
        for token in doc:
            if token.pos_ in _NOUNS and token.i not in self.done:
                self._noun(token)

    # --- attributes in any phrasing -----------------------------------------------------
    def _attribute_groups(self, doc: Doc) -> None:
        """ "the date, time and location of every match", "each volunteer's phone number and
        availability", "a vehicle should store its plate, make and model", "customers - i need
        their name, phone and address": a run of short attribute phrases and the thing they
        belong to, whatever the verb. Read from commas and conjunctions, since the parser often
        gets long lists wrong."""
        for run in _runs(doc, self.done):
            giving = next((i for i, part in enumerate(run) if i and _leads_phrase(part)), 0)
            run = run[giving:]  # "suggest a film for a screening, giving the title, the year"
            phrases = [p for p in (_trailing_phrase(part) for part in run) if p]
            if not phrases:
                continue
            keys = [_phrase_key(p) for p in phrases]
            attributes = sum(1 for k in keys if k and (_attribute_word(k) or
                                                       k.startswith("whether_")))  # fmt: skip
            owner, cut, explicit = self._run_owner(doc, phrases)
            if owner is None or not attributes:
                continue
            enough = attributes * 3 >= len(phrases) if explicit else attributes * 2 > len(phrases)
            if not enough or (len(phrases) < 2 and not explicit):
                continue
            phrases[-1] = phrases[-1][:cut] if cut else phrases[-1]
            self.ev.note(owner, STRONG, person=is_person(owner))
            # "the coat type (short, wire, long or curly)": the parentheses give its values
            self._items(owner, [(_split_items(p) or [Item(p)])[0] for p in phrases if p])
            self.done.update(t.i for p in phrases for t in p)

    def _run_owner(self, doc: Doc, phrases: list[list[Token]]) -> tuple[str | None, int, bool]:
        """Who the attributes belong to, where the last phrase ends before "of every X", and
        whether the text said so explicitly (rather than the clause's subject)."""
        last, start = phrases[-1], phrases[0][0].i
        for index, token in enumerate(last):
            if index and token.lower_ in {"of", "for"} and index + 1 < len(last):
                target = _head(last[index + 1 :])
                if target is not None and self._owner_noun(target) and any(
                        t.lower_ in {"each", "every", "a", "an", "the", "all", "any"}
                        for t in last[index + 1 : target.i - last[0].i + 1]):  # fmt: skip
                    return key_of(target), index, True
        for token in phrases[0]:
            if token.dep_ == "poss" and self._owner_noun(token):
                return key_of(token), 0, True
        sep = next((t for t in doc[:start] if _separator(t)), None)
        if sep is not None:
            title = [t for t in doc[: sep.i] if t.pos_ in _NOUNS]
            if title and self._owner_noun(title[-1]):
                return key_of(title[-1]), 0, True  # "customers - i need their name, phone"
        for token in reversed(doc[:start]):
            fronted = token.i == 0 or token.doc[token.i - 1].is_punct
            if token.lower_ in {"for", "per"} and fronted:
                target = next((c for c in token.children if c.dep_ == "pobj"), None)
                if target is not None and target.i < start and self._owner_noun(target):
                    return key_of(target), 0, True  # "For each patient we need to know ..."
            if token.pos_ in _NOUNS and self._owner_noun(token) and any(
                    c.lower_ in {"each", "every", "per"} for c in token.lefts):  # fmt: skip
                return key_of(token), 0, True  # "each time entry recording the date, ..."
        made = next((t for t in reversed(doc[:start]) if t.dep_ == "dobj"), None)
        if made is not None and made.pos_ in _NOUNS and self._owner_noun(made) and \
                made.head.lemma_.lower() in hints.OWNING_VERBS and \
                not is_person(key_of(made)):  # fmt: skip
            return key_of(made), 0, False  # "makes a booking for a date, a start time and ..."
        subject = next((t for t in doc[:start] if t.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is not None and self._owner_noun(subject) and not is_person(key_of(subject)):
            return key_of(subject), 0, False
        if start == 0 and self.ev.focus:  # "track my brews?? start date, tea type, ..."
            return self.ev.focus, 0, True
        return None, 0, False

    def _owner_noun(self, token: Token) -> bool:
        if token.pos_ not in _NOUNS or token.lower_ in _USER_PRONOUNS:
            return False
        key = key_of(token)
        if key in {USER_KEY, "people", "person"} or _attribute_word(key):
            return False
        head = key.split("_")[-1]
        return head not in hints.ABSTRACT_NOUNS | hints.FEATURE_NOUNS | hints.APP_ONLY_NOUNS

    # --- lists --------------------------------------------------------------------------
    def _under_heading(self, doc: Doc) -> bool:
        """A bullet under "Patients:" lists the patient's fields (or parts)."""
        if _has_finite_verb(doc):
            return False
        if any(_separator(t) for t in doc):
            return self._bare_list(doc)
        heading = self.unit.heading
        words = heading.lower().split()
        if not words or set(words) & {"entities", "models", "data", "tables", "objects"}:
            return self._bare_list(doc, titled=False)
        owner = naming.to_snake(naming.singularize(words[-1]))
        if owner in hints.FEATURE_NOUNS or owner in hints.ABSTRACT_NOUNS or (is_person(owner) \
                and owner == USER_KEY):  # fmt: skip
            return self._bare_list(doc, titled=False)
        self.ev.note(owner, STRONG, surface=heading)
        self._items(owner, _split_items(list(doc)))
        return True

    def _bare_list(self, doc: Doc, *, titled: bool = True) -> bool:
        """ "crm: contacts, companies, deals", "Patients: name, date of birth", "dogs, walks"."""
        tokens = list(doc)
        colon = next((t.i for t in tokens if t.i > 2 and (t.text in {":", "="} or (
            t.text in {"-", "—"} and bool(t.whitespace_) and bool(t.doc[t.i - 1].whitespace_)
        ))), None)  # fmt: skip
        after = tokens[colon + 1 :] if colon is not None else []
        dash = colon is not None and tokens[colon].text not in {":", "="}
        if titled and after and self._details_of_object(tokens[:colon], _split_items(after), after,
                                                        only_choices=dash):  # fmt: skip
            return False  # "… we save a score: date, total, number of golds"
        sep = next((t.i for t in tokens if _separator(t)), None)
        second = next((t.i for t in tokens[sep + 1 : sep + 5] if t.text in {":", "="}), None) \
            if sep is not None and titled else None  # fmt: skip
        if sep is not None and second is not None and all(
                t.pos_ in _NOUNS | {"ADJ"} for t in tokens[sep + 1 : second]):  # fmt: skip
            named = {key_of(t) for t in tokens[sep + 1 : second] if t.pos_ in _NOUNS}
            self._mark_app([t for t in tokens[:sep] if t.pos_ in _NOUNS and key_of(t) not in named])
            first, sep = sep + 1, second  # "phone repair shop - tickets: name, fault": the
        else:  # list is the tickets'; "coin collection: coin = country, year": the coin's
            first = 0
        title, rest = (tokens[first:sep], tokens[sep + 1 :]) if sep is not None and titled else \
            ([], tokens)  # fmt: skip
        if not rest or (sep is None and "," not in doc.text):
            return False
        items = _split_items(rest)
        if not items:
            return False
        if any(_is_clause(i.tokens) for i in items):
            if sep is None or not titled or _is_clause(items[0].tokens):
                return False  # "customers - i need their name, phone": a sentence
            return self._mixed_list(title, rest)
        title_noun = _title_noun(title)
        if title_noun is not None and len(title) <= 2 and key_of(title_noun) in hints.ENUM_HINTS \
                and not _things_described(title_noun, items) \
                and self._values_of(title, items, " ".join(t.text for t in rest)):  # fmt: skip
            self.done.update(t.i for t in tokens)
            return True
        if title_noun is None and self.ev.focus and _attribute_like(items):
            self._items(self.ev.focus, items)  # "track my brews?? start date, tea type, ..."
            self.done.update(t.i for t in tokens)
            return True
        if title_noun is not None and _describes(title_noun, items) and \
                not self._is_app(title_noun):  # fmt: skip
            owner = key_of(title_noun)
            self.ev.note(owner, STRONG, surface=title_noun.text, person=is_person(owner))
            self._items(owner, items)
            for target in (t for t in title if t.dep_ == "pobj" and t.pos_ in _NOUNS):
                if not _attribute_word(key_of(target)) and key_of(target) != owner:
                    self.ev.note(key_of(target), MEDIUM, surface=target.text)
                    self.ev.link(
                        M2O, owner, key_of(target), strength=MEDIUM
                    )  # "boards cut from a log"
        else:
            if title_noun is not None:
                compounds = [c for c in title_noun.lefts if c.dep_ == "compound"]
                self._mark_app([title_noun, *compounds])  # "fleet management - vehicles, ..."
            self._list_entities(_top_items(rest))
        self.done.update(t.i for t in tokens)
        return True

    def _is_app(self, token: Token) -> bool:
        thing = self.ev.things.get(key_of(token))
        return thing is not None and thing.app

    def _values_of(self, title: list[Token], items: list[Item], rest_text: str) -> bool:
        """ "Equipment / - type: skis, boots, poles": the values of a choice of the thing the
        heading (or the sentence before) is about."""
        heading = self.unit.heading.split()
        owner = naming.to_snake(naming.singularize(heading[-1].lower())) if heading else \
            self.ev.focus  # fmt: skip
        values = [" ".join(t.text for t in i.tokens) for i in items if i.tokens]
        if len(items) == 1 and len(items[0].choices) >= 2:
            values = list(items[0].choices)
        elif len(items) == 1 and "/" in rest_text:  # "status: pending / confirmed / cancelled"
            values = [v.strip() for v in rest_text.split("/") if v.strip()]
        if not owner or len(values) < 2 or any(len(v.split()) > 3 for v in values):
            return False
        spec = field_from_words([t.lower_ for t in title], tuple(values))
        if spec is None:
            return False
        self.ev.note(owner, STRONG)
        self.ev.add_field(owner, spec)
        return True

    def _details_of_object(self, title: list[Token], items: list[Item], rest: list[Token], *,
                           only_choices: bool = False) -> bool:  # fmt: skip
        """ "volunteers log a donation: which fridge, how many kilos and the use-by date": the
        list after a clause's colon gives the details of the clause's object."""
        verbs = [t for t in title if t.pos_ == "VERB" and t.tag_ in _FINITE | {"VB"} and
                 any(c.dep_ in {"dobj", "npadvmod"} for c in t.children)]  # fmt: skip
        obj = next((c for c in verbs[-1].children if c.dep_ == "dobj"), None) if verbs else None
        if verbs and (obj is None or obj.i >= len(title)) and title[-1].pos_ in _NOUNS:
            obj = title[-1]  # "has a status - waiting, fired": the parser took a value for it
        if obj is None or obj.pos_ not in _NOUNS or obj.lower_ in _USER_PRONOUNS or \
                key_of(obj) in {USER_KEY, "people", "person"}:  # fmt: skip
            return False  # (a "score" with a date and a total is a record, not a value)
        if any(
            t.dep_ in {"nsubj", "nsubjpass"}
            and t.pos_ in _NOUNS
            and t.head.tag_ in {"VBZ", "VBP", "MD"}
            for i in items
            for t in i.tokens
        ):
            return False  # "my garden: beds have a size, and I plant crops": sentences follow
        described = [i for i in items if not _is_clause(i.tokens)]
        if len(described) < 2:
            return False
        if key_of(obj) in hints.ENUM_HINTS and self._choice_of_subject(verbs[-1], obj, described):
            return True  # "every piece has a status - waiting, fired, collected"
        if only_choices:
            return False
        if _lemma(obj) in hints.VAGUE_RECORDS:  # "keep a record for each client: name, ..."
            whose = next((t for t in _prep_objects(obj, frozenset({"for", "of", "on", "about"}))
                          if t.pos_ in _NOUNS), None)  # fmt: skip
            if whose is None:
                return False
            obj = whose
        moments = _lemma(obj) in {"time", "date"} and obj.tag_ == "NNS"
        subject = self._subject(verbs[-1]) if verbs and moments else None
        if moments and subject not in {None, USER_KEY} and not self._is_person(str(subject)):
            self._moments(str(subject), described, _lemma(obj))  # "each X keeps times: …"
            self.done.update(t.i for t in rest)
            return True
        owner = key_of(obj)
        self.ev.note(owner, STRONG, surface=obj.text, story=self.story)
        self._items(owner, described)
        self.done.update(t.i for t in rest)
        return True

    def _moments(self, owner: str, items: Sequence[Item], kind: str) -> None:
        """ "each assignment keeps times: dispatched, arrived on scene": every item names a
        moment of the owner, a date and time (or a date)."""
        field_type = FieldType.DATETIME if kind == "time" else FieldType.DATE
        self.ev.note(owner, STRONG)
        for item in items:
            words = [t.lower_ for t in item.tokens if t.is_alpha and t.lower_ not in FILLER_WORDS]
            name = naming.to_snake(" ".join(words[:4]))
            if name:
                self.ev.add_field(owner, FieldSpec(name=name, type=field_type))

    def _choice_of_subject(self, verb: Token, obj: Token, items: list[Item]) -> bool:
        subject = self._subject(verb)
        values = [" ".join(t.text for t in i.tokens) for i in items if i.tokens]
        if subject in {None, USER_KEY} or self._is_person(str(subject)) or \
                any(len(v.split()) > 3 for v in values):  # fmt: skip
            return False
        spec = field_from_words([t.lower_ for t in obj.subtree if t.pos_ in _NOUNS], tuple(values))
        if spec is None:
            return False
        self.ev.note(str(subject), STRONG)
        self.ev.add_field(str(subject), spec)
        self.done.update(t.i for i in items for t in i.tokens)
        self.done.update(t.i for t in verb.subtree if t.i <= obj.i)
        return True

    def _mixed_list(self, title: list[Token], rest: list[Token]) -> bool:
        """ "fleet - vehicles (plate, make), drivers, each trip belongs to a vehicle": the
        noun items are things; the clauses are left to the verb rules."""
        title_noun = next((t for t in reversed(title) if t.pos_ in _NOUNS), None)
        if title_noun is not None:
            self._mark_app([title_noun, *(c for c in title_noun.lefts if c.dep_ == "compound")])
        for part in _top_items(rest):
            if _is_clause(part):
                continue
            self._list_entity(part)
            self.done.update(t.i for t in part)
        self.done.update(t.i for t in title)
        return False

    def _list_entities(self, parts: list[list[Token]]) -> None:
        """ "sessions per injury w/ date, pain score, notes": the attributes after a with-list
        go on with it."""
        described = ""
        for part in parts:
            cut = next((i for i, t in enumerate(part) if i and t.lower_ == "from"), len(part))
            words = [t for t in part[:cut] if t.is_alpha]  # "pain score from 0 to 10"
            if described and words and _attribute_like([Item(words)]) and not any(
                    t.lower_ in {"with", "w/"} for t in part) and \
                    not _names_things(Item(part)):  # fmt: skip
                self._items(described, _split_items(part))
                continue
            described = self._list_entity(part)

    def _list_entity(self, tokens: list[Token]) -> str:
        """Read one thing of a list; returns its key when a with-list describes it."""
        if tokens and tokens[0].lower_ == "no":  # "no payments, no logins"
            head = _head(tokens)
            if head is not None:
                self.ev.negated.setdefault(key_of(head), head.text)
            return ""
        return self._list_thing(tokens)

    def _list_thing(self, tokens: list[Token]) -> str:
        """One element of a list of things: "contacts at each company", "deals per company
        with amount + stage (lead, won)", "bikes (size, hourly rate)", "notes on deals"."""
        cut = next((i for i, t in enumerate(tokens) if i and (
            t.lower_ in _DESCRIBERS or t.text == "(")), len(tokens))  # fmt: skip
        head = _head(tokens[:cut]) or _dictionary_noun(tokens[:cut])
        if head is None:
            return ""
        key = key_of(head)
        if _attribute_word(key) and cut == len(tokens) and head.tag_ not in {"NNS", "NNPS"}:
            return ""
        if head.tag_ == "NN" and any(c.dep_ == "poss" and c.lower_ in {"my", "our"}
                                     for c in head.children):  # fmt: skip
            return ""  # "a business with my sister": one person, not a table
        thing = self.ev.note(key, MEDIUM, surface=head.text, person=is_person(key))
        thing.managed = thing.managed or thing.person  # "clients, dogs, walks": clients are kept
        thing.listed = True
        rest = tokens[cut:]
        if rest and rest[0].text == "(":
            close = next((i for i, t in enumerate(rest) if t.text == ")"), len(rest))
            self._items(thing.key, _split_items(rest[1:close]))
            rest = rest[close + 1 :]
        described = ""
        if rest and rest[0].lower_ in {"with", "w/", "including", "having"}:
            self._items(thing.key, _split_items(rest[1:]))
            described = thing.key
        elif rest and rest[0].lower_ in _LINKERS:
            bare = next((i for i, t in enumerate(rest) if t.text == "(" or t.lower_ in {"with",
                         "w/"}), len(rest))  # fmt: skip
            target = _head(rest[1:bare]) or _dictionary_noun(rest[1:bare])
            if target is not None:
                thing.strength = STRONG  # "notes on deals": a thing of its own
                self.ev.note(key_of(target), WEAK, surface=target.text)
                self.ev.link(M2O, thing.key, key_of(target), strength=MEDIUM)
            within = next((i for i, t in enumerate(rest) if t.lower_ in {"with", "w/"}), None)
            opened = next((i for i, t in enumerate(rest) if t.text == "("), None)
            if within is not None:
                self._items(thing.key, _split_items(rest[within + 1 :]))
                described = thing.key
            elif opened is not None:  # "injuries per patient (body part, date)"
                close = next((i for i, t in enumerate(rest) if t.text == ")"), len(rest))
                self._items(thing.key, _split_items(rest[opened + 1 : close]))
        for token in tokens:
            if token.dep_ == "poss" and token.lower_ in {"their", "its"}:
                self._possessed(head)
        return described

    def _items(self, owner: str, items: Sequence[Item]) -> None:
        """Each item of a has-list: a field, a part (plural), or a link (a singular thing).
        "many menu items with a name, a price": the items after "with" describe the part."""
        child = ""
        for item in items:
            cut = next((i for i, t in enumerate(item.tokens) if i and t.lower_ == "with"), None)
            if cut is None:
                child = self._item(owner, item, child) or child
                continue
            part = self._item(owner, Item(item.tokens[:cut]), child)
            if part:
                self.done.update(t.i for t in item.tokens)
                rest = [Item(item.tokens[cut + 1 :], item.choices), *items[items.index(item) + 1 :]]
                self._items(part, rest)
                return
            child = part or child

    def _item(self, owner: str, item: Item, previous_child: str) -> str:
        self.done.update(t.i for t in (*item.tokens, *item.inner))
        relative = next((i for i, t in enumerate(item.tokens) if i and t.dep_ == "nsubj" and
                         t.head.dep_ == "relcl" and t.head in item.tokens), None)  # fmt: skip
        if relative:  # "the regions they cover": the regions
            item = Item(item.tokens[:relative], item.choices, item.inner)
        if item.tokens and item.tokens[0].pos_ == "PRON" and item.tokens[0].head.dep_ == "relcl":
            return ""  # "they cover", left over from "the regions they cover"
        item = Item(_without_tail(_without_lead_verb(item.tokens), owner, self._is_person),
                    item.choices, item.inner)  # fmt: skip
        words = [t.lower_ for t in item.tokens if t.lower_ not in FILLER_WORDS and not t.is_punct
                 and t.dep_ not in {"poss", "case"}]  # fmt: skip
        head = _head(item.tokens)
        text = " ".join(t.text for t in item.tokens)
        quantity = _quantity_field(words)
        if quantity is not None:
            self.ev.add_field(owner, quantity)
            return ""
        if head is None:
            spec = field_from_words(words, item.choices)
            if spec is not None:
                self.ev.add_field(owner, spec)
            return ""
        key = key_of(head)
        if len(item.choices) == 1 and item.choices[0] in _UNIT_WORDS:
            spec = field_from_words([*words, "in", item.choices[0]])  # "length (m)"
            if spec is not None:
                self.ev.add_field(owner, spec)
            return ""
        if item.choices == ("yes_no",):
            yes_no = field_from_words([*words, "flag"])
            if yes_no is not None:
                self.ev.add_field(owner, yes_no)
            return ""
        if key in MEASURE_UNITS and len(words) <= 2:  # "tanks: name, litres": a measure
            self.ev.add_field(owner, FieldSpec(name=naming.to_snake(" ".join(words)),
                                               type=FieldType.DECIMAL))  # fmt: skip
            return ""
        quantified = any(t.lower_ in hints.MANY_WORDS for t in item.tokens)
        many = head.tag_ in {"NNS", "NNPS"} or any(
            t.lower_ in hints.MANY_WORDS for t in item.tokens
        )
        one = any(t.lower_ in {"one", "a", "single"} for t in item.tokens)
        adjective = next((t for t in item.tokens if t.dep_ == "amod" and t.pos_ == "ADJ"), None)
        if item.choices and _attribute_like([Item([], (c,)) for c in item.choices]) and \
                key not in hints.ENUM_HINTS:  # fmt: skip
            if key in hints.GENERIC_HEADS and owner != key:
                key = f"{owner.split('_')[-1]}_{key}"
            self.ev.note(key, STRONG, surface=head.text)
            self._choice_fields(key, item.choices)
            self.ev.link(M2O, key, owner, strength=STRONG if many else MEDIUM)
            return key if many else ""
        if previous_child and one and adjective is not None and key != previous_child and \
                not _attribute_word(key):  # fmt: skip
            flag = f"is_{naming.to_snake(adjective.lemma_.lower())}"
            self.ev.one_true.append((previous_child, owner, flag))
            return ""
        spec = ranged_field(words, item.choices, text)
        if spec is None:
            return ""
        if many and (quantified or (not _attribute_word(key) and spec.type == FieldType.STRING)) \
                and not item.choices and head.pos_ in _NOUNS and \
                key not in hints.PLURAL_ATTRIBUTES:  # fmt: skip
            if key in hints.GENERIC_HEADS and owner != key:
                key = f"{owner.split('_')[-1]}_{key}"  # an order's items are OrderItems
            self.ev.note(key, STRONG, surface=head.text, person=is_person(key))
            self._item_link(key, item.tokens, head)
            if key.split("_")[-1] in hints.SHARED_NOUNS:
                self.ev.link(M2M, owner, key, strength=STRONG)
                return ""
            self.ev.link(M2O, key, owner, strength=STRONG)
            return key
        if _attribute_word(key) or spec.type != FieldType.STRING or item.choices:
            self.ev.add_field(owner, spec)
            return ""
        self.ev.note(key, WEAK, surface=head.text, person=is_person(key))
        self.ev.pending.append(Pending(owner, key, spec))
        return ""

    def _parenthesised(self, noun: Token) -> None:
        """ "list animals (name, species, age)": the parentheses describe the noun."""
        doc = noun.doc
        if noun.i + 1 >= len(doc) or doc[noun.i + 1].text != "(":
            return
        close = next((t.i for t in doc[noun.i + 1 :] if t.text == ")"), len(doc))
        items = _split_items(list(doc[noun.i + 2 : close]))
        if key_of(noun) in hints.ENUM_HINTS and items and all(len(i.tokens) <= 3 for i in items):
            if self._choice_of_owner(noun, items):  # "a report's status (new, triaged)"
                self.done.update(range(noun.i + 1, close + 1))
        elif items and _attribute_like(items):
            self.ev.note(key_of(noun), STRONG, surface=noun.text)
            self._items(key_of(noun), items)
            self.done.update(range(noun.i + 1, close + 1))

    def _choice_of_owner(self, noun: Token, items: Sequence[Item]) -> bool:
        """The values of a status, type or level are a choice field of whose it is ("a
        report's status", "the status of an order"), never things of their own."""
        whose = next((c for c in noun.children if c.dep_ == "poss" and self._owner_noun(c)), None)
        whose = whose or next((t for t in _prep_objects(noun, frozenset({"of"}))
                               if self._owner_noun(t)), None)  # fmt: skip
        if whose is None:
            return False
        values = tuple(" ".join(t.lower_ for t in i.tokens) for i in items)
        spec = field_from_words([key_of(noun)], values)
        if spec is None:
            return False
        self.ev.note(key_of(whose), MEDIUM, surface=whose.text)
        self.ev.add_field(key_of(whose), spec)
        return True

    def _item_link(self, key: str, tokens: Sequence[Token], head: Token) -> None:
        """ "comments on posts", "payments for each booking": the part refers to the thing."""
        for token in tokens:
            if token.i > head.i and token.dep_ == "prep" and token.lower_ in _NOUN_LINK_PREPS:
                target = next((c for c in token.children if c.dep_ == "pobj"), None)
                if target is not None and target.pos_ in _NOUNS and \
                        not _attribute_word(key_of(target)):  # fmt: skip
                    self.ev.note(key_of(target), WEAK, surface=target.text)
                    self.ev.link(M2O, key, key_of(target), strength=MEDIUM)
                return

    def _choice_fields(self, owner: str, choices: Sequence[str]) -> None:
        """ "items (product, quantity)": fields, or links where a word names a thing."""
        for choice in choices:
            spec = field_from_words(choice.split())
            if spec is None:
                continue
            key = naming.to_snake(naming.singularize(choice))
            if key in self.ev.things and not _attribute_word(key) and key != owner:
                self.ev.pending.append(Pending(owner, key, spec))
            else:
                self.ev.add_field(owner, spec)

    # --- verbs --------------------------------------------------------------------------
    def _verb(self, verb: Token) -> None:
        lemma = verb.lemma_.lower()
        particle = next((c.lower_ for c in verb.children if c.dep_ == "prt"), "")
        phrasal = f"{lemma} {particle}".strip()
        subject = self._subject(verb)
        objects = self._objects(verb)
        if not objects and lemma not in hints.PARTICIPATION and phrasal not in hints.PARTICIPATION:
            objects = self._shared_objects(verb)  # "users can create, edit and delete tasks"
        if subject is None and _composition(verb):  # "courses are made of lessons"
            whole = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
            subject = self._who(whole) if whole is not None else None
            objects = [o for o in objects if o != whole]
        owner = subject is not None and subject != USER_KEY
        relative = verb.dep_ == "relcl" and any(
            c.dep_ == "nsubj" and c.lower_ in _RELATIVE for c in verb.children
        )  # "a practice, which has a name and an address"
        possession = (
            lemma in hints.POSSESSION_VERBS
            or (
                lemma in hints.RECORDING_VERBS
                and owner
                and self._records(verb, str(subject), objects)
            )
        ) and (verb.dep_ not in {"xcomp", "relcl"} or relative)  # "stations record observations"
        if owner and possession and self._our_place(verb, str(subject)):
            return
        if owner and (possession or _composition(verb)):
            self._possession(verb, str(subject))
            return
        if lemma == "be" and owner and not self._is_person(str(subject)):
            self._refers(verb, str(subject))  # "each vote is for one choice"
        elif lemma in _SITUATED and owner and not any(c.dep_ == "dobj" for c in verb.children):
            self._refers(verb, str(subject))  # "each guest sits at a table"
        if lemma in hints.BELONG_VERBS and subject not in {None, USER_KEY}:
            self.ev.note(str(subject), MEDIUM)
            for obj in objects:
                self.ev.note(key_of(obj), MEDIUM, surface=obj.text)
                self.ev.link(M2O, str(subject), key_of(obj), strength=STRONG)
            return
        if lemma in hints.LINK_VERBS and subject not in {None, USER_KEY} and objects and \
                not self._is_person(str(subject)):  # fmt: skip
            self._links_between(verb, str(subject), objects)
            return
        if subject is not None and subject != USER_KEY:
            thing = self.ev.things.get(subject)
            passive = any(c.dep_ in {"auxpass", "agent"} for c in verb.children)
            if _others(verb):
                pass  # "non-members can't book" says nothing about members
            elif thing is not None and thing.person and _negated(verb) and \
                    lemma in _APP_USE_VERBS:  # fmt: skip
                thing.managed = True  # "members do not log in": kept as records, not users
            elif thing is not None and thing.person and lemma not in _NOT_ACTING and \
                    not passive and not _negated(verb):  # fmt: skip
                thing.acts = True  # "written by authors" is not using the app
        participation = hints.PARTICIPATION.get(phrasal) or hints.PARTICIPATION.get(lemma)
        if lemma in {"take", "sit", "attempt", "complete", "submit"} and any(
                _lemma(o) in hints.ATTEMPTED for o in objects):  # fmt: skip
            participation = ("*_attempt", False)  # "students take quizzes": each try is kept
        self._span_fields(verb, subject)
        if any(c.dep_ == "aux" and c.lower_ in {"would", "'d", "should"} for c in verb.children):
            participation = None  # "I'd like an app": a wish, not a like
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        if lemma in hints.ASSIGN_VERBS and verb.dep_ == "acl" and subject is not None and \
                self._is_person(subject) and self._assigned_person(verb, subject):  # fmt: skip
            return
        if lemma in hints.ASSIGN_VERBS and passive and subject not in {None, USER_KEY}:
            person = _prep_object(verb, {"to"})  # "bugs ... can be assigned to developers"
            if person is not None and person.pos_ in _NOUNS:
                self.ev.link(M2O, str(subject), self._who(person) or USER_KEY, "assignee")
                return
        if lemma in hints.SHARED_OBJECT_ONLY:
            participation = None  # "attendees buy tickets": the ticket is theirs
        we = any(c.dep_ == "nsubj" and c.lower_ in {"we", "i"} for c in verb.children)
        if lemma == "register" and objects and all(
                (we or any(c.dep_ == "poss" and c.lower_ in {"my", "our", "their"}
                           for c in o.children))
                and not is_person(key_of(o)) for o in objects):  # fmt: skip
            participation = None  # "register my dogs": adding one's own things, not joining
        if participation and objects and subject is not None:
            natural = hints.PARTICIPATION_PREPOSITIONS.get(
                phrasal, hints.PARTICIPATION_PREPOSITIONS.get(lemma)
            )
            joined = self._objects(verb, prepositions_first=bool(natural), only=natural)
            joined = [self._place_at(o) for o in joined]
            joined = [
                o
                for o in joined
                if not _attribute_word(key_of(o))
                or ("_" in key_of(o) and key_of(o).split("_")[-1] in _EVENT_DAYS)
            ]  # "a planting day"
            for obj in joined:
                self._participate(subject, obj, participation, verb)
            objects = [o for o in objects if o not in joined]
        if lemma in hints.TAGGING_VERBS and objects:
            self._tag(verb, objects)
            return
        self._with_list(verb, objects)
        for obj in objects:
            self._parenthesised(obj)
        for obj in objects:
            if obj.i not in self.done:
                self._object(verb, lemma, subject, obj)

    def _our_place(self, verb: Token, subject: str) -> bool:
        """ "Our sports centre has six padel courts": the business itself has the things the
        app keeps; it is not a table of its own, and its things are the app's."""
        token = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        ours = token is not None and any(c.dep_ == "poss" and c.lower_ in {"our", "my"}
                                         for c in token.children)  # fmt: skip
        if token is None or token.tag_ != "NN" or not ours:
            return False
        self.ev.thing(subject, token.text).app = True
        for part in _top_items(_clause_rest(verb, verb.i + 1)):
            self._list_entity(part)
        return True

    def _assigned_person(self, verb: Token, person: str) -> bool:
        """ "funeral directors are assigned to funerals", "techs assigned to tickets": each
        thing gets the person who works on it, and the person is a user of the app."""
        target = _prep_object(verb, {"to"})
        if target is None or target.pos_ not in _NOUNS or is_person(key_of(target)) or \
                _attribute_word(key_of(target)):  # fmt: skip
            return False
        self.ev.note(key_of(target), MEDIUM, surface=target.text, story=self.story)
        self.ev.things[person].acts = True
        self.ev.link(M2O, key_of(target), person, "assignee", strength=MEDIUM)
        return True

    def _refers(self, verb: Token, subject: str) -> None:
        """ "A booking is for one child in one lesson": the subject refers to each thing."""
        preps = [c for c in verb.children if c.dep_ == "prep" and c.lower_ in _BE_PREPS]
        for prep in preps:
            for target in (c for c in prep.children if c.dep_ == "pobj" and c.pos_ in _NOUNS):
                for noun in (target, *_prep_objects(target, _BE_PREPS)):
                    key = key_of(noun)
                    if noun.pos_ not in _NOUNS or _attribute_word(key) or key == subject:
                        continue
                    self.ev.note(key, MEDIUM, surface=noun.text, person=is_person(key))
                    self.ev.link(M2O, subject, key, strength=MEDIUM)

    def _place_at(self, obj: Token) -> Token:
        """ "guests book places at a session": the place is in the session they book."""
        if _lemma(obj) not in {"place", "spot", "space"}:
            return obj
        targets = _prep_objects(obj, _PLACE_PREPS) or _prep_objects(obj.head, _PLACE_PREPS)
        return next((t for t in targets if t.pos_ in _NOUNS), obj)

    def _shared_objects(self, verb: Token) -> list[Token]:
        """The object of the next coordinated verb, when this one has none of its own."""
        for other in verb.conjuncts:
            if other.i > verb.i and other.pos_ == "VERB":
                found = [c for c in other.children if c.dep_ == "dobj"]
                if found:
                    return [n for t in found for n in (t, *t.conjuncts)
                            if n.pos_ in _NOUNS and n.i not in self.done]  # fmt: skip
        return []

    def _subject(self, verb: Token) -> str | None:
        """The key of who or what does ``verb``: a thing, the persona, USER_KEY, or None."""
        current: Token = verb
        for _ in range(8):
            if current.pos_ in {"VERB", "AUX"}:
                passive = next((c for c in current.children if c.dep_ == "nsubjpass"), None)
                if (
                    passive is not None
                    and current != verb
                    and verb.dep_ == "conj"
                    and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children)
                ):
                    return self._who(passive)  # "requests are raised by tenants and have …"
                subjects = [c for c in current.children if c.dep_ in {"nsubj", "agent"}]
                # "teams (name, pub), players belong to a team": the nearest one acts
                subject = max(subjects, key=lambda c: (c.i < current.i, c.i)) if subjects else None
                if subject is not None:
                    if subject.dep_ == "agent":
                        subject = next((c for c in subject.children if c.dep_ == "pobj"),
                                       subject)  # fmt: skip
                    if subject.lower_ in _RELATIVE and current.dep_ == "relcl":
                        subject = current.head
                    return self._who(subject)
                if current.dep_ in {"relcl", "acl"} and current.head.pos_ in _NOUNS:
                    return self._who(current.head)
            if current.dep_ in {"conj", "xcomp", "advcl", "ccomp", "dobj", "pobj", "prep"} \
                    and current.head != current:  # fmt: skip
                current = current.head
                continue
            break
        if self.persona:
            return self.persona
        if verb.tag_ == "VB" and verb.lemma_.lower() in hints.CREATION_VERBS and \
                not any(c.dep_ == "aux" for c in verb.children):  # fmt: skip
            return USER_KEY  # "create, edit, delete posts": what the user does
        return None

    def _who(self, token: Token) -> str | None:
        if token.lower_ in _USER_PRONOUNS:
            return self.persona or USER_KEY
        if token.pos_ == "PRON":
            return None
        if token.pos_ not in _NOUNS:
            return None
        key = key_of(token)
        if key in {USER_KEY, "people", "person", "account"}:
            return USER_KEY
        known = self.ev.things.get(key)
        if known is not None and known.app:  # "A task manager: projects have tasks"
            sep = next((t for t in token.doc if _separator(t) and t.i > token.i), None)
            after = next((t for t in token.doc[sep.i + 1 :] if t.pos_ in _NOUNS), None) \
                if sep is not None else None  # fmt: skip
            if after is not None:
                token, key = after, key_of(after)
        thing = self.ev.note(key, WEAK, surface=token.text, person=is_person(key))
        return thing.key

    def _objects(self, verb: Token, *, prepositions_first: bool = False,
                 only: str | None = None) -> list[Token]:  # fmt: skip
        allowed = set(only.split("|")) if only else set()
        direct = [c for c in verb.children if c.dep_ in {"dobj", "obj", "nsubjpass"}]
        found = [] if prepositions_first else direct
        if not found:
            for prep in verb.children:
                if prep.dep_ == "prep" and prep.lower_ in _OBJECT_PREPS and (
                        not allowed or prep.lower_ in allowed):  # fmt: skip
                    found = [c for c in prep.children if c.dep_ == "pobj"]
                    if found:
                        break
        found = found or direct
        out: list[Token] = []
        for token in [_collection_member(t) for t in found]:
            for noun in [token, *token.conjuncts]:
                if noun.pos_ in _NOUNS and noun.i not in self.done:
                    out.append(noun)
        return out

    def _object(self, verb: Token, lemma: str, subject: str | None, obj: Token) -> None:
        key = key_of(obj)
        if key in hints.VAGUE_RECORDS - {"note"} and _prep_objects(obj, _ABOUT):
            return  # "keep a record for each client": the client is the thing
        if _negated(obj) or _negated(verb):
            self.ev.negated.setdefault(key, obj.text)  # "we don't need payments"
            return
        head = key.split("_")[-1]
        if head in hints.TRACKING_HEADS and "_" in key and subject is not None:
            tracked = key.rsplit("_", 1)[0]
            self.ev.note(tracked, MEDIUM)
            thing = self.ev.note(key, STRONG, surface=obj.text, story=self.story)
            thing.link = (subject, tracked, True)
            return
        existing = self.ev.things.get(key)
        left = (
            head in hints.INTERACTION_NOUNS
            and lemma not in hints.WEAK_VERBS
            and (subject == USER_KEY or (subject is not None and self._is_person(subject)))
        )  # "guests leave a rating for each wine": a record of theirs
        if (existing is not None and existing.app) or (_attribute_word(key) and not left and not (
                obj.tag_ in {"NNS", "NNPS"} and lemma in hints.OWNING_VERBS)):  # fmt: skip
            return  # "record the date": attributes are not things
        owning = lemma in hints.OWNING_VERBS
        self.ev.focus = key
        wanted = verb.dep_ != "xcomp" or self.story is not None  # "I want to create nights"
        strength = STRONG if (owning and wanted) or left else MEDIUM
        if lemma in hints.WEAK_VERBS:
            strength = WEAK
        thing = self.ev.note(key, strength, surface=obj.text, story=self.story,
                             person=is_person(key))  # fmt: skip
        if obj.dep_ == "nsubjpass" and lemma in hints.AUTHORING_VERBS and not _negated(verb):
            thing.listed = True  # "attachments can be uploaded": records someone makes
        if thing.person:
            if lemma in hints.ASSIGN_VERBS and self._assigned_person(verb, key):
                return
            if owning and subject is not None and subject != key:
                thing.managed = True
            elif obj.dep_ == "nsubjpass" and lemma in _ENROLLED and not _negated(verb):
                thing.managed = True  # "patients are registered with their name": records
            return
        if lemma in hints.ASSIGN_VERBS:
            person = _prep_object(verb, {"to"})
            if person is not None:
                self.ev.link(M2O, key, self._who(person) or USER_KEY, "assignee")
            return
        by_agent = obj.dep_ == "nsubjpass" and any(c.dep_ == "agent" for c in verb.children)
        authoring = (
            lemma in hints.AUTHORING_VERBS
            or (head in hints.INTERACTION_NOUNS and lemma not in hints.WEAK_VERBS)
            or (by_agent and lemma in hints.OWNING_VERBS | _LED_VERBS)
        )
        # "listeners leave comments on episodes", "routes are set by our setters": theirs
        if authoring and subject is not None and (subject == USER_KEY or self._is_person(subject)):
            name = hints.USER_RELATION_BY_VERB.get(lemma, "")
            if subject != USER_KEY:
                name = name or subject
            self.ev.link(M2O, key, subject, name or "owner", strength=WEAK)
        elif authoring and subject is not None and subject != key:
            self.ev.note(subject, MEDIUM)  # "companies post job listings": a company owns them
            self.ev.link(M2O, key, subject, strength=MEDIUM)
        if lemma in {"send", "give", "show", "tell", "email", "notify"}:
            return
        for place in _prep_objects(verb, _PLACE_PREPS):
            if place.pos_ not in _NOUNS or place.i in self.done or place == obj:
                continue
            target = key_of(place)
            if (_attribute_word(target) and place.tag_ not in {"NNS", "NNPS"}) or target == key:
                continue
            self.ev.note(target, MEDIUM if owning else WEAK, surface=place.text,
                         person=is_person(target))  # fmt: skip
            self.ev.link(M2O, key, target, strength=WEAK)

    def _span_fields(self, verb: Token, subject: str | None) -> None:
        """ "events run from a start date to an end date": two values of the subject."""
        if subject in {None, USER_KEY} or self._is_person(str(subject)):
            return
        start, end = _prep_object(verb, {"from"}), _prep_object(verb, {"to", "until", "till"})
        if start is None or end is None:
            prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"), None)
            start = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
            inner = next((c for c in start.children if c.dep_ == "prep"), None) if start else None
            end = next((c for c in inner.children if c.dep_ == "pobj"), None) if inner else None
        if start is None or end is None:
            return
        tags = _NOUNS | {"ADJ", "VERB"}
        specs = [
            field_from_words([t.lower_ for t in n.subtree if t.pos_ in tags and t.i <= n.i])
            for n in (start, end)
        ]
        if all(s is not None and s.type in {FieldType.DATE, FieldType.DATETIME, FieldType.TIME}
               for s in specs):  # fmt: skip
            for spec in specs:
                if spec is not None:
                    self.ev.add_field(str(subject), spec)
            self.done.update(t.i for t in (*start.subtree, *end.subtree))

    def _links_between(self, verb: Token, subject: str, objects: list[Token]) -> None:
        """ "Appointments link a patient and a doctor with a start time": the subject refers
        to each object, and the with-list describes the subject."""
        self.ev.note(subject, STRONG)
        for obj in objects:
            target = key_of(obj)
            linked = self.ev.note(target, MEDIUM, surface=obj.text, person=is_person(target))
            linked.managed = linked.managed or linked.person  # a record refers to them
            self.ev.link(M2O, subject, target, strength=STRONG)
        self._with_list(verb, objects, owner=subject)

    def _records(self, verb: Token, subject: str, objects: list[Token]) -> bool:
        """ "Stations record observations": a stored thing (not a person, not the app or its
        place) gathers records of its own (not "keeps track of", not "keeps records")."""
        thing = self.ev.things.get(subject)
        if thing is None or thing.person or thing.app:
            return False
        if any(c.dep_ == "dobj" and _lemma(c) in hints.VAGUE_RECORDS for c in verb.children):
            return False  # "a clinic keeps records of pets": what the app keeps
        return bool(objects) and all(
            o.tag_ in {"NNS", "NNPS"} and key_of(o) not in hints.VAGUE_RECORDS for o in objects
        )

    def _is_person(self, key: str) -> bool:
        thing = self.ev.things.get(key)
        return thing is not None and thing.person

    def _participate(self, subject: str, obj: Token, rule: tuple[str, bool], verb: Token) -> None:
        target = key_of(obj)
        onto = next((t for t in _prep_objects(verb, _ONTO) if t.pos_ in _NOUNS), None)
        if is_person(target) and onto is not None and not is_person(key_of(onto)):
            person = self.ev.note(target, MEDIUM, surface=obj.text, person=True, story=self.story)
            person.managed = True  # "parents book their child onto a block of lessons"
            self._participate(subject, _collection_member(onto), rule, verb)
            self.ev.link(M2O, rule[0].replace("*", key_of(_collection_member(onto))), target,
                         strength=STRONG)  # fmt: skip
            return
        if is_person(target) and verb.lemma_.lower() not in {"follow", "rate", "review"}:
            self._object(verb, verb.lemma_.lower(), subject, obj)
            return
        noun, unique = rule
        link = noun.replace("*", target)
        self.ev.note(target, STRONG, surface=obj.text, story=self.story)
        thing = self.ev.note(link, STRONG, story=self.story)
        if thing.link is not None and thing.link[1] != target and thing.link[0] == subject:
            self.ev.link(M2O, link, target, strength=STRONG)  # "book desks and meeting rooms"
        else:
            thing.link = (subject, target, unique)
        self._with_list(verb, [obj], owner=link)
        for source in _prep_objects(verb, frozenset({"from"})):  # "rent cars from branches"
            if source.pos_ in _NOUNS and not _attribute_word(key_of(source)) and \
                    not is_person(key_of(source)):  # fmt: skip
                self.ev.note(key_of(source), MEDIUM, surface=source.text)
                self.ev.link(M2O, target, key_of(source), strength=MEDIUM)
        bounds = RANGE.search(" ".join(t.text for t in verb.subtree))
        if bounds and link in {"rating", "vote", "review"}:  # "rate a book from 1 to 5"
            low, high = sorted((int(bounds.group(1)), int(bounds.group(2))))
            self.ev.add_field(link, FieldSpec(name="score", type=FieldType.INTEGER,
                                              min_value=low, max_value=high))  # fmt: skip

    def _tag(self, verb: Token, objects: list[Token]) -> None:
        label = _prep_object(verb, {"with", "by", "into", "as"})
        tag = key_of(label) if label is not None and label.pos_ in _NOUNS else "tag"
        self.ev.note(tag, STRONG)
        for obj in objects:
            key = key_of(obj)
            self.ev.note(key, STRONG, surface=obj.text, story=self.story)
            self.ev.link(M2M, key, tag, strength=STRONG)

    def _possession(self, verb: Token, owner: str) -> None:
        start = verb.i + 1
        if _composition(verb):
            prep = next((c for c in verb.children if c.dep_ in {"prep", "prt"}), None)
            start = max(start, (prep.i + 1) if prep is not None else start)
        span = _clause_rest(verb, start)
        items = _split_items(span)
        if _composition(verb):
            self.ev.note(owner, STRONG)
            for item in items:
                cut = next((i for i, t in enumerate(item.tokens) if t.lower_ == "with"), None)
                head = _head(item.tokens[:cut])
                if head is not None:
                    key = key_of(head)
                    self.ev.note(key, STRONG, surface=head.text)
                    self.ev.link(M2O, key, owner, strength=STRONG)
                    self.done.update(t.i for t in item.tokens)
                    if cut is not None:  # "comes in sizes with its own stock count"
                        self._items(key, [Item(item.tokens[cut + 1 :], item.choices)])
            return
        thing = self.ev.things.get(owner)
        if thing is not None:
            thing.strength = max(thing.strength, MEDIUM if not items else STRONG)
        self._items(owner, items)

    def _with_list(self, verb: Token, objects: list[Token], owner: str = "") -> None:
        """ "create events with a title, venue and price": the with-list describes the object."""
        for prep in [c for c in verb.subtree if c.dep_ == "prep" and c.lower_ == "with"]:
            before = [o for o in objects if o.i < prep.i]
            if not before or prep.i in self.done or _governing_verb(prep) != verb:
                continue
            obj = prep.head if prep.head in objects else max(before, key=lambda o: o.i)
            span = _clause_rest(prep, prep.i + 1)
            described = prep.head in objects or not _attribute_like(_split_items(span))
            target = key_of(obj) if described else owner or key_of(obj)
            thing = self.ev.things.get(target)
            if thing is not None and thing.app:  # "a blog app with posts, comments on posts"
                for part in _top_items(span):
                    if not _is_clause(part):
                        self._list_entity(part)
                self.done.update(t.i for t in span)
            else:
                self._items(target, _split_items(span))
            self.done.add(prep.i)

    # --- nouns --------------------------------------------------------------------------
    def _noun(self, token: Token) -> None:
        if token.dep_ == "compound":
            return
        mine = any(c.dep_ == "poss" and c.lower_ in {"my", "our"} for c in token.children)
        if mine and token.tag_ in {"NN", "NNP"}:
            self.ev.thing(key_of(token), token.text).app = True  # "our church": the domain
        elif mine and token.tag_ == "NNS" and self.persona and not _attribute_word(key_of(token)):
            self.ev.note(key_of(token), MEDIUM, surface=token.text, story=self.story)
            self.ev.link(M2O, key_of(token), USER_KEY, self.persona, strength=MEDIUM)
            if is_person(key_of(token)):
                self.ev.things[key_of(token)].managed = True  # "my children": kept by me
        if _negated(token):
            self.ev.negated.setdefault(key_of(token), token.text)
            return
        self._parenthesised(token)
        key = key_of(token)
        if token.dep_ in {"nsubj", "dobj", "pobj", "conj", "ROOT", "appos", "nsubjpass", "attr"}:
            self.ev.note(key, WEAK, surface=token.text, person=is_person(key), story=self.story)
        for prep in token.children:
            if prep.dep_ != "prep":
                continue
            target = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if target is None or target.pos_ not in _NOUNS or target.i in self.done:
                continue
            if prep.lower_ == "with" and target.tag_ in {"NNS", "NNPS"} and \
                    not _attribute_word(key_of(target)):  # fmt: skip
                self.ev.note(key_of(target), STRONG, surface=target.text)
                self.ev.link(M2O, key_of(target), key, strength=STRONG)
            elif prep.lower_ == "with":
                owner = token.head.head if token.dep_ == "pobj" and \
                    token.head.head.pos_ in _NOUNS else token  # fmt: skip
                owner = _made_object(token) or owner
                self._items(key_of(owner), _split_items(_clause_rest(prep, prep.i + 1)))
            elif key in hints.INTERACTION_NOUNS and prep.lower_ in {"on", "for", "to", "about",
                                                                     "of"}:  # fmt: skip
                self.ev.note(key, MEDIUM, surface=token.text)
                self.ev.note(key_of(target), MEDIUM, surface=target.text)
                self.ev.link(M2O, key, key_of(target), strength=MEDIUM)
            elif prep.lower_ in _NOUN_LINK_PREPS and not _attribute_word(key):
                self.ev.link(M2O, key, key_of(target), strength=WEAK)
        for child in token.children:
            if child.dep_ == "poss" and child.lower_ in {"their", "its"}:
                self._possessed(token)
            elif child.dep_ == "poss" and child.pos_ in _NOUNS and self._owner_noun(child) and \
                    not _attribute_word(key):  # fmt: skip
                whose = key_of(child)  # "a client's dogs": each dog is a client's
                holder = self.ev.note(whose, MEDIUM, surface=child.text, person=is_person(whose))
                holder.managed = holder.managed or holder.person
                self.ev.link(M2O, key, whose, strength=MEDIUM)

    def _possessed(self, token: Token) -> None:
        """ "clients and their dogs": the dog belongs to the client."""
        owner = token.head if token.dep_ == "conj" else None
        if owner is not None and owner.pos_ in _NOUNS and not _attribute_word(key_of(token)):
            self.ev.note(key_of(token), STRONG, surface=token.text)
            holder = self.ev.note(key_of(owner), MEDIUM, surface=owner.text)
            holder.managed = True  # "clients and their dogs": the clients are kept too
            if is_person(key_of(token)) and not is_person(key_of(owner)):
                self.ev.things[key_of(token)].managed = True  # "pets and their owners"
                self.ev.link(M2O, key_of(owner), key_of(token), strength=STRONG)
                return
            self.ev.link(M2O, key_of(token), key_of(owner), strength=STRONG)

    # --- the app phrase -----------------------------------------------------------------
    def _mark_app(self, tokens: Iterable[Token]) -> None:
        for token in tokens:
            if token.pos_ in _NOUNS:
                self.ev.thing(key_of(token), token.text).app = True


def mark_app_phrase(doc: Doc, evidence: Evidence) -> list[str]:
    """The words of the phrase that says what the app is ("a volunteer scheduling app for a
    food bank"). Its head and the place it serves ("a food bank") are marked as the app's, not
    as things it stores; returns the words that name the app (for its name)."""
    stop = next((t.i for t in doc if _separator(t)), len(doc))
    for token in doc[:stop]:
        if token.pos_ not in _NOUNS or not _names_app(token):
            continue
        while token.dep_ == "compound" and token.head.pos_ in _NOUNS and token.head.i < stop:
            token = token.head  # "a blog application": the application is the app
        marked = [token, *(c for c in token.lefts if c.dep_ == "compound" and _names_app(c))]
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in {"for", "of"}:
                marked += [t for t in child.subtree if t.i < stop and t.dep_ == "pobj"]
        for noun in marked:
            if noun.pos_ in _NOUNS:
                evidence.thing(key_of(noun), noun.text).app = True
        words = [t for t in token.subtree if t.i <= token.i and t.pos_ in _NAME_TAGS]
        if len(words) < 2:  # "an app for my dog walking biz" is named after the biz
            served = [t for t in token.subtree if t.i > token.i and t.i < stop]
            words += [t for t in served if t.pos_ in _NAME_TAGS or t.tag_ == "VBG"][:4]
        return [t.text for t in words]
    return []


_NAME_TAGS = frozenset({"NOUN", "PROPN", "ADJ"})


def _separator(token: Token) -> bool:
    """The colon or spaced dash after a title: "crm: contacts", "my biz - clients, dogs"."""
    if token.i == 0 or token.i > 12:
        return False
    if token.text in {":", "="}:
        return True  # "patients: name, phone", "visit = date + yard"
    return token.text in {"-", "—"} and bool(token.whitespace_) and \
        bool(token.doc[token.i - 1].whitespace_)  # fmt: skip


def _negated(token: Token) -> bool:
    """ "no payments", "we don't need logins", "without customers"."""
    if any(c.lower_ == "no" and c.dep_ == "det" for c in token.children):
        return True
    if token.pos_ in {"VERB", "AUX"}:
        return any(c.dep_ == "neg" for c in token.children)
    return token.head.lower_ == "without"


def _title_noun(title: Sequence[Token]) -> Token | None:
    """The noun a title is about: "boards cut from a log" -> boards, "Pet adoption" ->
    adoption."""
    nouns = [t for t in title if t.pos_ in _NOUNS and t.dep_ != "compound"]
    if nouns:
        return nouns[0]
    chain = [t for t in title if t.pos_ in _NOUNS]  # "bike rental shop": the shop
    if not chain and 0 < len(title) <= 3 and title[-1].lower_ in known_nouns():
        return title[-1]  # "visit = date + yard": a noun the tagger took for a verb
    return chain[-1] if chain else None


def _describes(title: Token, items: Sequence[Item]) -> bool:
    """ "Patients: name, phone" describes patients; "crm: contacts, deals" lists the app's
    things, and so does a title that is a section, feature or abstract word."""
    key = key_of(title)
    head = key.split("_")[-1]
    if head in hints.APP_ONLY_NOUNS or head in hints.FEATURE_NOUNS:
        return False
    if head in hints.ABSTRACT_NOUNS and (key == head or key.split("_")[0] in hints.ABSTRACT_NOUNS) \
            and not (_things_described(title, items) and len(items) >= 2):  # fmt: skip
        return False  # "water tests: date, ph" names a thing; "tests: ..." alone does not
    if head in {"entity", "model", "table", "object", "resource", "concept", "requirement"}:
        return False
    if any(_has_own_fields(i) for i in items):
        return False  # "clinic - patients (name, dob), injuries per patient (date)": things
    if _attribute_like(items):
        return True
    plural = sum(1 for i in items if _names_things(i))
    return plural * 2 < len(items)  # "Appointments: patient, doctor, notes" describes


def _names_things(item: Item) -> bool:
    """ "companies", "deals" name things; "number of seats", "hours flown" name values."""
    head = _head(item.tokens)
    return head is not None and head.tag_ in {"NNS", "NNPS"} and not _attribute_word(key_of(head))


def _has_own_fields(item: Item) -> bool:
    """ "patients (name, sport, dob)": an item with attributes of its own names a thing (but
    "address (street, city)" is an attribute in parts)."""
    head = _head(item.tokens)
    if head is None or len(item.choices) < 2 or _attribute_word(key_of(head)):
        return False
    return key_of(head) not in hints.ENUM_HINTS and _attribute_like(
        [Item([], (c,)) for c in item.choices]
    )


def _things_described(title: Token, items: Sequence[Item]) -> bool:
    """ "Stages: stage number, name, distance": a plural title over attributes names things
    with those fields, not the values of a choice ("Status: open, closed")."""
    return title.tag_ in {"NNS", "NNPS"} and _attribute_like(items)


def _names_app(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if token.tag_ in {"NNS", "NNPS"}:
        return False  # "candidates submit applications": records, not the app
    return lemma in hints.APP_NOUNS or lemma in hints.APP_KIND_NOUNS


# --- helpers ----------------------------------------------------------------------------------


def _runs(doc: Doc, done: set[int]) -> list[list[list[Token]]]:
    """Runs of list parts: the text between commas and conjunctions, outside parentheses. A
    colon, a token already read or a gap ends a run."""
    runs: list[list[list[Token]]] = []
    current: list[list[Token]] = []
    part: list[Token] = []
    depth = 0

    def close_part() -> None:
        nonlocal part
        if part:
            if current and current[-1][-1].i + 2 < part[0].i:
                end_run()
            current.append(part)
        part = []

    def end_run() -> None:
        nonlocal current
        if len(current) >= 2:
            runs.append(current)
        current = []

    for token in doc:
        depth += token.text == "("
        depth -= token.text == ")"
        if token.i in done or (depth <= 0 and token.text == ":"):
            close_part()
            end_run()
        elif depth <= 0 and (token.lower_ in _SPLITTERS or token.text in {".", "!", "?"}):
            close_part()
        else:
            part.append(token)
    close_part()
    end_run()
    return runs


def _phrase_key(phrase: list[Token]) -> str:
    bare = next((i for i, t in enumerate(phrase) if t.text == "("), len(phrase))
    words = [
        t.lower_
        for t in phrase[:bare]
        if t.lower_ not in FILLER_WORDS and t.dep_ not in {"poss", "case"} and not t.is_punct
    ]
    return naming.to_snake(" ".join(words))


def _trailing_phrase(part: list[Token]) -> list[Token]:
    """The noun phrase at the end of a list part: "we need to know their name" -> "their
    name"; a middle part with a verb of its own is not a phrase."""
    if part and part[0].lower_ == "whether":
        return part  # "whether they want half board": a yes/no value, verb and all
    start = 0
    for index, token in enumerate(part):
        if index + 1 >= len(part):
            break
        verb = token.pos_ in {"VERB", "AUX"} and not (
            token.lemma_.lower() in known_nouns() and index == 0 and not _leads_phrase(part)
        )
        if verb or (token.pos_ == "ADP" and token.lower_ not in {"of", "in"}):
            start = index + 1
    phrase = part[start:]
    relative = next((i for i, t in enumerate(phrase) if i and t.dep_ == "nsubj" and
                     t.head.dep_ == "relcl" and t.head in phrase), None)  # fmt: skip
    phrase = phrase[:relative] if relative else phrase  # "the regions they cover"
    bare = next((i for i, t in enumerate(phrase) if t.text == "("), len(phrase))
    return phrase if phrase and bare <= 6 else []  # "(short, wire, long)" does not count


def _collection_member(token: Token) -> Token:
    """ "keep a list of pieces": the pieces are the thing."""
    if token.lemma_.lower() not in {
        "list",
        "set",
        "collection",
        "catalog",
        "catalogue",
        "log",
        "record",
        "database",
        "register",
        "inventory",
        "history",
    }:
        return token  # fmt: skip
    prep = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    member = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
    return member if member is not None and member.pos_ in _NOUNS else token


def _others(verb: Token) -> bool:
    """The verb's subject is "non-members", "non-staff": everyone but them."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return False
    return any(t.lower_ == "non" for t in subject.doc[max(0, subject.i - 2) : subject.i]) or \
        any(t.lower_ == "non" for t in subject.subtree)  # fmt: skip


def _made_object(token: Token) -> Token | None:
    """ "publish trips to dive sites with a date and a price": the with-list after the place
    describes what the verb makes, not the place."""
    verb = token.head.head if token.dep_ == "pobj" else None
    if verb is None or verb.pos_ != "VERB" or verb.lemma_.lower() not in hints.OWNING_VERBS:
        return None
    made = next((c for c in verb.children if c.dep_ == "dobj" and c.pos_ in _NOUNS), None)
    return made if made is not None and not is_person(key_of(made)) else None


def _governing_verb(token: Token) -> Token | None:
    current = token.head
    for _ in range(12):
        if current.pos_ in {"VERB", "AUX"}:
            return current
        if current.head == current:
            return None
        current = current.head
    return None


def _described(token: Token) -> bool:
    """The noun is already in a has-list or a with-list, which other rules read."""
    head = token.head
    if head.dep_ == "prep" and head.lower_ == "with":
        return True
    return head.pos_ in {"VERB", "AUX"} and head.lemma_.lower() in hints.POSSESSION_VERBS


def _is_clause(tokens: Sequence[Token]) -> bool:
    """A list item with a verb of its own; a plural noun the tagger took for a verb ("trips
    with a start location") does not count."""
    if len(tokens) < 3:
        return False  # "price paid", "hours worked": a noun phrase
    inside = {t.i for t in tokens}
    return any(
        t.pos_ in {"VERB", "AUX"} and t.lower_ not in _PARTICIPLES and (
            len(tokens) > 3 or t.tag_ in _FINITE or _modal_verbs(t, inside)) and
        any(c.dep_ in {"nsubj", "nsubjpass"} and c.i in inside for c in t.children)
        for t in tokens
    )  # fmt: skip


def _modal_verbs(verb: Token, inside: set[int]) -> bool:
    """ "Users can rate and review recipes": a modal verb coordinated with another verb (the
    parse holds together; "can create, edit and delete" read as nouns does not)."""
    return any(c.dep_ == "aux" and c.i in inside for c in verb.children) and any(
        c.dep_ == "conj" and c.pos_ == "VERB" for c in verb.children
    )


def _has_finite_verb(tokens: Iterable[Token]) -> bool:
    return any(t.tag_ in _FINITE and t.pos_ in {"VERB", "AUX"} for t in tokens)


def _composition(verb: Token) -> bool:
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ in {"prep", "prt"} and f"{lemma}_{child.lower_}" in hints.COMPOSITION_PHRASES:
            return True
    return False


_PLACE_PREPS = frozenset({"to", "for", "in", "on", "at", "against", "into", "under", "per"})


def _prep_objects(verb: Token, preps: frozenset[str]) -> list[Token]:
    """Nouns the verb reaches through these prepositions: "attach documents to a matter", "log
    time against a matter", "enter results for a swimmer at a meet"."""
    out = []
    for prep in verb.children:
        if prep.dep_ in {"prep", "dative"} and prep.lower_ in preps:
            target = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if target is not None:
                out.append(target)
    return out


def _prep_object(verb: Token, preps: set[str]) -> Token | None:
    for prep in verb.children:
        if prep.dep_ in {"prep", "dative"} and prep.lower_ in preps:
            return next((c for c in prep.children if c.dep_ == "pobj"), None)
    return None


def _clause_rest(anchor: Token, start: int) -> list[Token]:
    """Tokens from ``start`` to the end of the clause ``anchor`` opens: up to a semicolon, a
    relative word, or the next verb with a subject of its own."""
    doc = anchor.doc
    end = anchor.sent.end
    out: list[Token] = []
    depth = 0
    for token in doc[start:end]:
        depth += token.text == "("
        depth -= token.text == ")"
        if depth <= 0:
            if token.text in {";", ":"} or token.tag_ in {"WDT", "WP", "WRB"}:
                break
            if token.lower_ in {"but", "so", "because", "while", "where", "when"}:
                break
            coordinated = token.pos_ == "VERB" and token.dep_ == "conj" and token.head == anchor
            verb = token.tag_ in _FINITE and token.pos_ in {"VERB", "AUX"} and token != anchor
            if (verb or coordinated) and token.lower_ not in _PARTICIPLES and \
                    not _in_whether(out):  # fmt: skip
                while out and (out[-1].lower_ in _SPLITTERS or out[-1].dep_ == "nsubj" or
                               out[-1].pos_ in {"DET", "PRON"}):  # fmt: skip
                    out.pop()
                break
        out.append(token)
    return out


_TAIL_PREPS = frozenset({"of", "from", "by", "for", "on"})
_QUANTITY_WORDS = frozenset({"number", "count", "amount", "total", "max", "maximum", "min",
                             "minimum", "how"})  # fmt: skip


def _leads_phrase(tokens: Sequence[Token]) -> bool:
    """ "giving the arrival date": a verb in -ing before a determined noun phrase."""
    return len(tokens) > 2 and tokens[0].tag_ == "VBG" and tokens[1].pos_ in {"DET", "PRON"}


def _without_lead_verb(tokens: Sequence[Token]) -> list[Token]:
    return list(tokens[1:]) if _leads_phrase(tokens) else list(tokens)


def _without_tail(tokens: list[Token], owner: str, known: Callable[[str], bool]) -> list[Token]:
    """ "notes from the seamstress", "a scan of the stamp", "a second person on board": a
    trailing phrase naming the owner itself, a person or the vessel adds nothing to the name."""
    if any(t.lower_ in _QUANTITY_WORDS for t in tokens) or (
            tokens and tokens[0].lower_ in {"kind", "type", "sort"}):  # fmt: skip
        return tokens  # "the number of volunteers needed", "the kind of garment": named by it
    for index, token in enumerate(tokens):
        if index == 0 or token.lower_ not in _TAIL_PREPS:
            continue
        target = _head(tokens[index + 1 :])
        if target is None or target.pos_ not in _NOUNS:
            return tokens
        key = key_of(target)
        if key == owner or owner.endswith(f"_{key}") or key == "board" or (
                (is_person(key) or known(key)) and token.lower_ != "for"):  # fmt: skip
            return tokens[:index]
        return tokens
    return tokens


def _in_whether(tokens: list[Token]) -> bool:
    """ "… and whether it was serious": the list's last item is a yes/no clause, verb and all."""
    for token in reversed(tokens[-4:]):
        if token.lower_ == "whether":
            return True
        if token.lower_ in _SPLITTERS:
            return False
    return False


_DESCRIBERS = frozenset({"with", "w/", "including", "having", "per", "at", "on", "for", "of",
                         "in", "under", "from"})  # fmt: skip
_LINKERS = frozenset({"per", "at", "on", "for", "of", "in", "under", "from"})


def _top_items(tokens: Sequence[Token]) -> list[list[Token]]:
    """Split a list of things on commas and semicolons outside parentheses (an item keeps its
    own "a + b" or "a and b" attributes)."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        depth += token.text == "("
        depth -= token.text == ")"
        if depth <= 0 and token.text in {",", ";", "."}:
            parts.append([])
            continue
        parts[-1].append(token)
    out: list[list[Token]] = []
    for part in parts:
        while part and part[0].lower_ in {"and", "or", "&", "plus"}:
            part = part[1:]
        if any(t.is_alpha for t in part):
            out.append(part)
    return out


def _dictionary_noun(tokens: Sequence[Token]) -> Token | None:
    """A word the tagger took for a verb in a list of nouns ("notes on deals")."""
    for token in tokens:
        if token.is_alpha and token.lemma_.lower() in known_nouns() and token.pos_ in {
                "VERB", "NOUN", "PROPN"}:  # fmt: skip
            return token
    return None


def _split_items(tokens: Sequence[Token]) -> list[Item]:
    """Split a list on commas and conjunctions; a parenthesised list goes to the item before."""
    items: list[Item] = []
    current: list[Token] = []
    choices: list[str] = []
    inner: list[Token] = []
    held: list[Token] = []
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
            continue
        if token.text == ")":
            depth = max(0, depth - 1)
            if depth == 0:
                choices = _choice_words(inner)
                held.extend(inner)
                inner = []
            continue
        if depth:
            inner.append(token)
            continue
        if token.text == "/" and current:
            current.append(token)  # "status queued/done": values, read in _close
            continue
        if token.lower_ in _SPLITTERS or token.text in {".", "!", "?"}:
            _close(items, current, choices, held)
            current, choices, held = [], [], []
            continue
        current.append(token)
    _close(items, current, choices, held)
    return items


def _close(
    items: list[Item], tokens: list[Token], choices: list[str], held: Sequence[Token] = ()
) -> None:
    while tokens and tokens[0].lower_ in {"as", "well", "along", "with", "also", "including"}:
        tokens = tokens[1:]
    tokens, slashed = _slash_values(tokens)
    choices = choices or slashed
    if tokens and any(t.is_alpha for t in tokens):
        items.append(Item(list(tokens), tuple(choices), tuple(held)))


def _slash_values(tokens: list[Token]) -> tuple[list[Token], list[str]]:
    """ "status queued/printing/done" -> status with three values; "hardy yes/no" -> hardy."""
    if len(tokens) < 4 or not any(t.text == "/" for t in tokens):
        return [t for t in tokens if t.text != "/"], []
    first = next(i for i, t in enumerate(tokens) if t.text == "/") - 1
    if first < 1:
        return [t for t in tokens if t.text != "/"], []
    values = [t.lower_ for t in tokens[first:] if t.text != "/"]
    if set(values) <= {"yes", "no", "y", "n", "true", "false"}:
        return [*tokens[:first], *[]], ["yes_no"]
    return list(tokens[:first]), values


def _choice_words(tokens: list[Token]) -> list[str]:
    values: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token.lower_ in _SPLITTERS or token.text in {"e.g.", "eg", "i.e.", "ie"}:
            if current:
                values.append(" ".join(current))
            current = []
        elif not token.is_punct:
            current.append(token.lower_)
    if current:
        values.append(" ".join(current))
    return [v for v in values if v]


def _head(tokens: Sequence[Token]) -> Token | None:
    """The noun an item is about: the last noun before any preposition."""
    head: Token | None = None
    for token in tokens:
        if token.dep_ == "prep" and head is not None:
            break
        if token.pos_ in _NOUNS:
            head = token
    return head


def _attribute_word(key: str) -> bool:
    head = key.split("_")[-1]
    if head in hints.ATTRIBUTE_NOUNS:
        return True
    return infer_type(key) not in {FieldType.STRING, FieldType.TEXT}


def _attribute_like(items: Sequence[Item]) -> bool:
    """Most items name attributes ("number, floor, rent"), not values ("low, medium")."""
    words = [" ".join(t.lower_ for t in i.tokens) if i.tokens else (i.choices or ("",))[0]
             for i in items]  # fmt: skip
    keys = [naming.to_snake(naming.singularize(w)) for w in words if w]
    if not keys:
        return False
    hits = sum(1 for k in keys if _attribute_word(k) or k.split("_")[-1] in hints.ATTRIBUTE_NOUNS)
    return hits * 2 >= len(keys) + (1 if len(keys) > 2 else 0)


def _quantity_field(words: list[str]) -> FieldSpec | None:
    """ "the number of volunteers needed" -> volunteers_needed, a positive integer; "how many
    kilos" -> kilos, a measure."""
    at = words.index("how") if "how" in words else -1
    if 0 <= at < len(words) - 2 and words[at + 1] in {"many", "much"}:
        rest = words[at + 2 :]
        unit = naming.singularize(rest[-1]) in MEASURE_UNITS
        return FieldSpec(
            name=naming.to_snake(" ".join(rest)),
            type=FieldType.DECIMAL if unit else FieldType.INTEGER,
            min_value=0,
        )
    if len(words) < 3 or words[0] not in {"number", "count", "amount"} or words[1] != "of":
        return None
    rest = words[2:]
    needed = rest[-1] in {"needed", "required", "wanted", "allowed"}
    name = naming.to_snake(" ".join(rest if needed else ["number", "of", *rest]))
    return FieldSpec(name=name, type=FieldType.INTEGER, min_value=1 if needed else 0)
