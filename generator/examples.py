"""Example prompts offered to new users: the dashboard's empty state, the new-project wizard and
``GET /api/examples`` all read them from here.

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
    Example(
        key="library",
        title="Library",
        name="Library Catalogue",
        description="A library catalogue with members and loans.",
        requirements=(
            "A library catalogue: books have a title, an ISBN and a publication year and are "
            "written by authors; authors have a name and a biography. Members have a name and a "
            "card number, and borrow books through loans with a due date and a returned flag."
        ),
    ),
    Example(
        key="clinic",
        title="Clinic Appointments",
        name="Clinic",
        description="Appointments between patients and doctors.",
        requirements=(
            "A clinic appointment system: patients have a name, an email and a date of birth; "
            "doctors have a name and a specialty. Appointments link a patient and a doctor with "
            "a start time, a duration in minutes and a status (scheduled, completed, cancelled)."
        ),
    ),
    Example(
        key="event-ticketing",
        title="Event Ticketing",
        name="Events",
        description="Events, tickets and the attendees who buy them.",
        requirements=(
            "Event ticketing: events have a title, a venue, a start date and a capacity. Tickets "
            "belong to an event and have a price and a seat number. Attendees have a name and an "
            "email and buy tickets."
        ),
    ),
)

_BY_KEY = {example.key: example for example in EXAMPLES}


def example_get(key: str) -> Example | None:
    return _BY_KEY.get(key)
