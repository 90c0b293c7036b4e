"""Decide the model from the evidence: which things are entities, which people are roles of
the built-in user, which links survive and in which direction, which validations the text
implies, and what to tell the person about everything else.

Rules, each small and tested on its own:
- a thing is an entity when the text stores it (it has fields or parts, is created, owned,
  listed or participated in); in a backlog of stories it must also recur across stories;
- a person who acts is a role of the built-in user; one who acts and has data of their own is
  an entity one-to-one with the user (a profile); one who never acts is a stored record;
- links keep the strongest direction; links to roles point at the user, named after the role;
- start/end pairs are ordered, counts are positive, "one correct X" is unique per owner;
- every domain noun that was not modelled is named in a warning, every reading choice in a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.engine import naming
from generator.engine.analysis import hints
from generator.engine.analysis.evidence import (
    MEDIUM,
    STRONG,
    USER_KEY,
    WEAK,
    Evidence,
    Link,
    Thing,
)
from generator.engine.analysis.fields import default_field
from generator.engine.analysis.lexicon import CURRENCY_UNITS, MEASURE_UNITS, TIME_UNITS
from generator.engine.analysis.nlp import known_nouns
from generator.engine.spec import (
    MAX_ENTITIES,
    MAX_FIELDS_PER_ENTITY,
    USER,
    FieldSpec,
    FieldType,
    RelationKind,
)

M2O, O2O, M2M = RelationKind.MANY_TO_ONE, RelationKind.ONE_TO_ONE, RelationKind.MANY_TO_MANY
MAX_WARNED_NOUNS = 8
PASSING_MENTIONS = 2  # mentions of a noun with no data and no link that stay out of the model
# Nouns that name a value in any phrasing; a table of them would hold one number or word.
_VALUE_WORDS = frozenset(
    "duration size capacity status distance height weight length width date time rate price "
    "cost amount count number total age quantity temperature speed score deadline severity "
    "priority urgency difficulty gender visibility sentiment seniority".split()
)
MAX_BACKLOG_ENTITIES = 15
# From this many user stories on, a text is a backlog: things must recur across stories. A
# handful of stories is read like prose.
BACKLOG_STORIES = 20
_ORDERED_TYPES = frozenset({FieldType.DATE, FieldType.DATETIME, FieldType.TIME, FieldType.INTEGER,
                            FieldType.DECIMAL, FieldType.FLOAT})  # fmt: skip
UNITS = (
    MEASURE_UNITS
    | CURRENCY_UNITS
    | TIME_UNITS
    | {"gram", "grams", "litre", "liter", "mhz", "khz", "ghz", "mph", "kph"}
) - {"currency"}
_ORDERED_PAIRS = (("start_date", "end_date"), ("start_time", "end_time"),
                  ("starts_at", "ends_at"), ("start", "end"), ("check_in", "check_out"),
                  ("opens_at", "closes_at"), ("start_datetime", "end_datetime"),
                  ("check_in_date", "check_out_date"), ("min", "max"))  # fmt: skip
# Modifiers that make a value of a thing's name: "a maximum reward", "the total cost".
_MEASURED = frozenset({"max", "maximum", "min", "minimum", "total", "average", "estimated"})
_PARTICLES = frozenset({"in", "up", "out", "off", "on", "over", "back", "through"})
_ROLE_KEYS_NOT_ROLES = frozenset({USER_KEY, "people", "person", "admin", "administrator"})


@dataclass
class Model:
    entities: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)  # key -> fields
    roles: list[str] = field(default_factory=list)  # keys
    links: list[Link] = field(default_factory=list)
    unique: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comparisons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    described: int = 0
    mentioned: int = 0  # domain nouns the text mentions
    modelled: int = 0  # of which the model covers


def decide(ev: Evidence) -> Model:
    model = Model()
    _split_compounds(ev)
    backlog = ev.stories >= BACKLOG_STORIES
    people = {k: t for k, t in ev.things.items() if t.person}
    belonging = {ln.source for ln in ev.links if ln.strength >= STRONG and ln.target != USER_KEY}
    for key in belonging & set(people):
        people[key].fields = people[key].fields or dict(default_field_map(key))
    roles = [k for k, t in people.items() if _is_role(t)]
    for key in roles:
        if key not in _ROLE_KEYS_NOT_ROLES:
            model.roles.append(key)
    kept = [t for t in ev.things.values() if _is_entity(t, backlog) and t.key not in roles
            and t.key not in ev.negated]  # fmt: skip
    for surface in ev.negated.values():
        model.notes.append(f"'{surface}' was left out: the text says the app does not need it.")
    if backlog:
        kept = _recurring(kept, ev.stories)
    kept += [ev.things[k] for k in roles if ev.things[k].fields and k not in {USER_KEY}]
    kept = _merge_heads(kept, ev)
    kept.sort(key=lambda t: t.order)
    if len(kept) > MAX_ENTITIES:
        model.warnings.append(f"Only the first {MAX_ENTITIES} entities were kept.")
        kept = kept[:MAX_ENTITIES]
    keys = {t.key for t in kept}
    for thing in kept:
        model.entities[thing.key] = dict(thing.fields)
    _resolve_pending(ev, model, keys, set(roles))
    _fields_naming_entities(model, keys)
    _links(ev, model, keys, set(roles))
    if any(k == "profile" or k.endswith("_profile") for k in keys) and not any(
        ln.kind == O2O and ln.target == USER_KEY for ln in model.links
    ):
        profile = next(k for k in keys if k == "profile" or k.endswith("_profile"))
        model.links.append(Link(O2O, profile, USER_KEY, "user", STRONG))
    for thing in kept:
        if thing.key in roles:
            model.links.append(Link(O2O, thing.key, USER_KEY, "user", STRONG))
            model.notes.append(f"'{thing.surface}' act in the app and have data of their own: "
                               f"{_pascal(thing.key)} is a profile, one per user.")  # fmt: skip
    _link_entities(ev, model, keys, set(roles))
    _implied_links(ev, model, keys)
    _drop_passing_mentions(ev, model)
    model.links = [ln for ln in model.links if ln.source in model.entities and
                   (ln.target in model.entities or ln.target == USER_KEY)]  # fmt: skip
    _validations(ev, model)
    _fill(model)
    _explain(ev, model, set(roles))
    return model


def assume_app_defaults(ev: Evidence) -> list[str]:
    """ "A blog where people sign up": the app's kind says what it stores (hints.APP_DEFAULTS).
    Returns the names assumed."""
    for thing in sorted(ev.things.values(), key=lambda t: t.order):
        words = thing.key.split("_")
        kind = next((w for w in reversed(words) if w in hints.APP_DEFAULTS), None)
        if thing.app and kind is not None:
            names = hints.APP_DEFAULTS[kind]
            for name in names:
                ev.note(name, MEDIUM)
            return [_pascal(n) for n in names]
    return []


def _split_compounds(ev: Evidence) -> None:
    """ "class sessions" where classes are things of their own: a Session of a class."""
    renames: dict[str, str] = {}
    for key, thing in list(ev.things.items()):
        parts = key.split("_")
        if len(parts) != 2 or thing.link is not None or parts[1] in hints.GENERIC_HEADS | \
                hints.TRACKING_HEADS | _PARTICLES:  # fmt: skip
            continue  # ("a clean-up" is one word, not an "up" of a clean)
        modifier = ev.things.get(parts[0])
        if modifier is None or modifier.strength < MEDIUM or modifier.app:
            continue
        renames[key] = parts[1]
    for old, new in renames.items():
        thing = ev.things.pop(old)
        into = ev.things.get(new)
        if into is None:
            thing.key = new
            ev.things[new] = thing
            continue
        into.strength = max(into.strength, thing.strength)
        into.mentions += thing.mentions
        into.order = min(into.order, thing.order)
        into.stories |= thing.stories
        for name, spec in thing.fields.items():
            into.fields.setdefault(name, spec)
    _rename(ev, renames)


def _rename(ev: Evidence, renames: dict[str, str]) -> None:
    """Links and pending references follow things merged into others."""
    for link in ev.links:
        link.source = renames.get(link.source, link.source)
        link.target = renames.get(link.target, link.target)
    for item in ev.pending:
        item.owner = renames.get(item.owner, item.owner)
        item.target = renames.get(item.target, item.target)


def default_field_map(key: str) -> dict[str, FieldSpec]:
    return {f.name: f for f in default_field(key)}


def _is_role(thing: Thing) -> bool:
    return thing.person and thing.acts and not thing.managed


def _is_entity(thing: Thing, backlog: bool) -> bool:
    head = thing.key.split("_")[-1]
    if thing.link is not None:
        return True
    if not _wordlike(thing.key):
        return False
    if thing.person and not thing.fields and not thing.managed and thing.strength < STRONG:
        return False  # "the harbour master", "an interviewer": named, not stored
    if head in hints.APP_ONLY_NOUNS and _many_sites(thing):
        return True
    if thing.key == USER_KEY or head in hints.FEATURE_NOUNS | hints.ABSTRACT_NOUNS | \
            hints.APP_ONLY_NOUNS:  # fmt: skip
        return bool(thing.fields) and head not in hints.APP_ONLY_NOUNS and thing.strength >= STRONG
    if (
        thing.app
        and thing.strength < STRONG
        and (thing.mentions < 1 or head in hints.APP_NOUNS | hints.APP_KIND_NOUNS)
    ):
        return False
    if head in hints.ATTRIBUTE_NOUNS and not thing.fields and thing.strength < STRONG:
        return False
    if thing.key in _VALUE_WORDS and not thing.fields and thing.link is None:
        return False  # "a duration in minutes", "the status": values, never tables
    if backlog:
        return (
            len(thing.stories) >= 2
            or bool(thing.fields)
            or (thing.strength >= STRONG and thing.mentions >= 2)
        )
    return thing.strength >= MEDIUM or bool(thing.fields)


# Words for the app that also name things an app keeps ("each tool has a brand").
_PLACES_AND_TOOLS = frozenset({"site", "tool"})


def _many_sites(thing: Thing) -> bool:
    """ "dive sites with a name and a depth", "each site has a name and a city": places the
    app keeps, not the app ("a site to share recipes")."""
    values = [f for f in thing.fields if f not in {"name", "title", "url", "link"}]
    if "_" in thing.key:
        return bool(thing.fields) and thing.key.split("_")[0] not in hints.APP_NOUNS
    return thing.key in _PLACES_AND_TOOLS and len(thing.fields) >= 2 and bool(values)


def _wordlike(key: str) -> bool:
    """Not a unit ("kg", "litre"), a letter, a number or a code ("entity1")."""
    parts = key.split("_")
    if any((len(p) < 3 and (i == 0 or p not in {"in", "up", "on"})) or not p.isalpha()
           for i, p in enumerate(parts)):  # fmt: skip
        return False  # but "check_in", "sign_up" are words
    return not any(p in UNITS for p in parts)


def _recurring(kept: list[Thing], stories: int) -> list[Thing]:
    """In a backlog, the things the stories keep coming back to, most recurrent first."""
    dictionary = known_nouns()
    floor = 2
    kept = [t for t in kept if (len(t.stories) >= floor or (t.fields and len(t.stories) >= 2))
            and not t.person and t.key != USER_KEY and (
                t.surface.islower() or t.key.split("_")[-1] in dictionary)]  # fmt: skip
    kept.sort(key=lambda t: (-len(t.stories), t.order))
    return kept[:MAX_BACKLOG_ENTITIES]


def _merge_heads(kept: list[Thing], ev: Evidence) -> list[Thing]:
    """ "order items" and "items" in one text are one thing: keep the longer name (and the
    links and pending references made to the shorter one)."""
    by_key = {t.key: t for t in kept}
    renames: dict[str, str] = {}
    for thing in list(kept):
        if "_" in thing.key:
            continue
        longer = [k for k in by_key if k.endswith(f"_{thing.key}") and by_key[k].link is None]
        if len(longer) == 1 and thing.link is None:
            into = by_key[longer[0]]
            for name, spec in thing.fields.items():
                into.fields.setdefault(name, spec)
            into.order = min(into.order, thing.order)
            kept.remove(thing)
            del by_key[thing.key]
            renames[thing.key] = into.key
    _rename(ev, renames)
    return kept


def _resolve_pending(ev: Evidence, model: Model, keys: set[str], roles: set[str]) -> None:
    for item in ev.pending:
        if item.owner not in model.entities:
            continue
        if item.field.name.split("_")[0] in _MEASURED:  # "a maximum reward" is a value
            model.entities[item.owner].setdefault(item.field.name, item.field)
        elif item.target in keys and item.target != item.owner:
            name = item.field.name if item.field.name != item.target else ""
            model.links.append(Link(M2O, item.owner, item.target, name, MEDIUM))
        elif item.target in roles or (ev.things[item.target].person and
                                      item.target not in keys):  # fmt: skip
            model.links.append(Link(M2O, item.owner, USER_KEY, item.field.name, MEDIUM))
        else:
            model.entities[item.owner].setdefault(item.field.name, item.field)


def _fields_naming_entities(model: Model, keys: set[str]) -> None:
    """ "rentals: member name, locker, from, to" where lockers are things, "ambulances: call
    sign, base station" where stations are: a text field that names another entity is a key
    to it."""
    for key, fields in model.entities.items():
        for name, spec in list(fields.items()):
            words = name.split("_")
            if spec.type != FieldType.STRING or len(words) > 2 or \
                    words[-1] in hints.ATTRIBUTE_NOUNS or words[0] in _MEASURED:  # fmt: skip
                continue
            target = next((k for k in sorted(keys) if k != key and k not in _VALUE_WORDS and
                           (name == k or name.endswith(f"_{k}") or k.endswith(f"_{name}"))),
                          None)  # fmt: skip
            if target is None:
                continue
            del fields[name]
            model.links.append(Link(M2O, key, target, "" if name == target else name, MEDIUM))


def _links(ev: Evidence, model: Model, keys: set[str], roles: set[str]) -> None:
    best: dict[tuple[str, str, str], Link] = {}
    for link in [*ev.links, *model.links]:
        source, target, name = link.source, link.target, link.name
        if target in keys:
            pass
        elif target in roles or target == USER_KEY or (target in ev.things and
                                                     ev.things[target].person and
                                                     target not in keys):  # fmt: skip
            if target != USER_KEY and not name:
                name = target
            target = USER_KEY
        if source not in keys or (target not in keys and target != USER_KEY):
            continue
        if source == target and link.kind != M2O:
            continue
        pair = (source, target, name if target == USER_KEY else "")
        if target == USER_KEY and link.strength < MEDIUM and (source, target, "") in best:
            continue
        found = best.get(pair)
        if found is None or link.strength > found.strength:
            best[pair] = Link(link.kind, source, target, name, link.strength)
    out: list[Link] = []
    for (source, target, _name), link in best.items():
        reverse = best.get((target, source, ""))
        if (
            reverse is not None
            and target != USER_KEY
            and (
                reverse.strength > link.strength
                or (reverse.strength == link.strength and (target, source) < (source, target))
            )
        ):
            continue
        if source == target:
            continue
        out.append(link)
    owner_named = {(ln.source) for ln in out if ln.target == USER_KEY and ln.name != "owner"}
    model.links = [ln for ln in out if not (ln.target == USER_KEY and ln.name == "owner" and
                                            ln.source in owner_named)]  # fmt: skip


def _link_entities(ev: Evidence, model: Model, keys: set[str], roles: set[str]) -> None:
    """Participation: a link entity with a key to the person and one to the thing."""
    for key in sorted(keys, key=lambda k: ev.things[k].order if k in ev.things else 0):
        thing = ev.things.get(key)
        if thing is None or thing.link is None:
            continue
        person, target, unique = thing.link
        if target not in keys:
            found = ev.things.get(target)
            if found is None or (not _is_entity(found, backlog=False) and found.strength < STRONG):
                model.entities.pop(key, None)  # "I'd like an app": nothing to link to
                continue
            model.entities.setdefault(target, {})
            keys.add(target)
        person_key = person if person in keys and person not in roles else USER_KEY
        person_name = person if person_key == USER_KEY and person not in {USER_KEY, ""} else ""
        person_name = person_name if person_name not in _ROLE_KEYS_NOT_ROLES else ""
        links = [ln for ln in model.links if ln.source == key]
        if not any(ln.target == target for ln in links):
            model.links.append(Link(M2O, key, target, "", STRONG))
        if not any(ln.target == person_key for ln in links):
            model.links.append(Link(M2O, key, person_key, person_name, STRONG))
        if unique:
            columns = [person_name or naming.to_snake(_pascal(person_key)), target]
            model.unique.setdefault(key, []).append({"fields": columns})
            who = naming.to_label(person or USER_KEY)
            model.notes.append(
                f"{_pascal(key)} links a {who} to a {naming.to_label(target)}, one per pair."
            )


def _implied_links(ev: Evidence, model: Model, keys: set[str]) -> None:
    """Links no sentence states but the names imply: an "invoice line" is a line of an
    invoice, and a review with nothing to review is of the thing the text is about."""

    def linked(a: str, b: str) -> bool:
        return any({ln.source, ln.target} == {a, b} for ln in model.links)

    for key in sorted(keys):
        parts = key.split("_")
        prefix = next(("_".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)
                       if "_".join(parts[:n]) in keys), None)  # fmt: skip
        if prefix is not None and not linked(key, prefix):
            model.links.append(Link(M2O, key, prefix, "", MEDIUM))
    for key in sorted(keys, key=lambda k: ev.things[k].order if k in ev.things else 0):
        if key.split("_")[-1] not in hints.INTERACTION_NOUNS or any(
                ln.source == key and ln.target in keys for ln in model.links):  # fmt: skip
            continue
        subjects = [k for k in keys if k != key and k in ev.things and not ev.things[k].person
                    and k.split("_")[-1] not in hints.INTERACTION_NOUNS]  # fmt: skip
        if subjects:
            about = max(subjects, key=lambda k: (ev.things[k].mentions, -ev.things[k].order))
            model.links.append(Link(M2O, key, about, "", WEAK))
            model.notes.append(
                f"Each {naming.to_label(key)} was taken to be about a "
                f"{naming.to_label(about)}; the text does not say what it is on."
            )


def _drop_passing_mentions(ev: Evidence, model: Model) -> None:
    """A noun named once or twice in passing, with nothing stored and tied to nothing ("a bag",
    "my sister"), is not a table: it is left out, and the warnings name it."""
    tied = {k for ln in model.links for k in (ln.source, ln.target)}
    for key in list(model.entities):
        thing = ev.things.get(key)
        if thing is None:
            continue
        kept = bool(thing.fields) or thing.listed or thing.managed
        kept = kept or thing.link is not None or key in tied or thing.mentions > PASSING_MENTIONS
        if kept or len(model.entities) < 2:
            continue
        del model.entities[key]


def _validations(ev: Evidence, model: Model) -> None:
    for key, fields in model.entities.items():
        for start, end in _ORDERED_PAIRS:
            if start in fields and end in fields and fields[start].type == fields[end].type and \
                    fields[start].type in _ORDERED_TYPES:  # fmt: skip
                model.comparisons.setdefault(key, []).append({
                    "field": end, "op": "gt" if start != "min" else "gte", "other": start,
                    "message": f"{naming.to_label(end).capitalize()} must be after "
                               f"{naming.to_label(start)}.",
                })  # fmt: skip
    for child, owner, flag in ev.one_true:
        if child not in model.entities:
            continue
        model.entities[child].setdefault(flag, FieldSpec(name=flag, type=FieldType.BOOLEAN,
                                                         default=False))  # fmt: skip
        column = next((ln.name or owner for ln in model.links
                       if ln.source == child and ln.target == owner), None)  # fmt: skip
        if column is not None:
            model.unique.setdefault(child, []).append({"fields": [column], "when_true": flag})
            model.notes.append(f"Only one {naming.to_label(child)} per {naming.to_label(owner)} "
                               f"can be marked {naming.to_label(flag[3:])}.")  # fmt: skip


def _fill(model: Model) -> None:
    assumed: list[str] = []
    for key, fields in model.entities.items():
        taken = {ln.name or ln.target for ln in model.links if ln.source == key}
        taken |= {naming.pluralize(name) for name in taken}
        kept = {n: f for n, f in fields.items() if n not in taken}
        if kept:
            model.described += 1
        else:
            kept = {f.name: f for f in default_field(key) if f.name not in taken}
            names = " and ".join(kept)
            assumed.append(f"{_pascal(key)} ({names})" if names else _pascal(key))
        model.entities[key] = dict(list(kept.items())[:MAX_FIELDS_PER_ENTITY])
    if assumed:
        model.notes.append(
            f"The text gives no values for {', '.join(assumed)}: these fields were assumed; "
            "say what to store to change them."
        )


def _explain(ev: Evidence, model: Model, roles: set[str]) -> None:
    for key in sorted(roles - _ROLE_KEYS_NOT_ROLES, key=lambda k: ev.things[k].order):
        if key not in model.entities:
            thing = ev.things[key]
            model.notes.append(f"'{thing.surface}' was read as a user role "
                               f"({_pascal(key)}), not a table.")  # fmt: skip
    dictionary = known_nouns()
    covered = set(model.entities) | roles | {USER_KEY}
    fields = {name for fields in model.entities.values() for name in fields}
    missed: list[Thing] = []
    mentioned = 0
    fields |= {naming.singularize(name) for name in fields}
    for thing in ev.things.values():
        head = thing.key.split("_")[-1]
        if thing.app or head in hints.ABSTRACT_NOUNS | hints.FEATURE_NOUNS | hints.APP_NOUNS:
            continue
        if head in hints.ATTRIBUTE_NOUNS and any(
            f == head or f.endswith(f"_{head}") for f in fields
        ):
            continue  # "date" is covered by "due_date"
        if head not in dictionary and thing.key not in covered:
            continue
        mentioned += 1
        if thing.key in covered or thing.key in fields or head in fields or \
                _covered_by(thing.key, covered):  # fmt: skip
            continue
        missed.append(thing)  # a person named but neither a role nor a record too
    model.mentioned = mentioned
    model.modelled = mentioned - len(missed)
    missed.sort(key=lambda t: (-t.mentions, t.order))
    for thing in missed[:MAX_WARNED_NOUNS]:
        model.warnings.append(
            f"'{thing.surface}' is mentioned but was not modelled; add it if the app stores it."
        )
    if len(missed) > MAX_WARNED_NOUNS:
        more = len(missed) - MAX_WARNED_NOUNS
        model.warnings.append(f"{more} more mentioned noun{'s' if more > 1 else ''} "
                              "were not modelled.")  # fmt: skip


def _covered_by(key: str, covered: Iterable[str]) -> bool:
    return any(c.endswith(f"_{key}") or key.endswith(f"_{c}") for c in covered)


def _pascal(key: str) -> str:
    return naming.to_pascal(key.replace("_", " "))


def relationship_data(model: Model) -> list[dict[str, Any]]:
    out = []
    for link in model.links:
        target = USER if link.target == USER_KEY else _pascal(link.target)
        name = link.name if link.name and link.name != naming.to_snake(target) else ""
        out.append({"kind": link.kind.value, "source": _pascal(link.source), "target": target,
                    "name": name})  # fmt: skip
    return out


def entity_data(model: Model) -> list[dict[str, Any]]:
    out = []
    for key, fields in model.entities.items():
        data: dict[str, Any] = {"name": _pascal(key),
                                "fields": [f.model_dump() for f in fields.values()]}  # fmt: skip
        if model.unique.get(key):
            data["unique_together"] = model.unique[key]
        if model.comparisons.get(key):
            data["comparisons"] = model.comparisons[key]
        out.append(data)
    return out


def role_data(model: Model) -> list[dict[str, Any]]:
    """Each role, with the entities the text says its members make ("instructors create
    courses", "students enroll": the enrollment is theirs), when another role exists to keep
    them from it."""
    out: list[dict[str, Any]] = []
    for key in model.roles:
        made = sorted(
            {
                ln.source
                for ln in model.links
                if ln.target == USER_KEY
                and ln.name == key
                and ln.kind == M2O
                and ln.source in model.entities
            }
        )
        role: dict[str, Any] = {"name": _pascal(key)}
        if made and len(model.roles) > 1:
            role["creates"] = [_pascal(k) for k in made]
        out.append(role)
    return out


def signals(model: Model, stories: int) -> list[float]:
    """What the confidence is computed from: coverage of the mentioned nouns, share of
    entities the text describes, share of entities linked, and whether it is a backlog."""
    if not model.entities:
        return [0.0, 0.0, 0.0, 0.0]
    coverage = model.modelled / model.mentioned if model.mentioned else 0.5
    described = model.described / len(model.entities)
    linked_keys = {ln.source for ln in model.links} | {ln.target for ln in model.links}
    linked = len(linked_keys & set(model.entities)) / len(model.entities)
    return [coverage, described, linked, 1.0 if stories >= BACKLOG_STORIES else 0.0]


# Fitted by least squares to the entity F1 of each development text (bench/analyzer_corpus.py
# --calibrate); how it tracks accuracy on the never-tuned holdout is reported in the README.
CALIBRATION = (0.322, 0.037, 0.127, -0.216, 0.424)


def confidence(model: Model, stories: int = 0) -> float:
    """The expected entity F1 of this reading, from signals() and the fitted weights."""
    if not model.entities:
        return 0.1
    *weights, bias = CALIBRATION
    score = bias + sum(w * s for w, s in zip(weights, signals(model, stories), strict=True))
    return round(min(max(score, 0.1), 0.95), 2)
