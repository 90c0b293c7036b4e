"""Change requests in plain language, read as edits to an existing AppSpec.

``read_change(spec, "add a due date and a priority to tasks")`` cuts the text into clauses (lines,
bullets, sentences, and "and" or commas before a new command), reads each against the spec as
it stands after the clauses before it, and turns what it understood into editing.py's
operations. The result (:class:`Change`) holds the operations, the edited spec, the renames, what
was done in words (``notes``) and the clauses it could not read (``unread``): it never guesses
silently. Nothing understood at all, or a change that names an entity or field the spec does not
have, raises :class:`ChangeError` with a message that says what exists and what to write.

What it reads (names in any case, singular or plural, possessive, with near misses corrected):

- adding fields, things and links: "add a due date and a priority to tasks", "give clients an
  optional phone", "add a Category entity with name and description", "add a Review with a
  rating from 1 to 5 and a comment for each product", "add tags to posts";
- statements: "tasks have a status (open, in progress, done)", "a dog belongs to one client"
  (a link the other way round is turned around), "clients have many dogs", "the phone of a
  client is optional", "link tasks to projects", "tasks are assigned to users";
- what people do: "let users tag posts", "users can comment on posts" (the analyzer's own
  participation words decide what is kept: a Comment, a Like per user and post, …);
- removing: "remove comments", "remove the price field from products", "remove the link between
  dogs and clients", "remove search", "remove the admin role";
- renaming: "rename Client to Customer", "rename the title of posts to headline", "rename
  Post.title to headline";
- settings: "make email unique on customers", "make the price of products a decimal", "add a
  sku to products and make it unique" ("it" is the field just named);
- roles and features: "add an admin role", "add search to posts", "add notifications";
- who reads an entity: "make posts public", "courses are visible to every signed-in user",
  "anyone can browse the events", "notes are private".

Field names and types come from the analyzer's field rules (analysis/fields.py), defaults for a
new thing from its lexicon, people and shared things from its hints; only the words of commands
live here. No parser is loaded: clauses are short and the patterns are anchored, so reading a
sentence takes a millisecond or two; validating each edit (editing.py) costs a few more, about
25 ms an edit on a spec of 50 entities. The text is capped (MAX_CHANGE_CHARS, MAX_CLAUSES) and
the cancel token is checked between clauses. A clause that repeats what the spec already says
is noted ("Already so: …"); a request that changes nothing at all is refused, saying why.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from generator.engine import naming
from generator.engine.analysis import features as feature_rules
from generator.engine.analysis import hints
from generator.engine.analysis.fields import (
    FILLER_WORDS,
    RANGE,
    infer_type,
    ranged_field,
)
from generator.engine.analysis.lexicon import DEFAULT_FIELDS
from generator.engine.editing import (
    AddEntity,
    AddFeature,
    AddField,
    AddRelationship,
    AddRole,
    AddUniqueTogether,
    ChangeField,
    ChangeRelationship,
    EditError,
    FieldChanges,
    RelationshipChanges,
    RemoveEntity,
    RemoveFeature,
    RemoveField,
    RemoveRelationship,
    RemoveRole,
    RenameEntity,
    RenameField,
    SetAccess,
    _Op,
    apply_ops,
    find_entity,
    find_field,
    find_link,
    link_words,
    listing,
    unknown_entity,
    unknown_field,
)
from generator.engine.events import CancelToken
from generator.engine.spec import (
    ACCESS_WORDS,
    USER,
    Access,
    AppSpec,
    Choice,
    Entity,
    Feature,
    FeatureCategory,
    FieldSpec,
    FieldType,
    RelationKind,
    Relationship,
)
from generator.engine.versions import Renames

MAX_CHANGE_CHARS = 4000
MAX_CLAUSES = 40
EXAMPLES = (
    "'add a due date to tasks', 'rename Client to Customer', 'remove comments', "
    "'a dog belongs to one client', 'make email unique on customers'"
)


class ChangeError(ValueError):
    """The change cannot be read; the message says why and what to write instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Change:
    ops: list[_Op]  # the edits, in order (each has to_dict())
    spec: AppSpec  # the spec after them
    renames: Renames  # from the given spec's names to the new ones
    notes: list[str] = field(default_factory=list)  # what was done, in words
    unread: list[str] = field(default_factory=list)  # the parts that could not be read

    def to_dict(self) -> dict[str, Any]:
        return {
            "ops": [op.to_dict() for op in self.ops],
            "renames": self.renames.to_dict(),
            "notes": list(self.notes),
            "unread": list(self.unread),
        }


def read_change(
    spec: AppSpec, text: str, *, cancel: CancelToken | None = None, keep_rows: bool = True
) -> Change:
    """Read ``text`` as a change to ``spec``; see the module's text for what it reads.

    ``keep_rows`` is apply_ops's: pass False for a plan that was never built.
    """
    if not text or not text.strip():
        raise ChangeError(f"Say what to change, e.g. {EXAMPLES}.")
    if len(text) > MAX_CHANGE_CHARS:
        raise ChangeError(
            f"The change is {len(text):,} characters long; the limit is {MAX_CHANGE_CHARS:,}. "
            "Ask for fewer changes at a time."
        )
    parts = clauses(text)
    reader = _Reader(spec)
    for clause in parts[:MAX_CLAUSES]:
        if cancel is not None:
            cancel.raise_if_cancelled()
        reader.read(clause)
    unread = reader.unread + parts[MAX_CLAUSES:]
    if not reader.ops and reader.notes:
        raise ChangeError(f"Nothing to change: {' '.join(dict.fromkeys(reader.notes))}")
    if not reader.ops:
        shown = f" (not understood: {'; '.join(repr(u) for u in unread[:3])})" if unread else ""
        raise ChangeError(
            f"Nothing in this request could be read as a change{shown}. Write one change a "
            f"sentence, e.g. {EXAMPLES}."
        )
    try:
        edited = apply_ops(spec, reader.ops, keep_rows=keep_rows)
    except EditError as exc:  # pragma: no cover - each op was applied once already
        raise ChangeError(str(exc)) from None
    notes = [*reader.notes, *edited.notes]
    return Change(reader.ops, edited.spec, edited.renames, list(dict.fromkeys(notes)), unread)


