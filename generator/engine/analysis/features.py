"""Features the text asks for, found from verbs and keywords, with the entities they touch.

A feature is recognised when a clause mentions one of its keywords; the entities recognised in
that same clause are the ones it touches. CRUD over every entity is always present when there
are entities. Priorities are fixed by category. Entities themselves are found elsewhere.
"""

from __future__ import annotations

import re

from generator.engine.spec import Feature, FeatureCategory, Priority

C = FeatureCategory
_RULES: tuple[tuple[FeatureCategory, str, str], ...] = (
    (C.AUTHENTICATION, "User authentication",
     r"\b(register|registration|login|logout|signup|signin|accounts?|authenticat\w*|passwords?)\b"),
    (C.AUTHORIZATION, "Roles and permissions",
     r"\b(roles?|permissions?|admins? only|only (the )?admins?|access control|role-based|"
     r"moderators?|private|restricted)\b"),
    (C.SEARCH, "Search", r"\bsearch\w*\b"),
    (C.FILTERING, "Filtering", r"\bfilter\w*\b"),
    (C.SORTING, "Sorting", r"\b(sort\w*|order(ed)? by|rank(ed|ing)? by)\b"),
    (C.PAGINATION, "Pagination", r"\b(paginat\w*|pages of|per page|infinite scroll)\b"),
    (C.NOTIFICATIONS, "Notifications",
     r"\b(notif\w*|email alerts?|alerts?|remind\w*|reminders?)\b"),
    (C.REALTIME, "Real-time updates", r"\b(realtime|real-time|live|chat\w*|instant(ly)?)\b"),
    (C.FILE_UPLOAD, "File upload", r"\b(upload\w*|attach\w*)\b"),
    (C.REPORTING, "Reports and export", r"\b(reports?|reporting|export\w*|csv|pdf|print\w*)\b"),
    (C.ANALYTICS, "Analytics dashboard",
     r"\b(analytics|dashboards?|charts?|stats|statistics|graphs?|metrics|insights?)\b"),
)  # fmt: skip
_HIGH = frozenset({C.AUTHENTICATION, C.CRUD, C.AUTHORIZATION})
_ENTITY_FREE = frozenset({C.AUTHENTICATION, C.AUTHORIZATION, C.NOTIFICATIONS, C.REALTIME})


def detect(clauses: list[tuple[str, set[str]]], entities: list[str]) -> list[Feature]:
    """Features in category order; ``clauses`` pairs each clause's text with its mentions."""
    known = set(entities)
    features: list[Feature] = []
    if entities:
        features.append(
            Feature(
                name="Manage records",
                category=C.CRUD,
                description="Create, view, edit and delete every kind of record.",
                priority=Priority.HIGH,
                entities=list(entities),
            )
        )
    for category, name, pattern in _RULES:
        touched: list[str] = []
        found = False
        for text, mentions in clauses:
            if re.search(pattern, text):
                found = True
                touched += [e for e in entities if e in mentions and e in known]
        if not found:
            continue
        if category in _ENTITY_FREE:
            touched = []
        elif not touched:
            touched = list(entities)
        features.append(
            Feature(
                name=name,
                category=category,
                priority=Priority.HIGH if category in _HIGH else Priority.MEDIUM,
                entities=list(dict.fromkeys(touched)),
            )
        )
    return features
