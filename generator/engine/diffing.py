"""What changed between two versions: their specs, in words, and their files, as unified diffs.

:func:`spec_diff` compares two AppSpecs and answers ``{"added": [...], "removed": [...],
"changed": [...]}``. Each item is ``{"kind", "name", "summary", "before", "after"}``: ``kind`` is
"entity", "field", "relationship", "rule", "role" or "feature"; ``name`` says which one
("Task.due_date", "Dog.client", "Booking: end_date after start_date"); ``summary`` is a sentence
for a person; ``before``/``after`` are the item's data (None on the side where it does not
exist; for a changed item, only the properties that changed, which ``properties`` lists). The
renames a change made (see versions.Renames) are read as renames, so "Client renamed to
Customer" is one changed entity, not a removal and an addition; a link that now goes the other
way is one changed relationship. What follows from a rename alone (a derived label or reverse
accessor) is not reported. The fields and rules of an added or removed entity go with it and are
not listed apart. Lists are in a fixed order: by kind, then name.

:func:`file_diff` compares two versions' files (path -> text) with difflib: one entry per added,
removed or modified file, sorted by path, with its line counts and unified diff; a file that
looks binary, or is too large to diff, is summarised in a sentence instead (``summarised``).
:func:`diff_counts` totals them.

Storing versions and finding their files is the services' job; this module only compares.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from generator.engine import naming
from generator.engine.editing import link_words, listing, rule_words
from generator.engine.spec import (
    ACCESS_WORDS,
    AppSpec,
    Comparison,
    Entity,
    Feature,
    FieldSpec,
    Relationship,
    Role,
    UniqueTogether,
)
from generator.engine.versions import Renames

KINDS = ("entity", "field", "relationship", "rule", "role", "feature")
MAX_DIFF_LINES = 10_000  # per side; a longer file is counted, not diffed
MAX_DIFF_CHARS = 1_000_000

Item = dict[str, Any]


def _item(kind: str, name: str, summary: str, before: Any, after: Any, **extra: Any) -> Item:
    return {
        "kind": kind,
        "name": name,
        "summary": summary,
        "before": before,
        "after": after,
        **extra,
    }


def _sorted(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (KINDS.index(i["kind"]), i["name"].lower(), i["name"]))


class _Diff:
    def __init__(self, old: AppSpec, new: AppSpec, renames: Renames) -> None:
        self.old, self.new, self.renames = old, new, renames
        self.added: list[Item] = []
        self.removed: list[Item] = []
        self.changed: list[Item] = []

    def result(self) -> dict[str, list[Item]]:
        return {
            "added": _sorted(self.added),
            "removed": _sorted(self.removed),
            "changed": _sorted(self.changed),
        }

    # entities and what they hold -----------------------------------------------------------
    def entity_now(self, name: str) -> str:
        """The name entity ``name`` of the old spec has in the new one (itself if not renamed)."""
        renamed = self.renames.entities.get(name, name)
        return renamed if self.new.entity(renamed) is not None else name

    def member_now(self, entity: str, name: str) -> str:
        """The new name of a field or link of old entity ``entity``."""
        return self.renames.fields.get(self.entity_now(entity), {}).get(name, name)

    def entities(self) -> None:
        matched: set[str] = set()
        for entity in self.old.entities:
            now = self.new.entity(self.entity_now(entity.name))
            if now is None:
                self.removed.append(
                    _item(
                        "entity",
                        entity.name,
                        f"Removed {_entity_words(entity)}.",
                        _dump(entity),
                        None,
                    )
                )
                continue
            matched.add(now.name)
            self.entity_changes(entity, now)
            self.fields(entity, now)
            self.rules(entity, now)
        for entity in self.new.entities:
            if entity.name not in matched:
                self.added.append(
                    _item(
                        "entity",
                        entity.name,
                        f"Added {_entity_words(entity)}.",
                        None,
                        _dump(entity),
                    )
                )

    def entity_changes(self, old: Entity, new: Entity) -> None:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        words = []
        if old.name != new.name:
            before["name"], after["name"] = old.name, new.name
            words.append(f"{old.name} renamed to {new.name}")
        if old.description != new.description:
            before["description"], after["description"] = old.description, new.description
            words.append(f"{new.name}'s description changed")
        display = self.member_now(old.name, old.display_field or "")
        if (display or None) != new.display_field:
            before["display_field"], after["display_field"] = old.display_field, new.display_field
            words.append(f"{new.name} is shown by its {new.display_field or 'number'}")
        if old.access != new.access:
            before["access"], after["access"] = old.access.value, new.access.value
            words.append(f"{new.name} is read by {ACCESS_WORDS[new.access]}")
        if words:
            summary = "; ".join(words)
            self.changed.append(
                _item(
                    "entity",
                    new.name,
                    f"{summary[:1].upper()}{summary[1:]}.",
                    before,
                    after,
                    properties=list(after),
                )
            )

    def fields(self, old: Entity, new: Entity) -> None:
        matched: set[str] = set()
        for field in old.fields:
            now = new.field(self.member_now(old.name, field.name))
            if now is None:
                self.removed.append(
                    _item(
                        "field",
                        f"{new.name}.{field.name}",
                        f"Removed {new.name}.{field.name} ({_type_words(field)}).",
                        _dump(field),
                        None,
                    )
                )
                continue
            matched.add(now.name)
            self.field_changes(new, field, now)
        for field in new.fields:
            if field.name not in matched:
                self.added.append(
                    _item(
                        "field",
                        f"{new.name}.{field.name}",
                        f"Added {new.name}.{field.name} ({_type_words(field)}).",
                        None,
                        _dump(field),
                    )
                )

    def field_changes(self, entity: Entity, old: FieldSpec, new: FieldSpec) -> None:
        before, after = _dump(old), _dump(new)
        if old.label == naming.to_label(old.name) and new.label == naming.to_label(new.name):
            before.pop("label"), after.pop("label")  # labels that follow the name
        properties = [k for k in after if before.get(k) != after[k]]
        if not properties:
            return
        name = f"{entity.name}.{new.name}"
        words = [f"{entity.name}.{old.name} renamed to {new.name}"] if "name" in properties else []
        words += [_property_words(k, before, after) for k in properties if k != "name"]
        summary = words[0] if "name" in properties else f"{name}: {words[0]}"
        summary = "; ".join([summary, *words[1:]])
        self.changed.append(
            _item(
                "field",
                name,
                f"{summary}.",
                {k: before[k] for k in properties},
                {k: after[k] for k in properties},
                properties=properties,
            )
        )

    def rules(self, old: Entity, new: Entity) -> None:
        def comparison_key(rule: Comparison, rename: bool) -> tuple[Any, ...]:
            big, small = rule.big, rule.small
            if rename:
                big, small = self.member_now(old.name, big), self.member_now(old.name, small)
            return ("comparison", big, small, rule.strict)

        def unique_key(rule: UniqueTogether, rename: bool) -> tuple[Any, ...]:
            names = [self.member_now(old.name, n) if rename else n for n in rule.fields]
            when = rule.when_true
            if rename and when:
                when = self.member_now(old.name, when)
            return ("unique", frozenset(names), when)

        before = {comparison_key(r, True): r for r in old.comparisons}
        before |= {unique_key(r, True): r for r in old.unique_together}
        after = {comparison_key(r, False): r for r in new.comparisons}
        after |= {unique_key(r, False): r for r in new.unique_together}
        for key, rule in before.items():
            if key not in after:
                words = f"{new.name}: {rule_words(rule, old)}"
                self.removed.append(
                    _item("rule", words, f"Removed the rule {words}.", _dump(rule), None)
                )
        for key, rule in after.items():
            if key not in before:
                words = f"{new.name}: {rule_words(rule, new)}"
                self.added.append(
                    _item("rule", words, f"Added the rule {words}.", None, _dump(rule))
                )

    # relationships ------------------------------------------------------------------------
    def relationships(self) -> None:
        def key_then(rel: Relationship) -> tuple[str, str, str]:
            source = self.entity_now(rel.source)
            return source, self.entity_now(rel.target), self.member_now(rel.source, rel.name)

        old = {key_then(r): r for r in self.old.relationships}
        new = {(r.source, r.target, r.name): r for r in self.new.relationships}
        pairs = [(old.pop(key), new.pop(key)) for key in [k for k in old if k in new]]
        # The same ends under another name ("tag" became "tags"), then the ends swapped.
        for swap in (False, True):
            for key in list(old):
                ends = (key[1], key[0]) if swap else key[:2]
                olds = [k for k in old if k[:2] == key[:2]]
                news = [k for k in new if k[:2] == ends]
                if len(olds) == 1 and len(news) == 1:
                    pairs.append((old.pop(key), new.pop(news[0])))
        for before, after in pairs:
            self.relationship_changes(before, after)
        for rel in old.values():
            self.removed.append(
                _item(
                    "relationship",
                    f"{rel.source}.{rel.name}",
                    f"Removed the link: {link_words(rel.kind, rel.source, rel.target)}.",
                    _dump(rel),
                    None,
                )
            )
        for rel in new.values():
            self.added.append(
                _item(
                    "relationship",
                    f"{rel.source}.{rel.name}",
                    f"Added a link: {link_words(rel.kind, rel.source, rel.target)}.",
                    None,
                    _dump(rel),
                )
            )

    def relationship_changes(self, old: Relationship, new: Relationship) -> None:
        before, after = _dump(old), _dump(new)
        del before["related_name"], after["related_name"]  # the reverse accessor is derived
        before["source"], before["target"] = (
            self.entity_now(old.source),
            self.entity_now(old.target),
        )
        before["name"] = self.member_now(old.source, old.name)  # renames are not changes
        properties = [k for k in after if before[k] != after[k]]
        if not properties:
            return
        name = f"{new.source}.{new.name}"
        words = link_words(new.kind, new.source, new.target)
        settings = [k for k in properties if k in {"required", "on_delete", "description"}]
        if "source" in properties:
            summary = f"The link between {new.source} and {new.target} turned around: {words}"
        elif "kind" in properties:
            summary = f"{name} changed: {words}"
        elif "name" in properties:
            summary = f"{old.source}.{old.name} renamed to {new.name}"
        else:
            summary, settings = (
                f"{name}: {_property_words(settings[0], before, after)}",
                settings[1:],
            )
        summary = "; ".join([summary, *(_property_words(k, before, after) for k in settings)])
        self.changed.append(
            _item(
                "relationship",
                name,
                f"{summary}.",
                {k: _raw(old, k) for k in properties},
                {k: after[k] for k in properties},
                properties=properties,
            )
        )

    # roles and features ----------------------------------------------------------------------
    def roles(self) -> None:
        old = {r.name.lower(): r for r in self.old.roles}
        new = {r.name.lower(): r for r in self.new.roles}
        for key, role in old.items():
            if key not in new:
                self.removed.append(
                    _item("role", role.name, f"Removed the role {role.name}.", _dump(role), None)
                )
            else:
                self.role_changes(role, new[key])
        for key, role in new.items():
            if key not in old:
                self.added.append(
                    _item("role", role.name, f"Added the role {role.name}.", None, _dump(role))
                )

    def role_changes(self, old: Role, new: Role) -> None:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        words = []
        if old.description != new.description:
            before["description"], after["description"] = old.description, new.description
            words.append(f"The role {new.name} has a new description")
        manages = None if old.manages is None else [self.entity_now(e) for e in old.manages]
        if manages != new.manages:
            before["manages"], after["manages"] = old.manages, new.manages
            managed = "all shared data" if new.manages is None else listing(new.manages) or "none"
            words.append(f"The role {new.name} manages {managed}")
        if words:
            self.changed.append(
                _item(
                    "role", new.name, "; ".join(words) + ".", before, after, properties=list(after)
                )
            )

    def features(self) -> None:
        old = list(self.old.features)
        new = list(self.new.features)
        pairs: list[tuple[Feature, Feature]] = []
        for match_name in (True, False):  # by name, then the one feature of a kind on each side
            for feature in list(old):
                same = [
                    f
                    for f in new
                    if f.category == feature.category
                    and (not match_name or f.name.lower() == feature.name.lower())
                ]
                alone = sum(1 for f in old if f.category == feature.category) == 1
                if len(same) == 1 and (match_name or alone):
                    pairs.append((feature, same[0]))
                    old.remove(feature)
                    new.remove(same[0])
        for before, after in pairs:
            self.feature_changes(before, after)
        for feature in old:
            self.removed.append(
                _item(
                    "feature",
                    feature.name,
                    f"Removed the feature {feature.name}.",
                    _dump(feature),
                    None,
                )
            )
        for feature in new:
            self.added.append(
                _item(
                    "feature",
                    feature.name,
                    f"Added the feature {feature.name}{_for_entities(feature.entities)}.",
                    None,
                    _dump(feature),
                )
            )

    def feature_changes(self, old: Feature, new: Feature) -> None:
        before, after = _dump(old), _dump(new)
        before["entities"] = [self.entity_now(e) for e in old.entities]
        properties = [k for k in after if before.get(k) != after[k]]
        if not properties:
            return
        words = []
        if "name" in properties:
            words.append(f"{old.name} renamed to {new.name}")
        if "entities" in properties:
            gained = [e for e in new.entities if e not in before["entities"]]
            lost = [e for e in before["entities"] if e not in new.entities]
            words += [f"now for {listing(gained)}"] if gained else []
            words += [f"no longer for {listing(lost)}"] if lost else []
        words += [
            _property_words(k, before, after) for k in properties if k not in {"name", "entities"}
        ]
        self.changed.append(
            _item(
                "feature",
                new.name,
                f"{new.name}: {'; '.join(words)}.",
                {k: _raw(old, k) for k in properties},
                {k: after[k] for k in properties},
                properties=properties,
            )
        )


def spec_diff(old: AppSpec, new: AppSpec, renames: Renames | None = None) -> dict[str, Any]:
    """What changed from ``old`` to ``new``; ``renames`` maps old names to new ones."""
    diff = _Diff(old, new, renames or Renames())
    diff.entities()
    diff.relationships()
    diff.roles()
    diff.features()
    return diff.result()


def _dump(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json")
    return data


def _raw(model: Any, key: str) -> Any:
    return _dump(model)[key]


def _entity_words(entity: Entity) -> str:
    fields = listing(f.name for f in entity.fields)
    return f"{entity.name} with {fields}" if fields else entity.name


def _type_words(field: FieldSpec) -> str:
    words = [field.type.value]
    if field.choices:
        words.append(f"one of {listing(c.value for c in field.choices)}")
    if not field.required:
        words.append("optional")
    if field.unique:
        words.append("unique")
    return ", ".join(words)


def _for_entities(entities: Iterable[str]) -> str:
    names = list(entities)
    return f" for {listing(names)}" if names else ""


def _property_words(key: str, before_data: dict[str, Any], after_data: dict[str, Any]) -> str:
    before, after = before_data[key], after_data[key]
    if key == "required":
        return "now required" if after else "now optional"
    if key == "unique":
        return "now unique" if after else "no longer unique"
    if key == "choices":
        return f"choices {listing(c['value'] for c in after) or 'none'}"
    return f"{key.replace('_', ' ')} {_shown(before)} → {_shown(after)}"


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "none"
    return str(value)


# --- files -----------------------------------------------------------------------------------


def file_diff(
    old: dict[str, str], new: dict[str, str], *, context: int = 3
) -> list[dict[str, Any]]:
    """One entry per file that differs, sorted by path (see the module's text)."""
    out = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "modified"
        out.append(_one_file(path, status, before or "", after or "", context))
    return out


def _one_file(path: str, status: str, before: str, after: str, context: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path, "status": status, "additions": 0, "deletions": 0}
    if _binary(before) or _binary(after):
        return {**entry, "diff": f"Binary files a/{path} and b/{path} differ\n", "summarised": True}
    old_lines, new_lines = _lines(before), _lines(after)
    if (
        max(len(old_lines), len(new_lines)) > MAX_DIFF_LINES
        or len(before) + len(after) > MAX_DIFF_CHARS
    ):
        added = sum((Counter(new_lines) - Counter(old_lines)).values())
        removed = sum((Counter(old_lines) - Counter(new_lines)).values())
        longest = max(len(old_lines), len(new_lines))
        note = f"{path} is too large to show ({longest:,} lines): +{added} -{removed}\n"
        return {**entry, "additions": added, "deletions": removed, "diff": note, "summarised": True}
    lines = list(
        difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile="/dev/null" if status == "added" else f"a/{path}",
            tofile="/dev/null" if status == "removed" else f"b/{path}",
            n=context,
        )
    )
    body = lines[2:]
    entry["additions"] = sum(1 for line in body if line.startswith("+"))
    entry["deletions"] = sum(1 for line in body if line.startswith("-"))
    return {**entry, "diff": "".join(lines), "summarised": False}