# --- cutting the text into clauses ---------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)]|[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_COMMANDS = (
    "add|create|include|introduce|insert|put|give|remove|delete|drop|rename|make|set|mark|"
    "change|turn|convert|let|allow|enable|link|connect|associate|relate|get rid of|take out"
)
_POLITE = re.compile(
    r"^(?:please|also|and|then|now|ok(?:ay)?|so|next|finally|lastly|plus|"
    r"(?:can|could|would) you|i(?:'d| would)? (?:want|need|like) (?:you )?to|"
    r"we(?:'d| would)? (?:want|need|like) to|let's|lets)\b[\s,:]*",
    re.IGNORECASE,
)
_ADVERBS = re.compile(r"\b(?:also|now|additionally|too|as well|please)\b,?", re.IGNORECASE)
_STARTS_COMMAND = re.compile(rf"^(?:{_COMMANDS})\b", re.IGNORECASE)
_STARTS_STATEMENT = re.compile(
    r"^(?:each|every|a|an|the|all|one)?\s*[\w'.]+(?:\s+[\w'.]+){0,2}\s+"
    r"(?:has|have|belongs?|is|are|can|should|must|needs?|gets?|owns?)\b",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r",?\s+(?:and|then)\s+|,\s*", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """Lines, bullets and sentences, each cut again where "and" or a comma starts a new
    command or statement ("add a title to posts and remove comments")."""
    out: list[str] = []
    text = text.replace("\r", "\n").replace("\u2019", "'").translate(_QUOTES)
    for line in text.split("\n"):
        line = " ".join(_BULLET.sub("", line).split())
        for sentence in _SENTENCE_END.split(line):
            out += [c for c in _cut(sentence.strip().rstrip(".!?;").strip()) if c]
    return out


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "`": '"'})


_ELLIPSIS = re.compile(r"^(?:an?|the|some)\s+[\w' -]+?\s+(?:to|on|for)\s+\w", re.IGNORECASE)
_OWNED = re.compile(r"\s(?:to|on|for)\s+[^\W\d]", re.IGNORECASE)
_ADD_VERB = re.compile(r"^(add|give)\b", re.IGNORECASE)


def _cut(sentence: str) -> list[str]:
    parts, start, depth = [], 0, 0
    prefix = ""  # the verb an elided clause shares ("add a phone to X and a rating to Y")
    verb = _ADD_VERB.match(_polite(sentence))
    position = 0
    while position < len(sentence):
        char = sentence[position]
        depth += (char == "(") - (char == ")")
        match = _SEPARATOR.match(sentence, position) if depth == 0 else None
        rest = sentence[match.end() :] if match and match.end() > position else ""
        # Only when the part so far names its own owner: "add a due date and a priority to
        # tasks" is one clause with two items.
        has_owner = _OWNED.search(sentence[start:position]) is not None
        elided = bool(verb and rest and has_owner and _ELLIPSIS.match(rest))
        if rest and (_starts_clause(rest) or elided):
            parts.append(prefix + sentence[start:position].strip(" ,"))
            prefix = f"{verb.group(1)} " if elided and verb else ""
            start = position = len(sentence) - len(rest)
            continue
        position += 1
    parts.append(prefix + sentence[start:].strip(" ,"))
    return [p for p in parts if p.strip()]


def _polite(clause: str) -> str:
    previous = None
    while previous != clause:
        previous, clause = clause, _POLITE.sub("", clause).strip()
    return clause


def _starts_clause(rest: str) -> bool:
    rest = _polite(rest)
    return bool(_STARTS_COMMAND.match(rest) or _STARTS_STATEMENT.match(rest))


# --- words -------------------------------------------------------------------------------------

_DETERMINER = re.compile(
    r"^(?:(?:the|a|an|each|every|all|any|some|one|its|their|our|my|new|existing)\s+)+",
    re.IGNORECASE,
)
_MANY = re.compile(
    r"^(?:many|several|multiple|lots of|a lot of|a few|various|any number of|one or more|"
    r"zero or more|more than one|some|a list of|a set of)\s+",
    re.IGNORECASE,
)
_ONE = re.compile(
    r"^(?:exactly one|only one|a single|one single|just one|one|a|an|the|its own|their own)\s+",
    re.IGNORECASE,
)
_NOISE = re.compile(r"\s+(?:field|column|attribute|property|entity|model|table)s?$", re.IGNORECASE)
_CHOICE_SPLIT = re.compile(r"\s*(?:,|/|\bor\b|\band\b)\s*", re.IGNORECASE)
_ITEM_SPLIT = re.compile(r"\s*(?:,\s*(?:and|or)?|\band\b|&|\bplus\b|\bas well as\b)\s*", re.I)
_FLAGS = frozenset({"optional", "required", "unique", "mandatory"})
_PROPS = {
    "unique": {"unique": True},
    "not unique": {"unique": False},
    "non-unique": {"unique": False},
    "required": {"required": True},
    "mandatory": {"required": True},
    "compulsory": {"required": True},
    "not optional": {"required": True},
    "optional": {"required": False},
    "not required": {"required": False},
    "nullable": {"required": False},
    "blank": {"required": False},
}
_ACCESS = {
    "public": Access.PUBLIC,
    "private": Access.PRIVATE,
    "visible to everyone": Access.PUBLIC,
    "visible to anyone": Access.PUBLIC,
    "visible to every signed-in user": Access.SIGNED_IN,
    "visible to signed-in users": Access.SIGNED_IN,
    "visible to all signed-in users": Access.SIGNED_IN,
    "visible to all users": Access.SIGNED_IN,
    "visible to their owners only": Access.PRIVATE,
}
_ACCESS_WORDS = "|".join(re.escape(words).replace(r"\ ", r"\s+") for words in _ACCESS)
_PROP_WORDS = "|".join(sorted((re.escape(p) for p in _PROPS), key=len, reverse=True))
# The words for a type ("make the price an integer", "the phone is a number"): FieldType's own
# values, and these.
_TYPE_WORDS = {
    "number": FieldType.INTEGER,
    "whole number": FieldType.INTEGER,
    "int": FieldType.INTEGER,
    "count": FieldType.INTEGER,
    "decimal number": FieldType.DECIMAL,
    "money": FieldType.DECIMAL,
    "amount": FieldType.DECIMAL,
    "short text": FieldType.STRING,
    "long text": FieldType.TEXT,
    "bool": FieldType.BOOLEAN,
    "checkbox": FieldType.BOOLEAN,
    "yes or no": FieldType.BOOLEAN,
    "yes/no": FieldType.BOOLEAN,
    "true or false": FieldType.BOOLEAN,
    "date and time": FieldType.DATETIME,
    "timestamp": FieldType.DATETIME,
    "time of day": FieldType.TIME,
    "e-mail": FieldType.EMAIL,
    "email address": FieldType.EMAIL,
    "link": FieldType.URL,
    "web address": FieldType.URL,
    "website": FieldType.URL,
    "picture": FieldType.IMAGE,
    "photo": FieldType.IMAGE,
    "choice": FieldType.ENUM,
    **{kind.value: kind for kind in FieldType},
}
# A field named so is a choice of these values when no values are given.
_USUAL_CHOICES = {"priority": (("low", "medium", "high"), "medium")}
# Singular nouns that name a thing another files under ("add a category to posts"): a key to it.
_FILED_UNDER = frozenset(
    "category group folder collection section department team brand supplier vendor project "
    "company organization organisation owner".split()
)
_PEOPLE = frozenset({"user", "users", "people", "person", "everyone", "anyone", "visitors"})
_DECLARED = re.compile(
    r"(?:an?\s+|the\s+|new\s+|one\s+)*([\w ]+?)(?:\s+(?:entity|model|table|record type|record|"
    r"kind of record|type of record))?\s+(?:with|having|that has|which has|containing|holding)"
    r"\s+(.+)",
    re.IGNORECASE,
)
_BARE_ENTITY = re.compile(
    r"(?:an?\s+|the\s+|new\s+|one\s+)*([\w ]+?)\s+(?:entity|model|table|record type)s?",
    re.IGNORECASE,
)
_PRONOUNS = frozenset({"it", "them", "this", "that", "this field", "that field", "these"})
_CALLED = re.compile(r"\b(?:field|column|attribute|property)\s+(?:called|named)\s+(.+)", re.I)
_VALUES_AFTER_COLON = re.compile(r"([^,:()]+?):\s*([^:()]+)")
_ROLES = re.compile(r"(?:an?\s+|the\s+)?(.+?)\s+roles?|(?:an?\s+|the\s+)?roles?\s+(.+)", re.I)
# A determiner only as a whole word: "to announcements" keeps its "a".
_OWNER_CUT = re.compile(r"\(|\)|\s(to|on|for|in|into|onto)\s+(?:(?:each|every|all|the|a|an)\b)?\s*")
_FEATURE_HEADS = hints.FEATURE_NOUNS | {"reminder", "alert", "update", "export", "report"}


