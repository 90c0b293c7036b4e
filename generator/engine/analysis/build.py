"""Turn the reader's findings into a valid AppSpec, with warnings and a confidence score.

Decides which candidates are entities, resolves singular has-list items into fields or links,
sends role words that only act to the built-in user, adds a Profile when the text describes the
user, removes duplicate and contradictory links, fills in default fields, features and pages.
Reading the text is the reader's job; cleaning names is the AppSpec's.
"""

from __future__ import annotations

from generator.engine import naming
from generator.engine.analysis import features, pages
from generator.engine.analysis import lexicon as lx
from generator.engine.analysis.entities import Findings, Kind, Link, classify
from generator.engine.analysis.fields import default_field
from generator.engine.spec import (
    MAX_ENTITIES,
    MAX_FIELDS_PER_ENTITY,
    USER,
    AppSpec,
    Entity,
    FeatureCategory,
    FieldSpec,
    RelationKind,
    Relationship,
    SpecError,
)

NO_ENTITIES_WARNING = (
    "No entities were recognised; describe the things your app stores, "
    "e.g. 'A task has a title and a due date'."
)
PROFILE = "Profile"


def build(findings: Findings, *, name: str, description: str) -> AppSpec:
    warnings: list[str] = []
    accepted = findings.accepted()
    if len(accepted) > MAX_ENTITIES:
        warnings.append(f"Only the first {MAX_ENTITIES} entities were kept.")
        accepted = accepted[:MAX_ENTITIES]
    fields = {n: dict(findings.candidates[n].fields) for n in accepted}
    for old, new in findings.renamed.items():
        for key, spec in findings.candidates[old].fields.items():
            fields[new].setdefault(key, spec)
    links = _resolve_pending(findings, accepted, fields)
    profile = {k: v for k, v in findings.profile_fields.items()
               if k not in lx.BUILTIN_USER_FIELDS}  # fmt: skip
    if profile:
        if PROFILE not in accepted:
            accepted.append(PROFILE)
            fields[PROFILE] = {}
        for key, spec in profile.items():
            fields[PROFILE].setdefault(key, spec)
    if PROFILE in accepted:
        links.append(Link(RelationKind.ONE_TO_ONE, PROFILE, USER, "user"))
    relationships = _relationships(findings, accepted, links)
    entities = [_entity(n, fields[n], relationships) for n in accepted]
    if not entities:
        warnings.append(NO_ENTITIES_WARNING)
    found = features.detect(findings.clause_mentions, accepted)
    uses_user = any(r.target == USER for r in relationships)
    if uses_user and not any(f.category == FeatureCategory.AUTHENTICATION for f in found):
        found.insert(0, _auth_feature())
    has = {f.category for f in found}
    plan = pages.plan(entities, authentication=FeatureCategory.AUTHENTICATION in has,
                      analytics=FeatureCategory.ANALYTICS in has)  # fmt: skip
    described = sum(1 for e in entities if findings.candidates.get(e.name) and
                    findings.candidates[e.name].fields)  # fmt: skip
    data = {
        "name": name,
        "description": description,
        "entities": [e.model_dump() for e in entities],
        "relationships": [r.model_dump() for r in relationships],
        "features": [f.model_dump() for f in found],
        "pages": [p.model_dump() for p in plan],
        "warnings": warnings,
        "confidence": _confidence(len(entities), described, len(relationships)),
    }
    try:
        return AppSpec.from_data(data)
    except SpecError as exc:  # a rule produced something the spec refuses: keep going, smaller
        return AppSpec(name=name, description=description, confidence=0.1,
                       warnings=[*warnings, f"The analysis was simplified: {exc}"])  # fmt: skip


def _resolve_pending(findings: Findings, accepted: list[str],
                     fields: dict[str, dict[str, FieldSpec]]) -> list[Link]:  # fmt: skip
    links = [_renamed(findings, link) for link in findings.links]
    for item in findings.pending:
        owner = findings.renamed.get(item.owner, item.owner)
        target = findings.renamed.get(item.noun.name, item.noun.name)
        if owner not in fields:
            continue
        head = naming.to_pascal(item.noun.head)
        if target not in accepted and head in accepted and head != owner:
            target = head  # "a home team and an away team": two links to Team
        if target in accepted and target != owner:
            name = item.field.name if item.field.name != naming.to_snake(target) else ""
            links.append(Link(RelationKind.MANY_TO_ONE, owner, target, name))
        elif item.noun.kind == Kind.ROLE:
            links.append(Link(RelationKind.MANY_TO_ONE, owner, USER, item.field.name))
        else:
            continue
        fields[owner].pop(item.field.name, None)
    return links


def _renamed(findings: Findings, link: Link) -> Link:
    source = findings.renamed.get(link.source, link.source)
    target = findings.renamed.get(link.target, link.target)
    return Link(link.kind, source, target, link.name, link.weak)


def _relationships(
    findings: Findings, accepted: list[str], links: list[Link]
) -> list[Relationship]:
    known = set(accepted)
    seen: set[tuple[str, str]] = set()
    seen_names: set[tuple[str, str]] = set()
    out: list[Relationship] = []
    for link in links:
        source = link.source
        redirected, name = _redirect(findings, known, link.target, link.name)
        if source not in known or redirected is None or (link.weak and redirected == USER):
            continue
        target = redirected
        pair = (source, f"{target}:{name}" if name else target)  # "home_team", "away_team"
        if target == USER:
            pair = (source, f"{USER}:{name or 'owner'}")
        if pair in seen or (target, source) in seen or ((source, name) in seen_names and name):
            continue
        seen.add(pair)
        seen_names.add((source, name))
        out.append(Relationship(kind=link.kind, source=source, target=target, name=name))
    return out


def _redirect(
    findings: Findings, known: set[str], target: str, name: str
) -> tuple[str | None, str]:
    if target == USER or target in known:
        return target, name
    noun = classify(naming.to_label(target).split())
    if noun is not None and noun.kind == Kind.ROLE:
        return USER, name or naming.to_snake(target)
    return None, name


def _entity(name: str, fields: dict[str, FieldSpec], relationships: list[Relationship]) -> Entity:
    taken = {r.name or naming.to_snake(r.target) for r in relationships if r.source == name}
    taken |= {naming.to_snake(r.target) for r in relationships if r.source == name}
    kept = [f for f in fields.values() if naming.singularize(f.name) not in taken and
            f.name not in taken][:MAX_FIELDS_PER_ENTITY]  # fmt: skip
    if not kept:
        kept = [f for f in default_field(naming.to_snake(name)) if f.name not in taken]
    return Entity(name=name, fields=kept)


def _auth_feature() -> features.Feature:
    return features.Feature(
        name="User authentication",
        category=FeatureCategory.AUTHENTICATION,
        description="Sign up, log in and log out; records belong to their users.",
        priority=features.Priority.HIGH,
    )


def _confidence(entities: int, described: int, relationships: int) -> float:
    if entities == 0:
        return 0.1
    score = 0.35 + 0.1 * min(entities, 3) + 0.25 * (described / entities)
    score += 0.1 if relationships else 0.0
    return round(min(score, 0.95), 2)