def _lines(text: str) -> list[str]:
    """Lines with their endings; a last line without one says so, as git does."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _binary(text: str) -> bool:
    sample = text[:8000]
    if "\x00" in sample:
        return True
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\b")
    return bool(sample) and control * 10 > len(sample)


def diff_counts(files: list[dict[str, Any]]) -> dict[str, int]:
    """Totals of a file_diff: how many files, lines added and lines removed."""
    return {
        "files": len(files),
        "additions": sum(f["additions"] for f in files),
        "deletions": sum(f["deletions"] for f in files),
    }


def data_loss(diff: dict[str, Any]) -> list[str]:
    """What a database migrated across ``diff`` (a :func:`spec_diff`) loses, in words.

    Removed entities lose their rows, removed fields and links their values, a link turned
    around or of another kind its stored links; a field of another type keeps only values the
    new type can hold (a value that cannot be converted stops the migration).
    """
    lost: list[str] = []
    for item in diff.get("removed", []):
        name = item["name"]
        if item["kind"] == "entity":
            lost.append(f"Every stored {name} is deleted with its table.")
        elif item["kind"] == "field":
            lost.append(f"The stored values of {name} are deleted.")
        elif item["kind"] == "relationship":
            lost.append(f"The stored links of {name} are deleted.")
    for item in diff.get("changed", []):
        changed = set(item.get("properties", []))
        if item["kind"] == "relationship" and changed & {"source", "target", "kind"}:
            lost.append(f"The stored links of {name_of(item)} are deleted: the link changes shape.")
        elif item["kind"] == "field" and "type" in changed:
            before, after = item["before"]["type"], item["after"]["type"]
            lost.append(
                f"{item['name']} changes from {before} to {after}: stored values are converted, "
                "and one that cannot be stops the migration."
            )
    return lost


def name_of(item: dict[str, Any]) -> str:
    """A changed link by its old ends ("Task.project"), as people saw it before the change."""
    before = item.get("before") or {}
    if before.get("source") and before.get("name"):
        return f"{before['source']}.{before['name']}"
    return str(item["name"])