def _strip(text: str) -> str:
    """ "the Post entity" -> "Post" """
    text = _DETERMINER.sub("", text.strip().strip("\"'").strip())
    return _NOISE.sub("", text).strip().strip("\"'").strip()


def _rename_note(op: RenameEntity, made: str) -> str:
    """ "Renamed Location to AppSite: Site is a name Django or the generated code already uses."
    when the name asked for could not be used as it is."""
    asked = naming.to_pascal(op.new)
    if made == asked:
        return op.describe()
    reason = naming.entity_reserved_reason(asked) or "a name this app already uses"
    return f"Renamed {op.old} to {made}: {asked} is {reason}."


def _singular_pascal(text: str) -> str:
    return naming.to_pascal(naming.singularize(naming.to_label(text)))


def _last_word(text: str) -> str:
    words = naming.ascii_words(text)
    return words[-1] if words else ""


def _type_word(text: str) -> FieldType | None:
    return _TYPE_WORDS.get(" ".join(_strip(text).lower().split()))


_CHOICE_OF = re.compile(
    r"\s+(?:to\s+|into\s+|as\s+)?(?:an?\s+)?((?:choice|one)\s+(?:of|between|from)\s+.+)$", re.I
)


def _split_type(text: str) -> tuple[str, str] | None:
    """ "the price of products an integer" -> ("the price of products", "integer")."""
    choice = _CHOICE_OF.search(text)
    if choice:
        return text[: choice.start()], choice.group(1)
    words = text.split()
    for size in range(min(4, len(words) - 1), 0, -1):
        kind = " ".join(words[-size:])
        if _type_word(kind):
            what = re.sub(r"(?:\s+(?:to|into|as))+$", "", " ".join(words[:-size]), flags=re.I)
            return what, kind
    return None


# --- reading -----------------------------------------------------------------------------------


