"""Pages the generated app offers: home, four per entity, and the auth pages when needed.

Paths are relative to the site root and use the entity's plural in kebab case; the stack maps
them onto its own URL syntax. Which entities exist is decided before this module runs.
"""

from __future__ import annotations

from generator.engine import naming
from generator.engine.spec import Entity, PageKind, PageSpec


def plan(entities: list[Entity], *, authentication: bool, analytics: bool) -> list[PageSpec]:
    pages = [PageSpec(name="Home", kind=PageKind.HOME, path="/")]
    if analytics:
        pages.append(PageSpec(name="Dashboard", kind=PageKind.DASHBOARD, path="/dashboard/"))
    for entity in entities:
        pages += entity_pages(entity)
    if authentication:
        pages += [
            PageSpec(name="Log in", kind=PageKind.AUTH, path="/accounts/login/"),
            PageSpec(name="Sign up", kind=PageKind.AUTH, path="/accounts/signup/"),
            PageSpec(name="Log out", kind=PageKind.AUTH, path="/accounts/logout/"),
        ]
    return pages


def entity_pages(entity: Entity) -> list[PageSpec]:
    """The list, detail, new, edit and delete pages of one entity."""
    label = naming.to_label(entity.name)
    plural = naming.to_label(entity.plural) if entity.plural else naming.pluralize(label)
    base = "/" + naming.to_kebab(plural)
    return [
        PageSpec(name=f"{plural.capitalize()}", kind=PageKind.LIST, path=f"{base}/",
                 entity=entity.name, description=f"All {plural}, newest first."),
        PageSpec(name=f"{label.capitalize()} detail", kind=PageKind.DETAIL,
                 path=f"{base}/<id>/", entity=entity.name),
        PageSpec(name=f"New {label}", kind=PageKind.FORM, path=f"{base}/new/",
                 entity=entity.name),
        PageSpec(name=f"Edit {label}", kind=PageKind.FORM, path=f"{base}/<id>/edit/",
                 entity=entity.name),
        PageSpec(name=f"Delete {label}", kind=PageKind.DELETE, path=f"{base}/<id>/delete/",
                 entity=entity.name),
    ]  # fmt: skip
