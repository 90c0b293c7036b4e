"""Example prompts offered to new users: the dashboard's empty state, the new-project wizard and
(later) ``GET /api/examples`` all read them from here.

They are plain data on the Django side (the engine knows nothing about them); each is a complete
project description the default analyzer turns into a working app.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Example:
    key: str
    title: str
    name: str
    description: str
    requirements: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


EXAMPLES: tuple[Example, ...] = (
    Example(
        key="blog",
        title="Blog",
        name="Blog",
        description="A blog with authors, posts and reader comments.",
        requirements=(
            "A blog where people sign up, log in and log out. Authors write posts with a title, "
            "a body, a publish date and a published flag. Readers leave comments on posts. "
            "Visitors can search posts by title."
        ),
    ),
    Example(
        key="task-manager",
        title="Task Manager",
        name="Task Manager",
        description="A task manager for small teams.",
        requirements=(
            "A task manager for small teams: projects have a name and a description; tasks "
            "belong to a project and have a title, a due date, a priority (low, medium, high) and "
            "a status (todo, in progress, done). Users can search and filter tasks."
        ),
    ),
    Example(
        key="e-commerce",
        title="E-commerce",
        name="Online Store",
        description="An online store with a product catalogue and orders.",
        requirements=(
            "An online store: products have a name, a price and a stock count and belong to a "
            "category; categories have a name. Customers place orders; each order has order "
            "items with a product, a quantity and a unit price."
        ),
    ),
)

_BY_KEY = {example.key: example for example in EXAMPLES}


def example_get(key: str) -> Example | None:
    return _BY_KEY.get(key)