class _Reader:
    """Reads clause after clause against the spec as the clauses before left it."""

    def __init__(self, spec: AppSpec) -> None:
        self.spec = spec
        self.ops: list[_Op] = []
        self.notes: list[str] = []
        self.unread: list[str] = []
        self.clause = ""
        self.last: tuple[str, str] | None = None  # the field "it" means: (entity, field)

    def read(self, clause: str) -> None:
        self.clause = clause
        text = " ".join(_ADVERBS.sub("", _polite(clause)).split())
        said = len(self.notes)
        for reader in (
            self._rename,
            self._remove,
            self._access,
            self._make,
            self._add,
            self._give,
            self._link,
            self._people_do,
            self._belongs,
            self._has,
            self._is,
        ):
            if reader(text):
                break
        else:
            self.unread.append(clause)
            return
        if len(self.notes) == said:
            self.unread.append(clause)

    # applying ----------------------------------------------------------------------------
    def do(self, op: _Op, note: str = "") -> None:
        names = [entity.name for entity in self.spec.entities]
        try:
            self.spec = apply_ops(self.spec, [op], keep_rows=False).spec
        except EditError as exc:
            raise ChangeError(f"{_quoted(self.clause)}: {exc}") from None
        self.ops.append(op)
        if isinstance(op, RenameEntity) and not note:
            note = _rename_note(op, self.spec.entities[names.index(op.old)].name)
        self.notes.append(note or op.describe())

    def fail(self, message: str) -> ChangeError:
        return ChangeError(f"{_quoted(self.clause)}: {message}")

    # names -------------------------------------------------------------------------------
    def entity(self, name: str) -> Entity | None:
        """The entity ``name`` means, a near miss corrected (and said)."""
        wanted = _strip(name)
        found = find_entity(self.spec, wanted)
        if found is not None or not wanted:
            return found
        if len(wanted) < 5:  # "cat" is not a near miss of "Cart"
            return None
        names = {e.name.lower(): e for e in self.spec.entities}
        close = difflib.get_close_matches(_singular_pascal(wanted).lower(), names, n=1, cutoff=0.8)
        if close:
            found = names[close[0]]
            self.notes.append(f"'{wanted}' was read as {found.name}.")
        return found

    def known(self, name: str) -> Entity:
        found = self.entity(name)
        if found is None:
            raise self.fail(unknown_entity(self.spec, _strip(name)))
        return found

    def target(self, name: str) -> str | None:
        found = self.entity(name)
        if found is not None:
            return found.name
        return USER if _last_word(_strip(name)) in _PEOPLE else None

    def field_ref(self, text: str, *, needed: bool = True) -> tuple[Entity, str] | None:
        """(entity, member name) of "Post.title", "the title of posts", "a client's phone",
        "customer email", or a field name only one entity has."""
        text = _strip(text)
        if text.lower() in _PRONOUNS and self.last is not None:
            entity = self.spec.entity(self.last[0])
            if entity is not None:
                return self._member(entity, self.last[1])
        dotted = re.fullmatch(r"([A-Za-z][\w ]*?)\.(\w+)", text)
        if dotted:
            return self._member(self.known(dotted.group(1)), dotted.group(2))
        of = re.fullmatch(r"(.+?)\s+(?:of|on|in|for|from)\s+(.+)", text, re.IGNORECASE)
        if of and self.entity(of.group(2)) is not None:
            return self._member(self.known(of.group(2)), _strip(of.group(1)))
        owned = re.fullmatch(r"(.+?)(?:'s|s'|')\s+(.+)", text)
        if owned:
            return self._member(self.known(owned.group(1)), _strip(owned.group(2)))
        words = text.split()
        for cut in range(len(words) - 1, 0, -1):
            entity = find_entity(self.spec, " ".join(words[:cut]))
            if entity is not None:
                return self._member(entity, " ".join(words[cut:]))
        if of and needed:
            raise self.fail(unknown_entity(self.spec, _strip(of.group(2))))
        return self._anywhere(text, needed=needed)

    def _member(self, entity: Entity, name: str) -> tuple[Entity, str]:
        name = _strip(name)
        found = find_field(entity, name)
        if found is not None:
            self.last = (entity.name, found.name)
            return entity, found.name
        link = find_link(self.spec, entity, name)
        if link is not None:
            return entity, link.name
        raise self.fail(unknown_field(entity, name))

    def _anywhere(self, name: str, *, needed: bool) -> tuple[Entity, str] | None:
        owners = [e for e in self.spec.entities if find_field(e, name) is not None]
        if len(owners) == 1:
            return self._member(owners[0], name)
        if len(owners) > 1:
            raise self.fail(
                f"several entities have '{name}' ({listing(e.name for e in owners)}); say "
                f"which, e.g. '{name} of {owners[0].plural_label}'."
            )
        return None

    # renaming -----------------------------------------------------------------------------
    def _rename(self, text: str) -> bool:
        match = re.fullmatch(
            r"(?:rename|re-name|change the name of)\s+(.+?)\s+(?:to|into|as)\s+(.+)", text, re.I
        ) or re.fullmatch(r"(?:call)\s+(.+?)\s+(.+?)\s+instead", text, re.I)
        if not match:
            return False
        what, new = _strip(match.group(1)), _strip(match.group(2))
        explicit = re.search(r"\.|\s(?:of|on|in|for|from)\s|'", what)
        entity = None if explicit else self.entity(what)
        if entity is not None:
            plural = naming.is_plural(_last_word(what)) and what.lower() != entity.name.lower()
            name = _singular_pascal(new) if plural else naming.to_pascal(new)
            self.do(RenameEntity(old=entity.name, new=name))
            return True
        ref = self.field_ref(what, needed=False)
        if ref is None:
            raise self.fail(_unknown_thing(self.spec, what))
        owner, old = ref
        self.do(RenameField(entity=owner.name, old=old, new=naming.to_snake(new)))
        return True

    # removing -----------------------------------------------------------------------------
    def _remove(self, text: str) -> bool:
        match = re.fullmatch(
            r"(?:remove|delete|drop|get rid of|take out|take away|eliminate|scrap)\s+(.+)",
            text,
            re.I,
        ) or re.fullmatch(r"(?:we\s+)?(?:no longer|don't|do not)\s+need\s+(.+)", text, re.I)
        owner_first = re.fullmatch(
            r"(.+?)\s+(?:no longer|don't|do not|doesn't|does not)\s+"
            r"(?:need|have|has|store|keep|track)\s+(?:an?\s+|the\s+|any\s+)?(.+)",
            text,
            re.I,
        )
        if owner_first and not match and self.entity(owner_first.group(1)):
            return self._remove_items(owner_first.group(2), owner_first.group(1))
        if not match:
            return False
        what = match.group(1)
        between = re.fullmatch(
            r"(?:the\s+)?(?:link|links|relationship|relation|connection)\s+"
            r"(?:between|from)\s+(.+?)\s+(?:and|to)\s+(.+)",
            what,
            re.I,
        )
        if between:
            return self._remove_link(between.group(1), between.group(2))
        role = re.fullmatch(r"(?:the\s+)?(.+?)\s+roles?|(?:the\s+)?roles?\s+(.+)", what, re.I)
        if role:
            for name in _ITEM_SPLIT.split(role.group(1) or role.group(2)):
                if _strip(name):
                    self.do(RemoveRole(name=_strip(name)))
            return True
        owner = re.fullmatch(r"(.+)\s+(?:from|on|in|of)\s+(?:the\s+|all\s+|each\s+)?(.+)", what)
        if owner and self.entity(owner.group(2)) is not None:
            return self._remove_items(owner.group(1), owner.group(2))
        return self._remove_items(what, None)

    def _remove_items(self, items: str, owner_name: str | None) -> bool:
        owner = self.known(owner_name) if owner_name else None
        for item in _items(items):
            name = _strip(item)
            if owner is not None:
                self._remove_member(owner, name)
            elif (entity := self.entity(name)) is not None and "." not in name:
                self.do(RemoveEntity(name=entity.name))
            elif (feature := self._planned_feature(name)) is not None:
                self.do(RemoveFeature(name=feature))
            elif (role := self._role(name)) is not None:
                self.do(RemoveRole(name=role))
            elif _features_in(name):
                planned = listing(f"'{f.name}'" for f in self.spec.features) or "none"
                raise self.fail(
                    f"no feature like '{name}' is planned (the features are: {planned})."
                )
            else:
                ref = self.field_ref(name, needed=False)
                if ref is None:
                    raise self.fail(_unknown_thing(self.spec, name))
                self._remove_member(ref[0], ref[1])
        return True

    def _remove_member(self, owner: Entity, name: str) -> None:
        found = find_field(owner, name)
        if found is not None:
            self.do(RemoveField(entity=owner.name, name=found.name))
            return
        link = find_link(self.spec, owner, name)
        if link is not None:
            self.do(RemoveRelationship(source=owner.name, target=link.target, name=link.name))
            return
        target = self.target(name)
        back = [r for r in self.spec.relationships if r.source == target and r.target == owner.name]
        if target and back:
            rel = back[0]
            self.do(RemoveRelationship(source=rel.source, target=rel.target, name=rel.name))
            return
        raise self.fail(unknown_field(owner, name))

    def _remove_link(self, first: str, second: str) -> bool:
        a, b = self.target(first), self.target(second)
        if a is None or b is None:
            raise self.fail(unknown_entity(self.spec, _strip(first if a is None else second)))
        found = [r for r in self.spec.relationships if {r.source, r.target} == {a, b}]
        if not found:
            raise self.fail(f"there is no link between {a} and {b}.")
        for rel in found:
            self.do(RemoveRelationship(source=rel.source, target=rel.target, name=rel.name))
        return True

    def _role(self, name: str) -> str | None:
        wanted = _singular_pascal(name).lower()
        return next((r.name for r in self.spec.roles if r.name.lower() == wanted), None)

    def _planned_feature(self, name: str) -> str | None:
        wanted = name.lower()
        for feature in self.spec.features:
            if feature.name.lower() == wanted:
                return feature.name
        for wanted_feature in _features_in(name):
            same = [f for f in self.spec.features if f.category == wanted_feature.category]
            if len(same) == 1:
                return same[0].name
        return None

    # settings -----------------------------------------------------------------------------
    def _access(self, text: str) -> bool:
        """Who reads an entity: "make posts public", "anyone can browse the events"."""
        said = re.fullmatch(
            rf"(?:make|mark|set)\s+(.+?)\s+(?:as\s+)?({_ACCESS_WORDS})", text, re.I
        ) or re.fullmatch(
            rf"(.+?)\s+(?:is|are|should be|must be|becomes?|will be)\s+(?:now\s+)?"
            rf"({_ACCESS_WORDS})",
            text,
            re.I,
        )
        anyone = re.fullmatch(
            r"(?:let\s+)?(?:anyone|everyone|visitors|guests)\s+(?:can\s+|may\s+)?"
            r"(?:see|read|view|browse)\s+(.+?)(?:\s+without (?:an account|signing in|logging in))?",
            text,
            re.I,
        )
        if said:
            what, access = said.group(1), _ACCESS[" ".join(said.group(2).lower().split())]
        elif anyone:
            what, access = anyone.group(1), Access.PUBLIC
        else:
            return False
        entity = self.entity(what)
        if entity is None:
            return False  # a field's, perhaps: not about who reads
        if entity.access == access:
            self.notes.append(f"Already so: {entity.name} is read by {ACCESS_WORDS[access]}.")
            return True
        self.do(SetAccess(entity=entity.name, access=access))
        return True

    def _make(self, text: str) -> bool:
        match = re.fullmatch(
            rf"(?:make|mark|set)\s+(.+?)\s+(?:as\s+)?({_PROP_WORDS})"
            r"(?:\s+(?:on|for|in|of)\s+(.+))?",
            text,
            re.I,
        )
        if match:
            return self._set(match.group(1), match.group(2), match.group(3))
        command = re.fullmatch(r"(?:make|change|turn|convert|set)\s+(.+)", text, re.I)
        typed = _split_type(command.group(1)) if command else None
        return self._retype(*typed) if typed else False

    def _is(self, text: str) -> bool:
        match = re.fullmatch(
            r"(.+?)\s+(?:is|are|should be|must be|has to be|have to be|needs to be|need to be|"
            rf"becomes?|can be|will be)\s+(?:now\s+)?({_PROP_WORDS})(?:\s+(?:on|for|in)\s+(.+))?",
            text,
            re.I,
        )
        if match:
            return self._set(match.group(1), match.group(2), match.group(3))
        typed = re.fullmatch(
            r"(.+?)\s+(?:is|are|should be|must be|becomes?|can be)\s+(?:an?\s+)?(.+)", text, re.I
        )
        if typed and (_CHOICE_OF.search(f" {typed.group(2)}") or _type_word(typed.group(2))):
            return self._retype(typed.group(1), typed.group(2))
        values = re.fullmatch(
            r"(.+?)\s+(?:can be|is one of|is either|are one of)\s+(.+)", text, re.I
        )
        if values and len(_choices(values.group(2))) >= 2:
            return self._retype(values.group(1), f"one of {values.group(2)}")
        return False

    def _ref_on(self, what: str, owner: str | None) -> tuple[Entity, str]:
        if owner:
            return self._member(self.known(owner), _strip(what))
        ref = self.field_ref(what)
        if ref is None:
            raise self.fail(_unknown_thing(self.spec, _strip(what)))
        return ref

    def _set(self, what: str, prop: str, owner: str | None) -> bool:
        entity, name = self._ref_on(what, owner)
        changes = _PROPS[" ".join(prop.lower().split())]
        if entity.field(name) is None:
            link = next(r for r in self.spec.relationships_from(entity.name) if r.name == name)
            if "unique" in changes:
                raise self.fail(
                    f"{entity.name}.{name} is a link; to allow one {entity.name} per "
                    f"{link.target}, make the link one-to-one on the plan."
                )
            self.do(
                ChangeRelationship(
                    source=entity.name,
                    target=link.target,
                    name=name,
                    changes=RelationshipChanges(**changes),
                )
            )
            return True
        self.do(ChangeField(entity=entity.name, name=name, changes=FieldChanges(**changes)))
        return True

    def _retype(self, what: str, kind: str) -> bool:
        entity, name = self._ref_on(what, None)
        if entity.field(name) is None:
            raise self.fail(f"{entity.name}.{name} is a link, not a field: it has no type.")
        values = re.fullmatch(r"(?:choice|one)\s+(?:of|between|from)\s+(.+)", kind, re.I)
        if values:
            choices = _choices(values.group(1))
            changes = FieldChanges(
                type=FieldType.ENUM, choices=[Choice(value=c, label=c) for c in choices]
            )
        else:
            changes = FieldChanges(type=_type_word(kind))
        self.do(ChangeField(entity=entity.name, name=name, changes=changes))
        return True

    # adding -------------------------------------------------------------------------------
    def _add(self, text: str) -> bool:
        match = re.fullmatch(r"(?:add|create|include|introduce|insert|put|new)\s+(.+)", text, re.I)
        if not match:
            return False
        owners, items = self._owner_suffix(match.group(1))
        declared = _DECLARED.fullmatch(items)
        if declared and (declared.group(1)[:1].isupper() or not _names_value(declared.group(1))):
            return self._new_thing(declared.group(1), declared.group(2), owners)
        bare = _BARE_ENTITY.fullmatch(items)
        if bare:
            return self._new_thing(bare.group(1), "", owners)
        roles = _ROLES.fullmatch(items)
        if roles and not owners:
            for name in _items(roles.group(1) or roles.group(2)):
                self.do(AddRole(name=_singular_pascal(_strip(name))))
            return True
        return self._add_items(items, owners)

    def _owner_suffix(self, rest: str) -> tuple[list[Entity], str]:
        """ "a due date to tasks" -> ([Task], "a due date"); "to" naming no entity fails."""
        depth, cuts = 0, []
        for match in _OWNER_CUT.finditer(rest):
            if match.group(0) in "()":
                depth += 1 if match.group(0) == "(" else -1
            elif depth == 0:
                cuts.append(match)
        if not cuts:
            return [], rest
        last = cuts[-1]
        nouns = _items(rest[last.end() :])
        if not nouns or any(re.fullmatch(r"-?\d+(?:\.\d+)?", n) for n in nouns):
            return [], rest
        owners = [self.entity(noun) for noun in nouns]
        if all(owners):
            return [o for o in owners if o is not None], rest[: last.start()].strip()
        if last.group(1) in {"to", "into", "onto"} and not _features_in(rest):
            missing = next(n for n, o in zip(nouns, owners, strict=True) if o is None)
            raise self.fail(unknown_entity(self.spec, _strip(missing)))
        return [], rest

    def _give(self, text: str) -> bool:
        match = re.fullmatch(
            r"give\s+(?:each\s+|every\s+|all\s+|the\s+)?(.+?)\s+((?:an?|the|some|their|its|"
            r"more|many|several|multiple|one|optional|unique)\b.+)",
            text,
            re.I,
        )
        if not match:
            return False
        return self._add_items(match.group(2), [self.known(match.group(1))])

    def _add_items(self, items: str, owners: list[Entity]) -> bool:
        listed = _VALUES_AFTER_COLON.fullmatch(items)
        if listed and len(_choices(listed.group(2))) >= 2:  # "a status: open, done"
            items = f"{listed.group(1)} ({listed.group(2)})"
        if _is_feature_phrase(items):
            for feature in _features_in(items):
                self._add_feature(feature, owners)
            return True
        targets: list[Entity | None] = [*owners] or [None]
        for item in _items(items):
            for owner in targets:
                self._add_item(item, owner)
        return True

    def _add_item(self, item: str, owner: Entity | None) -> None:
        many = bool(_MANY.match(item))
        name = _strip(_MANY.sub("", item))
        if _is_feature_phrase(name):
            for feature in _features_in(name):
                self._add_feature(feature, [owner] if owner else [])
            return
        existing = None if _names_value(name) else self.entity(name)
        many = many or naming.is_plural(_last_word(name))
        if owner is None:
            if existing is not None:
                self.notes.append(f"{existing.name} is already part of the app.")
            elif _names_value(name):
                example = self.spec.entities[0].plural_label if self.spec.entities else "tasks"
                raise self.fail(f"say which entity gets '{name}', e.g. 'add {item} to {example}'.")
            else:
                self._new_thing(name, "", [])
        elif existing is not None:
            self._link_things(owner, existing, many=many)
        elif _names_thing(name):
            self._thing_for(owner, name, many=many)
        else:
            self._add_field(owner, item)

    def _thing_for(self, owner: Entity, name: str, *, many: bool) -> None:
        if naming.singularize(_last_word(name)) in hints.PERSON_NOUNS and not self.entity(name):
            kind = RelationKind.MANY_TO_MANY if many else RelationKind.MANY_TO_ONE
            self._person(owner, name, kind)
            return
        self._link_things(owner, self._ensure(name), many=many)

    def _person(self, owner: Entity, name: str, kind: RelationKind) -> None:
        """A link to the users who sign in, named after the person ("assignee", "members")."""
        link = naming.to_snake(_strip(name))
        if link in {r.name for r in self.spec.relationships_from(owner.name) if r.targets_user}:
            self.notes.append(f"Already so: {owner.name}.{link} links to users.")
            return
        self.do(
            AddRelationship(kind=kind, source=owner.name, target=USER, name=link),
            f"{owner.name}.{link} links to users: people who sign in are users, not an entity.",
        )

    def _link_things(self, owner: Entity, thing: Entity, *, many: bool) -> None:
        """ "add tags to posts" (shared: many-to-many), "add comments to posts" (each comment
        belongs to a post), "add a category to posts" (each post belongs to a category)."""
        shared = naming.to_snake(thing.name) in hints.SHARED_NOUNS
        if shared:
            self._relate(owner.name, thing.name, RelationKind.MANY_TO_MANY)
        elif many:
            self._relate(thing.name, owner.name, RelationKind.MANY_TO_ONE)
        else:
            self._relate(owner.name, thing.name, RelationKind.MANY_TO_ONE)

    def _ensure(self, name: str, fields: list[FieldSpec] | None = None) -> Entity:
        """The entity ``name`` names, added (with the lexicon's usual fields) if it is new."""
        found = self.entity(name)
        if found is not None:
            return found
        pascal = _singular_pascal(_strip(name))
        if not pascal:
            raise self.fail(f"'{name}' cannot name an entity.")
        kind = infer_type(naming.to_snake(pascal))
        if not fields and kind in {FieldType.FILE, FieldType.IMAGE}:  # an attachment, a photo
            fields = [FieldSpec(name=kind.value, type=kind)]
            self.notes.append(f"{pascal} keeps one {kind.value} each.")
        self.do(AddEntity(name=pascal, fields=fields or []))
        created = find_entity(self.spec, pascal)
        assert created is not None
        return created

    def _new_thing(self, name: str, described: str, owners: list[Entity]) -> bool:
        """A new entity with the fields described, each of them belonging to an owner."""
        name = _strip(name)
        if self.entity(name) is not None:
            raise self.fail(f"an entity named {self.known(name).name} already exists.")
        fields = [self._usual(f) for f in (self._field(i) for i in _items(described)) if f]
        thing = self._ensure(name, fields)
        for owner in owners:
            self._relate(thing.name, owner.name, RelationKind.MANY_TO_ONE)
        return True

    def _field(self, item: str) -> FieldSpec | None:
        """A field from one item: "an optional due date", "a rating from 1 to 5",
        "a status (open, in progress, done)"."""
        base, _, inner = item.partition("(")
        inner = inner.rsplit(")", 1)[0]
        called = _CALLED.search(base)
        base = _strip(called.group(1) if called else base)
        flags = [w for w in _CHOICE_SPLIT.split(inner.lower()) if w in _FLAGS]
        values = () if flags else tuple(_choices(inner))
        if "/" in base and not values:
            head, _, tail = base.rpartition(" ")
            base, values = head or tail, tuple(_choices(tail)) if head else ()
        words = [w.lower() for w in base.split() if w.lower() not in FILLER_WORDS]
        words += flags
        spec = ranged_field(words, values, base)
        if spec is None:
            self.unread.append(item)
        return spec

    def _usual(self, new: FieldSpec) -> FieldSpec:
        """A new field the words leave plain but whose values are well known: "a priority"."""
        usual = _USUAL_CHOICES.get(new.name)
        if usual is None or new.type != FieldType.STRING:
            return new
        labels, default = usual
        self.notes.append(
            f"{new.name} was read as a choice of {listing(labels)} (default {default}); "
            "change the choices on the plan if you need others."
        )
        choices = [Choice(value=v, label=v.capitalize()) for v in labels]
        return new.model_copy(
            update={"type": FieldType.ENUM, "choices": choices, "default": default}
        )

    def _add_field(self, owner: Entity, item: str) -> None:
        new = self._field(item)
        if new is None:
            return
        current = find_field(owner, new.name)
        self.last = (owner.name, new.name)
        if current is None:
            self.do(AddField(entity=owner.name, field=self._usual(new)))
            return
        # What the words say beyond the name changes the field; a plain reading keeps it.
        changes: dict[str, Any] = {}
        if new.type not in {FieldType.STRING, current.type}:
            changes["type"] = new.type
        if new.choices and new.choices != current.choices:
            changes["choices"] = new.choices
        for bound in ("min_value", "max_value"):
            if getattr(new, bound) not in {None, getattr(current, bound)}:
                changes[bound] = getattr(new, bound)
        if not changes:
            self.notes.append(f"{owner.name} already has {current.name}.")
            return
        op = ChangeField(entity=owner.name, name=current.name, changes=FieldChanges(**changes))
        self.do(op, f"{owner.name} already has {current.name}; {op.describe()}")

    def _add_feature(self, feature: Feature, owners: list[Entity]) -> None:
        planned = next((f for f in self.spec.features if f.category == feature.category), None)
        wanted = [o.name for o in owners]
        if planned is not None and all(name in planned.entities for name in wanted):
            self.notes.append(f"{planned.name} is already planned.")
            return
        name = feature.name
        if planned is not None:  # the same feature, for more entities
            name, wanted = planned.name, [*planned.entities, *wanted]
            self.do(RemoveFeature(name=name))
            self.notes.pop()
        self.do(
            AddFeature(
                name=name, category=feature.category, priority=feature.priority, entities=wanted
            )
        )

    # links --------------------------------------------------------------------------------
    def _relate(self, source: str, target: str, kind: RelationKind) -> None:
        """Make ``source`` -> ``target`` of ``kind``, turning a link the other way around."""
        links = self.spec.relationships
        same = next((r for r in links if r.source == source and r.target == target), None)
        back = next((r for r in links if r.source == target and r.target == source), None)
        current = same or back
        words = link_words(kind, source, target)
        if current is None:
            self.do(AddRelationship(kind=kind, source=source, target=target))
            return
        one = {RelationKind.MANY_TO_ONE, RelationKind.ONE_TO_ONE}
        if (current.kind == kind and (current is same or kind == RelationKind.MANY_TO_MANY)) or (
            current is same and {current.kind, kind} == one
        ):
            self.notes.append(f"Already so: {words}.")
            return
        reverse = current is back and kind != RelationKind.MANY_TO_MANY
        self._change_link(current, kind, reverse=reverse, words=words)

    def _change_link(
        self, rel: Relationship, kind: RelationKind, *, reverse: bool, words: str
    ) -> None:
        changes = RelationshipChanges(kind=kind) if kind != rel.kind else RelationshipChanges()
        was = link_words(rel.kind, rel.source, rel.target)
        self.do(
            ChangeRelationship(
                source=rel.source,
                target=rel.target,
                name=rel.name,
                changes=changes,
                reverse=reverse,
            ),
            f"The link was {'turned around' if reverse else 'changed'}: {words} (before: {was}).",
        )

    def _link(self, text: str) -> bool:
        assigned = re.fullmatch(
            r"(.+?)\s+(?:is|are|gets?|can be)\s+(?:re)?assigned\s+to\s+(.+)", text, re.I
        )
        if assigned and self.target(assigned.group(2)) == USER:  # "tasks are assigned to users"
            source = self.known(assigned.group(1))
            self._person(source, hints.USER_RELATION_BY_VERB["assign"], RelationKind.MANY_TO_ONE)
            return True
        match = re.fullmatch(
            r"(?:link|connect|associate|relate|attach)\s+(.+?)\s+(?:to|with)\s+(.+)", text, re.I
        ) or re.fullmatch(
            r"(.+?)\s+(?:is|are)\s+(?:linked|connected|related|attached|assigned)\s+(?:to|with)\s+(.+)",
            text,
            re.I,
        )
        many = re.fullmatch(
            r"(.+?)\s+and\s+(.+?)\s+are\s+(?:linked\s+)?many[- ]to[- ]many", text, re.I
        )
        if many:
            first, second = self.known(many.group(1)), self.known(many.group(2))
            self._relate(first.name, second.name, RelationKind.MANY_TO_MANY)
            return True
        if not match:
            return False
        source = self.known(match.group(1))
        target = self.target(match.group(2))
        if target is None:
            raise self.fail(unknown_entity(self.spec, _strip(match.group(2))))
        self._relate(source.name, target, RelationKind.MANY_TO_ONE)
        return True

    def _belongs(self, text: str) -> bool:
        match = re.fullmatch(
            r"(.+?)\s+(?:belongs?|belonging|is owned|are owned|is part|are part)\s+"
            r"(?:to|by|of)\s+(.+)",
            text,
            re.I,
        ) or re.fullmatch(r"(.+?)\s+(?:is|are)\s+(?:owned by|part of)\s+(.+)", text, re.I)
        if not match:
            return False
        many = bool(_MANY.match(match.group(2)))
        kind = RelationKind.MANY_TO_MANY if many else RelationKind.MANY_TO_ONE
        source = self._side(match.group(1))
        target = _strip(_ONE.sub("", _MANY.sub("", match.group(2))))
        person = naming.singularize(_last_word(target)) in hints.PERSON_NOUNS
        if person and self.target(target) is None:  # "a dog belongs to an owner": a user
            self._person(source, target, kind)
        else:
            self._relate(source.name, self._side(target).name, kind)
        return True

    def _side(self, name: str) -> Entity:
        """An end of a link the sentence names: an entity, or a new thing."""
        found = self.entity(name)
        if found is not None:
            return found
        if _names_value(name):
            raise self.fail(unknown_entity(self.spec, _strip(name)))
        return self._ensure(name)

    def _has(self, text: str) -> bool:
        match = re.fullmatch(
            r"(.+?)\s+(?:has|have|can have|may have|should have|must have|will have|owns?|"
            r"contains?|holds?|gets?|needs?|includes?|keeps?|stores?|tracks?)\s+(.+)",
            text,
            re.I,
        )
        if not match:
            return False
        owner = self.entity(match.group(1))
        if owner is None:
            if self.target(match.group(1)) == USER:
                return False  # "users have ..." is about people who sign in: not read here
            owner = self.known(match.group(1))
        rest = match.group(2)
        many = _MANY.match(rest)
        if many:
            self._thing_for(owner, _strip(rest[many.end() :]), many=True)
            return True
        one = _ONE.match(rest)
        if one and _items(rest) == [rest]:
            thing = rest[one.end() :]
            existing = self.entity(thing) if not _names_value(thing) else None
            if existing is not None:
                kind = (
                    RelationKind.ONE_TO_ONE
                    if re.match(r"(?:its|their) own|exactly one", rest, re.I)
                    else RelationKind.MANY_TO_ONE
                )
                self._relate(owner.name, existing.name, kind)
                return True
        self._add_items(rest, [owner])
        return True

    # people --------------------------------------------------------------------------------
    def _people_do(self, text: str) -> bool:
        match = re.fullmatch(
            r"(?:let|allow|enable)\s+(.+?)\s+(?:to\s+)?(\w+)\s+(.+)", text, re.I
        ) or re.fullmatch(
            r"(.+?)\s+(?:can|could|may|should be able to|will be able to|are able to)\s+"
            r"(\w+)\s+(.+)",
            text,
            re.I,
        )
        if not match:
            return False
        who, verb, rest = match.group(1), match.group(2).lower(), match.group(3)
        if verb in {"add", "create", "write", "post", "upload", "attach"}:
            return self._add(f"add {rest}")
        lemma = naming.singularize(verb) if verb.endswith("s") else verb
        rest = re.sub(r"^(?:on|to|for|in|up for|up to)\s+", "", rest, flags=re.I)
        if lemma in hints.TAGGING_VERBS:
            thing = self.known(rest)
            noun = "category" if lemma in {"categorize", "categorise", "classify"} else lemma
            other = self._ensure(noun, [FieldSpec(name="name", unique=True)])
            kind = RelationKind.MANY_TO_ONE if noun == "category" else RelationKind.MANY_TO_MANY
            self._relate(thing.name, other.name, kind)
            return True
        rule = hints.PARTICIPATION.get(lemma)
        if rule is None:
            return False
        thing = self.known(rest)
        noun, once = rule
        link_name = noun.replace("*", naming.to_snake(thing.name))
        person = self.target(who) or USER
        link = self._ensure(link_name)
        self._relate(link.name, thing.name, RelationKind.MANY_TO_ONE)
        self._relate(link.name, person, RelationKind.MANY_TO_ONE)
        if once:
            names = [
                r.name
                for r in self.spec.relationships_from(link.name)
                if r.target in {thing.name, person}
            ]
            self.do(
                AddUniqueTogether(entity=link.name, fields=names),
                f"One {link.label} per {listing(names)}.",
            )
        return True


