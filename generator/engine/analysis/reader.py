"""Read clauses and record what they say about entities, fields and relationships.

Each clause is cut into a subject and predicates; the predicate's verb decides the reading:
possession ("a task has a title"), belonging ("each product belongs to a category"), passive
links ("tasks are assigned to members"), actions ("customers place orders") and bare lists
("crm: contacts, companies, deals"). Everything is written into a Findings record as evidence;
which candidates become entities, and the AppSpec itself, are decided later.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.engine import naming
from generator.engine.analysis import lexicon as lx
from generator.engine.analysis.entities import (
    MEDIUM,
    STRONG,
    WEAK,
    Findings,
    Kind,
    Noun,
    Pending,
    classify,
)
from generator.engine.analysis.fields import field_from_words, infer_type
from generator.engine.analysis.phrases import (
    Phrase,
    Predicate,
    first_verb,
    has_finite_verb,
    parse_phrase,
    split_clauses,
    split_items,
    split_predicates,
)
from generator.engine.analysis.text import ADJ, DET, NOUN, PREP, PRON, VERB, Token, tokenize
from generator.engine.spec import USER, FieldType, RelationKind

M2O, O2O, M2M = RelationKind.MANY_TO_ONE, RelationKind.ONE_TO_ONE, RelationKind.MANY_TO_MANY
_SELF_PRONOUNS = frozenset({"it", "they", "them", "these", "those", "each", "one", "ones"})
_USER_PRONOUNS = frozenset({"i", "we", "you", "us", "me", "everyone", "anyone", "someone"})
_ONE_TO_ONE_HEADS = frozenset({"profile", "setting", "preference", "account_setting"})
_ENGAGEMENT_PREPS = frozenset({"on", "for", "of", "to", "about", "in", "under"})
_TAGGING_VERBS = frozenset({"tag", "label", "categorize", "categorise", "group", "classify"})
_ASSIGN_VERBS = frozenset({"assign", "reassign", "allocate", "give"})
_COUNT_WORDS = frozenset({"number", "count", "amount", "total"})
_SHARED_NOUNS = frozenset({"tag", "label", "skill", "interest", "genre", "amenity", "keyword"})


@dataclass
class Subject:
    kind: str  # "none", "user", "app", "entity", "role"
    noun: Noun | None = None

    @property
    def name(self) -> str:
        return self.noun.name if self.noun else USER


NO_SUBJECT = Subject("none")


def read(sentences: list[str], findings: Findings) -> None:
    for sentence in sentences:
        for clause, inherited in split_clauses(tokenize(sentence)):
            findings.clause_mentions.append((" ".join(t.word for t in clause), set()))
            ClauseReader(findings).clause(clause, inherited)


class ClauseReader:
    def __init__(self, findings: Findings) -> None:
        self.f = findings

    # --- clause shapes ------------------------------------------------------------------
    def sentence(self, tokens: list[Token], *, section: bool = False) -> None:
        for clause, inherited in split_clauses(tokens):
            self.clause(clause, inherited, section=section)

    def clause(self, tokens: list[Token], inherited: list[Token] | None = None, *,
               section: bool = False) -> None:  # fmt: skip
        while tokens and tokens[0].word in {",", ":", "and", "or", "also", "then", "-"}:
            tokens = tokens[1:]
        if not tokens:
            return
        if self._cardinality(tokens) or self._heading(tokens):
            return
        start = first_verb(tokens)
        if start is None:
            self.bare_list(tokens, section=section)
            return
        subjects = self.subjects(tokens[:start] or (inherited or []))
        for predicate in split_predicates(tokens[start:]):
            for subject in subjects:
                self.predicate(subject, predicate)

    def _heading(self, tokens: list[Token]) -> bool:
        """ "Posts: title, body" or "crm: contacts, deals" or "Features: ..."."""
        colon = next((i for i, t in enumerate(tokens) if t.word == ":"), None)
        if colon is None or colon > 4 or colon == len(tokens) - 1:
            return False
        left = parse_phrase(tokens[:colon])
        rest = tokens[colon + 1 :]
        verb = first_verb(tokens[:colon])
        if verb not in {None, 0} and tokens[verb].form != "ing":  # "Food truck ordering:"
            return False
        noun = classify(left.nouns, self.f.domain) if left else None
        heads = set(left.nouns) if left else set()
        title = any(t.tag not in {NOUN, ADJ, DET, PRON} for t in tokens[:colon])
        if (
            noun is None
            or title
            or heads & lx.SECTION_WORDS
            or noun.kind in {Kind.APP, Kind.FEATURE, Kind.FILLER, Kind.USER}
        ):
            if noun is not None and noun.kind == Kind.APP:
                self.app_kind_noun(noun)
            self.sentence(rest, section=True)
            return True
        verb = first_verb(rest)
        if verb == 0:  # "Posts: can be tagged" -- the heading is the subject
            self.clause([*tokens[:colon], *rest])
            return True
        if has_finite_verb(rest):  # "Restaurant reservations: guests reserve tables" -- a title
            self.sentence(rest)
            return True
        self.possession(self._subject_of(noun), rest, heading=True)
        return True

    def _cardinality(self, tokens: list[Token]) -> bool:
        """ "Books and authors are many-to-many" and its one-to-many cousins."""
        words = [t.word for t in tokens]
        marker = next((w for w in words if w in {"many-to-many", "one-to-many", "many-to-one",
                                                 "one-to-one"}), None)  # fmt: skip
        if marker is None:
            return False
        nouns = []
        for item in split_items([t for t in tokens if t.word != marker]):
            for token in item:
                if token.tag == NOUN:
                    noun = classify([token.word], self.f.domain)
                    if noun and noun.kind in {Kind.ENTITY, Kind.ROLE, Kind.ATTRIBUTE}:
                        nouns.append(noun)
        if len(nouns) < 2:
            return False
        first, second = nouns[0], nouns[1]
        self.f.note(first, STRONG)
        self.f.note(second, STRONG)
        if marker == "many-to-many":
            self.f.link(M2M, first.name, second.name)
        elif marker == "one-to-many":
            self.f.link(M2O, second.name, first.name)
        elif marker == "many-to-one":
            self.f.link(M2O, first.name, second.name)
        else:
            self.f.link(O2O, second.name, first.name)
        return True

    # --- subjects -----------------------------------------------------------------------
    def subjects(self, tokens: list[Token]) -> list[Subject]:
        if not tokens or all(t.tag in {DET, PREP} for t in tokens):
            return [NO_SUBJECT]
        subjects = []
        for item in split_items(tokens):
            phrase = parse_phrase(item)
            if phrase is None:
                continue
            if phrase.pronoun:
                subjects.append(self._pronoun_subject(phrase.pronoun))
                continue
            noun = classify(phrase.nouns, self.f.domain)
            target = self._unwrap(phrase) if noun is None or noun.kind != Kind.USER else None
            if noun is not None and noun.kind == Kind.USER and not noun.user_prefix:
                subjects.append(Subject("user", noun))
            elif target is not None:
                subjects.append(self._subject_of(target[1]))
        return subjects or [NO_SUBJECT]

    def _pronoun_subject(self, word: str) -> Subject:
        if word in _USER_PRONOUNS:
            return Subject("user")
        last = self.f.last_subject
        if word in _SELF_PRONOUNS and last and last in self.f.candidates:
            candidate = self.f.candidates[last]
            return Subject("entity", Noun(last, candidate.kind, (last.lower(),), False))
        return Subject("app") if word == "there" else NO_SUBJECT

    def _subject_of(self, noun: Noun) -> Subject:
        if noun.kind == Kind.USER:
            return Subject("user", noun)
        if noun.kind == Kind.ROLE:
            return Subject("role", noun)
        if noun.kind in {Kind.APP, Kind.FILLER, Kind.FEATURE}:
            known = self._named_before(noun)
            return Subject("app", noun) if known is None else Subject("entity", known)
        return Subject("entity", noun)

    def _named_before(self, noun: Noun) -> Noun | None:
        """ "Visitors submit adoption applications; each application has..." : the entity."""
        if len(noun.words) != 1:
            return None
        names = [c.name for c in self.f.candidates.values() if c.kind == Kind.ENTITY
                 and naming.to_snake(c.name).split("_")[-1] == noun.head]  # fmt: skip
        if len(names) != 1 or names[0] == noun.name:
            return None
        words = tuple(naming.to_snake(names[0]).split("_"))
        return Noun(names[0], Kind.ENTITY, words, noun.plural)

    # --- predicates ---------------------------------------------------------------------
    def predicate(self, subject: Subject, predicate: Predicate) -> None:
        bases, objects = predicate.bases, predicate.objects
        if predicate.negated:
            return
        if not objects:
            if predicate.passive and subject.kind == "entity" and subject.noun is not None:
                self.f.note(subject.noun, MEDIUM)  # "attachments can be uploaded"
            return
        if bases & lx.BELONG_VERBS or (objects[0].word == "part-of"):
            self.belong(subject, objects)
        elif predicate.passive:
            self.passive(subject, bases, objects)
        elif bases & lx.ENABLING_VERBS:
            self.clause([t for t in objects if t.word != "to"])
        elif predicate.possessive or (bases & lx.POSSESSION_VERBS and subject.kind != "none"):
            self.possession(subject, objects)
        elif bases & lx.RECORDING_VERBS and subject.kind == "entity" and self._values(objects):
            self.possession(subject, objects)  # "each click stores a timestamp"
        elif predicate.copula:
            if subject.kind == "app":
                self.bare_list(objects, section=False)
        else:
            self.action(subject, bases, objects)

    def possession(self, subject: Subject, tokens: list[Token], *, heading: bool = False) -> None:
        if subject.kind in {"app", "none"}:
            self.bare_list(tokens, section=False)
            return
        phrases = self._phrases(tokens)
        if not any(_describes(classify(p.nouns, self.f.domain)) for p in phrases):
            return  # "a page with information and data details"
        owner = USER
        if subject.kind in {"entity", "role"} and subject.noun is not None:
            if self.f.note(subject.noun, STRONG) is None:
                return
            owner = subject.noun.name
            self.f.last_subject = owner
        current = owner
        for phrase in phrases:
            if heading and owner != USER and phrase.quant != "many":
                self._field(owner, phrase, classify(phrase.nouns, self.f.domain))
                continue
            child = self.has_item(current, phrase)
            if child is not None and any(prep == "with" for prep, _ in phrase.tails):
                current = child  # "many exercises with sets, reps and weight"

    def _values(self, tokens: list[Token]) -> bool:
        """Whether every object is one value ("a timestamp and a referrer"), not a list of
        things ("visits for a pet")."""
        phrases = self._phrases(tokens)
        for phrase in phrases:
            noun = classify(phrase.nouns, self.f.domain)
            if phrase.quant == "many" or (noun is not None and noun.plural
                                          and not _plural_attribute(noun)):  # fmt: skip
                return False
        return bool(phrases)

    def has_item(self, owner: str, phrase: Phrase) -> str | None:
        """File one item of a has-list; returns the child entity it named, if any."""
        if self._count_field(owner, phrase):
            return None
        noun = classify(phrase.nouns, self.f.domain)
        named = self._named_head(noun)
        if named is not None and not phrase.tails:  # "a home team": a link to Team
            self._field(owner, phrase, named)
            return None
        if noun is None or noun.kind in {Kind.FILLER, Kind.FEATURE, Kind.APP}:
            inner = self._of_tail(phrase) if not _field_tail(phrase) else None
            if inner is not None:
                inner.quant = inner.quant or "many"
                return self.has_item(owner, inner)
            fits = noun is None or noun.kind == Kind.FILLER or noun.head in lx.FIELD_FILLERS
            fits = fits or phrase.words[0] in lx.FIELD_TYPE_MODIFIERS  # "JSON permissions"
            if fits and (not phrase.tails or _field_tail(phrase)):
                self._field(owner, phrase, None)  # "a website", "a start time", "sets"
            return None
        if noun.kind == Kind.USER:
            if owner != USER:
                relation = M2M if phrase.quant == "many" or noun.plural else M2O
                self.f.link(relation, owner, USER, noun.snake if noun.snake != "user" else "")
            return None
        many = phrase.quant == "many"
        plural_child = many or (noun.plural and not _plural_attribute(noun))
        with_tail = any(prep == "with" for prep, _ in phrase.tails)
        if plural_child or (noun.plural and many):
            return noun.name if self._child(owner, noun, phrase) else None
        if (phrase.quant == "one" and noun.kind != Kind.ATTRIBUTE) or (
            with_tail and noun.kind != Kind.ATTRIBUTE
        ):
            if self.f.note(noun, STRONG) is not None:
                kind = O2O if owner == USER or noun.head in _ONE_TO_ONE_HEADS else M2O
                if kind == O2O:
                    self.f.link(O2O, noun.name, owner, "user" if owner == USER else "")
                else:
                    self.f.link(M2O, owner, noun.name)
                self._tails(noun, phrase)
                return noun.name
            return None
        self._field(owner, phrase, noun)
        return None

    def _named_head(self, noun: Noun | None) -> Noun | None:
        """ "home team" when the text stores teams: the team it points at."""
        if noun is None or noun.plural or (len(noun.words) < 2 and noun.kind == Kind.ENTITY):
            return None
        name = naming.to_pascal(noun.head)
        candidate = self.f.candidates.get(name)
        if candidate is None or candidate.kind != Kind.ENTITY:
            return None
        return Noun(name, Kind.ENTITY, (noun.head,), False)

    def _moments(self, owner: str, phrase: Phrase) -> None:
        """ "scheduled in a room at a start time": the time is a field of the subject."""
        for prep, tail in phrase.tails:
            inner = parse_phrase(tail) if prep in {"at", "on"} else None
            if inner is not None and inner.nouns and inner.nouns[-1] in lx.TIME_WORDS:
                self._field(owner, inner, None)

    def _count_field(self, owner: str, phrase: Phrase) -> bool:
        """ "a number of seats" is a count, not a list of seats."""
        if not phrase.nouns or phrase.nouns[-1] not in _COUNT_WORDS:
            return False
        tail = next((rest for prep, rest in phrase.tails if prep == "of"), None)
        if not tail:
            return False
        spec = field_from_words([*phrase.words, "of", *(t.word for t in tail)])
        if spec is not None:
            self.f.add_field(owner, spec)
        return True

    def _child(self, owner: str, noun: Noun, phrase: Phrase) -> bool:
        if noun.kind == Kind.ROLE and owner == USER:
            return False
        if self.f.note(noun, STRONG) is None:
            return False
        if owner == USER:
            self.f.link(M2O, noun.name, USER, "owner")
        elif noun.head in _SHARED_NOUNS:
            self.f.link(M2M, owner, noun.name)
        else:
            self.f.link(M2O, noun.name, owner)
        self._paren_fields(noun, phrase)
        self._tails(noun, phrase)
        return True

    def _field(self, owner: str, phrase: Phrase, noun: Noun | None, *,
               singular: bool = False) -> None:  # fmt: skip
        """File one field; ``singular`` names it after one value ("their statuses": status)."""
        words = _field_words(phrase)
        if singular and phrase.nouns and phrase.nouns[-1] not in lx.PLURAL_ATTRIBUTES:
            words = [*phrase.words[:-1], naming.singularize(phrase.words[-1])]
        spec = field_from_words(words, phrase.choices)
        if spec is None:
            return
        self.f.add_field(owner, spec)
        if noun is not None and noun.kind in {Kind.ENTITY, Kind.ROLE} and owner != USER:
            self.f.pending.append(Pending(owner, spec, noun))
            self.f.note(noun, 0)

    def belong(self, subject: Subject, tokens: list[Token]) -> None:
        tokens = [t for t in tokens if t.word not in {"part-of", "to", "of"}]
        if subject.kind not in {"entity", "role"} or subject.noun is None:
            return
        if self.f.note(subject.noun, STRONG) is None:
            return
        for phrase in self._phrases(tokens):
            noun = classify(phrase.nouns, self.f.domain)
            if noun is None:
                continue
            if noun.kind == Kind.USER:
                self.f.link(M2O, subject.name, USER, "owner")
            elif noun.kind == Kind.ROLE and noun.head in lx.USER_RELATION_ROLES:
                self.f.note(noun, WEAK)
                self.f.link(M2O, subject.name, noun.name, noun.snake)
            elif self.f.note(noun, STRONG) is not None:
                many = phrase.quant == "many" or noun.plural
                self.f.link(M2M if many else M2O, subject.name, noun.name)

    def passive(self, subject: Subject, bases: set[str], tokens: list[Token]) -> None:
        if subject.kind not in {"entity", "role"} or subject.noun is None:
            return
        prep = tokens[0].word if tokens[0].tag == PREP else ""
        rest = tokens[1:] if prep else tokens
        for phrase in self._phrases(rest):
            noun = classify(phrase.nouns, self.f.domain)
            if noun is None or noun.kind in {Kind.FILLER, Kind.FEATURE, Kind.APP}:
                continue
            self.f.note(subject.noun, MEDIUM)
            self._moments(subject.noun.name, phrase)
            if _names_place(prep, phrase, noun):  # "each talk is scheduled in a room"
                if self.f.note(noun, MEDIUM) is not None:
                    self.f.link(M2O, subject.name, noun.name)
                continue
            relation_name = next((lx.USER_RELATION_BY_VERB[b] for b in sorted(bases)
                                  if b in lx.USER_RELATION_BY_VERB), "")  # fmt: skip
            if bases & _TAGGING_VERBS:
                many = phrase.quant == "many" or noun.plural
                if self.f.note(noun, STRONG) is not None:
                    self.f.link(M2M if many else M2O, subject.name, noun.name)
            elif noun.kind == Kind.USER:
                self.f.link(M2O, subject.name, USER, relation_name or "owner")
            elif noun.kind == Kind.ROLE and (bases & _ASSIGN_VERBS or prep == "by"):
                self.f.link(M2O, subject.name, noun.name, relation_name or noun.snake)
                self.f.note(noun, WEAK)
            elif bases & _ASSIGN_VERBS or prep == "by" or bases & lx.LINK_VERBS:
                if self.f.note(noun, STRONG) is not None:
                    self.f.link(M2O, subject.name, noun.name)
            elif prep in _ENGAGEMENT_PREPS and self.f.note(noun, WEAK) is not None:
                self.f.link(M2O, subject.name, noun.name, weak=True)

    def action(self, subject: Subject, bases: set[str], tokens: list[Token]) -> None:
        if not bases:
            return
        particle = ""
        if tokens and tokens[0].tag == PREP:
            particle, tokens = tokens[0].word, tokens[1:]
        phrases = self._phrases(tokens)
        verb_nouns = sorted(b for b in bases if b in lx.VERB_NOUNS)
        if verb_nouns:
            self.verb_noun(subject, verb_nouns[0], phrases)
            return
        if self.event(subject, bases, phrases):
            return
        if bases <= lx.WISH_VERBS | lx.APP_BUILD_VERBS and phrases and self._is_app(phrases[0]):
            self.app_phrase(phrases[0])
            phrases = phrases[1:]
        strength = MEDIUM if bases & (lx.MANAGE_VERBS | lx.MANY_TO_MANY_VERBS) else WEAK
        created = bool(bases & lx.CREATION_VERBS)
        with_owner: str | None = None
        thing: str | None = None  # the last thing this list named
        for phrase in phrases:
            if with_owner is not None:  # "orders with items and a shipping address"
                self.has_item(with_owner, phrase)
                continue
            target = self._unwrap(phrase)
            if target is None:
                continue
            phrase, noun = target
            if noun.kind == Kind.APP:
                self.app_phrase(phrase)
                continue
            if phrase.possessive and noun.kind == Kind.ATTRIBUTE:
                if thing is not None:  # "track classes and their statuses"
                    self._field(thing, phrase, None, singular=True)
                continue
            sure = noun.plural or phrase.determined or phrase.quant or _uncountable(noun)
            candidate = self.f.note(noun, strength if sure else WEAK, created=created)
            if candidate is None:
                continue
            thing = candidate.name
            self._user_prefix(noun)
            self._paren_fields(noun, phrase)
            self._action_link(subject, bases, phrase, noun, particle)
            if self._tails(noun, phrase):
                with_owner = noun.name

    def _action_link(self, subject: Subject, bases: set[str], phrase: Phrase, noun: Noun,
                     particle: str) -> None:  # fmt: skip
        many = phrase.quant == "many"
        shared = bool(bases & lx.MANY_TO_MANY_VERBS)
        if subject.kind == "role" and subject.noun is not None and many:
            self.f.note(subject.noun, STRONG)
            self.f.link(M2M, subject.noun.name, noun.name)
        elif (
            subject.kind == "none"
            and bases & lx.OWNING_VERBS
            and (noun.head in lx.AUTHORED_ENTITIES)
        ):
            self.f.link(M2O, noun.name, USER, "author", weak=True)
        elif subject.kind in {"user", "role"} and bases & lx.OWNING_VERBS and not shared:
            by_verb = next((lx.USER_RELATION_BY_VERB[b] for b in sorted(bases)
                            if b in lx.USER_RELATION_BY_VERB), "")  # fmt: skip
            if subject.kind == "role" and subject.noun is not None:
                authored = noun.head in lx.AUTHORED_ENTITIES
                name = by_verb or ("author" if authored else subject.noun.snake)
                self.f.link(M2O, noun.name, subject.noun.name, name)
            else:
                authored = noun.head in lx.AUTHORED_ENTITIES
                self.f.link(M2O, noun.name, USER, by_verb or ("author" if authored else "owner"))
        elif subject.kind == "user" and shared:
            self.f.link(M2M, noun.name, USER)
        elif subject.kind == "entity" and subject.noun is not None and not bases <= lx.WISH_VERBS:
            owning = bool(bases & lx.OWNING_VERBS) or subject.noun.plural
            self.f.note(subject.noun, MEDIUM if many or shared or owning else WEAK)
            if many or shared:
                self.f.link(M2M, subject.noun.name, noun.name)
            elif bases & lx.OWNING_VERBS:
                self.f.link(M2O, noun.name, subject.noun.name, weak=True)

    def event(self, subject: Subject, bases: set[str], phrases: list[Phrase]) -> bool:
        """ "members book desks for a date with a start time and an end time": the values
        describe the booking, not the desks, so the act is stored as a Booking."""
        verb = next((b for b in sorted(bases) if b in lx.EVENT_NOUNS), None)
        at = next((i for i, p in enumerate(phrases) if any(prep == "with" for prep, _ in p.tails)),
                  None)  # fmt: skip
        if verb is None or at is None:
            return False
        with_tail = next(tail for prep, tail in phrases[at].tails if prep == "with")
        values = [*self._phrases(with_tail), *phrases[at + 1 :]]
        if not all(self._is_value(v) for v in values):
            return False
        event = classify([lx.EVENT_NOUNS[verb]], self.f.domain)
        if event is None or self.f.note(event, MEDIUM, created=True) is None:
            return False
        self.f.link(M2O, event.name, subject.noun.name if subject.kind == "role" and
                    subject.noun else USER, "")  # fmt: skip
        for phrase in phrases[: at + 1]:
            noun = classify(phrase.nouns, self.f.domain)
            if noun is not None and noun.kind == Kind.ENTITY and self.f.note(noun, MEDIUM):
                self.f.link(M2O, event.name, noun.name)
            for prep, tail in phrase.tails:
                inner = parse_phrase(tail) if prep in {"for", "on", "at"} else None
                if inner is not None and self._is_value(inner):
                    self._field(event.name, inner, None)
        for value in values:
            self._field(event.name, value, None)
        return True

    def _is_value(self, phrase: Phrase) -> bool:
        """ "a start time", "a date": one value, not a thing."""
        noun = classify(phrase.nouns, self.f.domain)
        heads = lx.ATTRIBUTE_NOUNS | lx.FIELD_FILLERS | lx.TIME_WORDS
        return noun is None or (noun.kind in {Kind.ATTRIBUTE, Kind.FILLER} and noun.head in heads)

    def verb_noun(self, subject: Subject, verb: str, phrases: list[Phrase]) -> None:
        """ "members comment on tasks" -> Comment, with an author and a task."""
        noun = classify([lx.VERB_NOUNS[verb]], self.f.domain)
        if noun is None or self.f.note(noun, MEDIUM, created=True) is None:
            return
        if subject.kind == "role" and subject.noun is not None:
            self.f.link(M2O, noun.name, subject.noun.name, "author")
        elif subject.kind in {"user", "none"}:
            self.f.link(M2O, noun.name, USER, "author")
        for phrase in phrases:
            target = self._unwrap(phrase)
            if target is None or target[1].kind in {Kind.APP, Kind.USER}:
                continue
            if self.f.note(target[1], MEDIUM) is not None:
                self.f.link(M2O, noun.name, target[1].name)

    def bare_list(self, tokens: list[Token], *, section: bool) -> None:
        with_owner: str | None = None
        for phrase in self._phrases(tokens):
            if with_owner is not None and not _names_thing(phrase):
                self.has_item(with_owner, phrase)  # "trips with a start, end and distance"
                continue
            with_owner = None
            target = self._unwrap(phrase)
            if target is None:
                continue
            phrase, noun = target
            if noun.kind == Kind.APP:
                self.app_phrase(phrase)
                continue
            sure = section or noun.plural or phrase.quant == "many" or bool(phrase.tails)
            if self.f.note(noun, MEDIUM if sure else WEAK) is not None:
                self._user_prefix(noun)
                self._paren_fields(noun, phrase)
                if self._tails(noun, phrase):
                    with_owner = noun.name

    # --- the app itself -----------------------------------------------------------------
    def _is_app(self, phrase: Phrase) -> bool:
        noun = classify(phrase.nouns, self.f.domain)
        return noun is not None and noun.kind == Kind.APP

    def app_phrase(self, phrase: Phrase) -> None:
        """ "a blog with posts and comments", "an expense tracker"."""
        noun = classify(phrase.nouns, self.f.domain)
        if noun is not None:
            self.app_kind_noun(noun)
        for prep, tail in phrase.tails:
            if prep in {"with", "of", "containing"}:
                self.bare_list(tail, section=False)

    def app_kind_noun(self, noun: Noun) -> None:
        """ "expense tracker" names its main entity; "online store" does not."""
        if len(noun.words) < 2 or noun.head not in lx.NAMING_APP_KINDS:
            return
        thing = classify(list(noun.words[:-1]), self.f.domain)
        if thing is not None and thing.kind == Kind.ENTITY and thing.head not in self.f.domain:
            self.f.note(thing, MEDIUM)

    # --- helpers ------------------------------------------------------------------------
    def _phrases(self, tokens: list[Token]) -> list[Phrase]:
        phrases = [p for p in (parse_phrase(item) for item in split_items(tokens)) if p]
        return _absorb_choices(phrases)

    def _unwrap(self, phrase: Phrase) -> tuple[Phrase, Noun] | None:
        """The phrase that names the thing: "a list of products" -> products."""
        noun = classify(phrase.nouns, self.f.domain)
        if noun is None:
            return None
        if noun.head in _COUNT_WORDS and phrase.tails and phrase.tails[0][0] == "of":
            return None  # "the number of opens" is a figure, not a thing
        if noun.kind in {Kind.FILLER, Kind.FEATURE} or (
            noun.kind == Kind.ATTRIBUTE and phrase.tails and phrase.tails[0][0] in {"of", "for"}
        ):
            inner = self._of_tail(phrase)
            if inner is None:
                return None
            inner_noun = classify(inner.nouns, self.f.domain)
            if noun.kind == Kind.ATTRIBUTE and not _is_thing(inner_noun):
                return phrase, noun  # "documents for translation": not a figure of a thing
            if inner_noun is None:
                return None
            if noun.kind == Kind.ATTRIBUTE and self.f.note(inner_noun, WEAK) is not None:
                self._field(inner_noun.name, phrase, None, singular=True)
            return inner, inner_noun
        if noun.kind in {Kind.USER} and not noun.user_prefix:
            return None
        described = self._described_members(phrase, noun)
        return described or (phrase, noun)

    def _described_members(self, phrase: Phrase, noun: Noun) -> tuple[Phrase, Noun] | None:
        """ "a daily menu of dishes with a name, a price": the with-list describes the dishes,
        so they are the thing named; the menu only groups them."""
        if noun.plural or len(phrase.tails) < 2 or phrase.tails[0][0] != "of":
            return None
        if phrase.tails[1][0] != "with":
            return None
        inner = self._of_tail(phrase)
        inner_noun = classify(inner.nouns, self.f.domain) if inner else None
        if inner is None or inner_noun is None or not inner_noun.plural:
            return None
        return (inner, inner_noun) if inner_noun.kind == Kind.ENTITY else None

    def _of_tail(self, phrase: Phrase) -> Phrase | None:
        """ "a list of products across stores" -> "products across stores"."""
        for index, token in enumerate(phrase.rest):
            if token.tag == PREP and token.word in {"of", "for"}:
                return parse_phrase(phrase.rest[index + 1 :])
        return None

    def _paren_fields(self, noun: Noun, phrase: Phrase) -> None:
        """ "vehicles (plate number, make, model)": the parentheses list fields."""
        if not phrase.choices or noun.kind not in {Kind.ENTITY, Kind.ROLE}:
            return
        if noun.head in lx.ENUM_HINTS:
            return
        for choice in phrase.choices:
            name, _, values = choice.partition(":")  # "type: tent/caravan"
            spec = field_from_words(name.split(), tuple(v.strip() for v in values.split("/")))
            if spec is not None:
                self.f.add_field(noun.name, spec)

    def _user_prefix(self, noun: Noun) -> None:
        """ "user profiles" belong to the built-in user."""
        if noun.user_prefix:
            kind = O2O if noun.head in _ONE_TO_ONE_HEADS else M2O
            self.f.link(kind, noun.name, USER, "user" if kind == O2O else "owner")

    def _tails(self, noun: Noun, phrase: Phrase) -> bool:
        """Follow "with ..." and "on ..." after a noun; True when it had a with-list."""
        had_with = False
        for position, (prep, tail) in enumerate(phrase.tails):
            if prep == "with" and noun.kind != Kind.USER:
                had_with = True
                self.possession(Subject("entity", noun), tail)
            elif prep not in {"by", "with", "like", "than", "via"}:
                inner = parse_phrase(tail)
                other = classify(inner.nouns, self.f.domain) if inner else None
                if (
                    inner is None
                    or other is None
                    or other.kind not in {Kind.ENTITY, Kind.ATTRIBUTE}
                ):
                    continue
                of_this = prep == "of" and position == 0
                if of_this and other.kind == Kind.ATTRIBUTE and noun.kind == Kind.ENTITY:
                    self._field(noun.name, inner, None)  # "measurements of body weight"
                    continue
                place = _names_place(prep, inner, other)
                strength = MEDIUM if (other.plural and other.kind == Kind.ENTITY) or place else WEAK
                noted = self.f.note(other, strength) is not None
                if noted and noun.kind == Kind.ENTITY and prep in _ENGAGEMENT_PREPS:
                    self.f.link(M2O, noun.name, other.name, weak=not place)
        return had_with


def _absorb_choices(phrases: list[Phrase]) -> list[Phrase]:
    """ "status: draft, published or archived" -> one enum item, not three."""
    out: list[Phrase] = []
    for phrase in phrases:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.open_choices
            and previous.nouns
            and previous.nouns[-1] in lx.ENUM_HINTS
            and len(phrase.tokens) == 1
            and phrase.tokens[0].word not in lx.ATTRIBUTE_NOUNS
            and not phrase.determined
            and phrase.tokens[0].tag != VERB
        ):
            previous.choices = (*previous.choices, phrase.tokens[0].word)
            continue
        out.append(phrase)
    return out


def _names_place(prep: str, phrase: Phrase, noun: Noun) -> bool:
    """ "in a room", "at the venue", "for a project": one stored thing the subject is tied to."""
    return (
        prep in lx.PLACE_PREPOSITIONS
        and phrase.determined
        and not noun.plural
        and noun.kind == Kind.ENTITY
        and phrase.quant != "many"
    )


def _plural_attribute(noun: Noun) -> bool:
    """ "servings", "photos", "notes": a plural that is still one field."""
    if noun.kind == Kind.ATTRIBUTE or noun.head in lx.PLURAL_ATTRIBUTES:
        return True
    plural = naming.pluralize(noun.head)
    if plural in lx.PLURAL_ATTRIBUTES:
        return True
    kinds = {infer_type(plural), infer_type(noun.head)} - {FieldType.STRING, FieldType.TEXT}
    return bool(kinds)


def _uncountable(noun: Noun) -> bool:
    """ "leave feedback": a mass noun needs no article to be a thing."""
    return naming.pluralize(noun.head) == noun.head


def _describes(noun: Noun | None) -> bool:
    """Whether a has-list item says something (a field or a thing), not filler."""
    if noun is None or noun.head in lx.FIELD_FILLERS:
        return True
    return noun.kind not in {Kind.FILLER, Kind.FEATURE, Kind.APP}


def _field_tail(phrase: Phrase) -> list[Token]:
    """The tail that belongs to a field's name or unit: "date of birth", "steps to reproduce",
    "duration in minutes", "total in USD", "target per week"; empty when there is none."""
    if not phrase.tails:
        return []
    prep, tail = phrase.tails[0]
    if prep == "in":
        unit = naming.singularize(tail[0].word) if len(tail) == 1 else ""
        known = lx.TIME_UNITS | lx.MEASURE_UNITS | lx.CURRENCY_UNITS
        return [phrase.rest[0], *tail] if unit in known else []
    if prep == "per":  # "a target per week"
        return [phrase.rest[0], *tail] if len(tail) == 1 and tail[0].word in lx.TIME_UNITS else []
    plain = len(tail) <= 2 and all(t.tag in {NOUN, ADJ, VERB} for t in tail)
    purpose = prep == "to" and len(tail) == 1 and tail[0].tag in {NOUN, VERB}
    if purpose or (prep == "of" and plain and _names_value(phrase)):
        return [phrase.rest[0], *tail]
    return []


def _names_value(phrase: Phrase) -> bool:
    """ "date of birth", "place of birth": a value word before "of", not "a list of"."""
    return bool(phrase.nouns) and phrase.nouns[-1] in lx.ATTRIBUTE_NOUNS - {"number", "count"}


def _is_thing(noun: Noun | None) -> bool:
    return noun is not None and noun.kind in {Kind.ENTITY, Kind.ROLE, Kind.USER}


def _names_thing(phrase: Phrase) -> bool:
    """ "drivers (name, licence)" in a bare list starts a new thing; "end location" does not."""
    return bool(phrase.choices) or (bool(phrase.tails) and not _field_tail(phrase)) or (
        bool(phrase.nouns) and naming.is_plural(phrase.nouns[-1])
        and phrase.nouns[-1] not in lx.PLURAL_ATTRIBUTES
    )  # fmt: skip


def _field_words(phrase: Phrase) -> list[str]:
    return [*phrase.words, *(t.word for t in _field_tail(phrase))]