def _names_value(name: str) -> bool:
    """Whether a phrase names a value rather than a thing ("a due date", "a status", "notes");
    many of something that is not a value are things ("comments", "attachments")."""
    base = name.split("(")[0]
    word = _last_word(base)
    last = naming.singularize(word)
    if not last:
        return False
    if "(" in name or RANGE.search(name) or any(w in _FLAGS for w in naming.ascii_words(base)):
        return True
    typed = infer_type(naming.to_snake(base)) != FieldType.STRING
    if naming.is_plural(word) and last not in hints.PLURAL_ATTRIBUTES and not typed:
        return False
    return typed or last in hints.ATTRIBUTE_NOUNS or last in hints.PLURAL_ATTRIBUTES


def _names_thing(name: str) -> bool:
    """A thing of its own: many of a non-value ("comments", "tags"), a person, a thing others
    file under ("a category"), or one the lexicon knows ("a comment")."""
    if _names_value(name):
        return False
    word = _last_word(name)
    singular = naming.singularize(word)
    return (
        naming.is_plural(word)
        or singular in _FILED_UNDER
        or singular in hints.PERSON_NOUNS
        or singular in DEFAULT_FIELDS
    )


def _features_in(text: str) -> list[Feature]:
    """The features the analyzer's feature rules find in ``text`` (not CRUD)."""
    found = feature_rules.detect([(text.lower(), set())], [])
    return [f for f in found if f.category != FeatureCategory.CRUD]


def _is_feature_phrase(text: str) -> bool:
    """ "search", "email reminders", "a dashboard": a short phrase about a feature."""
    words = naming.ascii_words(_strip(text))
    if not words or len(words) > 4 or not _features_in(text):
        return False
    return naming.singularize(words[-1]) in _FEATURE_HEADS or words[-1] in _FEATURE_HEADS


def _items(text: str) -> list[str]:
    """ "a title, a due date and a status (open, done)" -> three items (parentheses kept)."""
    items, depth, start = [], 0, 0
    position = 0
    while position < len(text):
        char = text[position]
        depth += (char == "(") - (char == ")")
        match = (
            _ITEM_SPLIT.match(text, position)
            if depth == 0 and (position == 0 or not text[position - 1].isalnum() or char in ",&")
            else None
        )
        if match and match.end() > position and position > start:
            items.append(text[start:position].strip())
            start = position = match.end()
            continue
        position += 1
    items.append(text[start:].strip())
    return [i for i in items if i and naming.ascii_words(i)]


def _choices(text: str) -> list[str]:
    return [c.strip() for c in _CHOICE_SPLIT.split(text) if c.strip() and naming.ascii_words(c)]


def _quoted(clause: str) -> str:
    return f"'{clause}'" if len(clause) <= 80 else f"'{clause[:77]}…'"


def _unknown_thing(spec: AppSpec, name: str) -> str:
    names = listing(e.name for e in spec.entities) or "no entities yet"
    return f"there is no entity or field '{name}' (the app has {names})."
