"""The offline rule-based analyzer: sentence patterns, fields, relationships, features, names."""

from __future__ import annotations

import pytest

from generator.engine.analysis import MAX_REQUIREMENTS_CHARS, AnalysisError, analyze
from generator.engine.analysis.build import NO_ENTITIES_WARNING
from generator.engine.analysis.fields import field_from_words, infer_type
from generator.engine.spec import USER, AppSpec, FeatureCategory, FieldType, PageKind, RelationKind

M2O, O2O, M2M = RelationKind.MANY_TO_ONE, RelationKind.ONE_TO_ONE, RelationKind.MANY_TO_MANY


def names(spec: AppSpec) -> list[str]:
    return [e.name for e in spec.entities]


def relation(spec: AppSpec, source: str, target: str) -> tuple[RelationKind, str] | None:
    for r in spec.relationships:
        if {r.source, r.target} == {source, target}:
            return r.kind, r.name if r.source == source else f"reverse:{r.name}"
    return None


def field_types(spec: AppSpec, entity: str) -> dict[str, FieldType]:
    found = spec.entity(entity)
    assert found is not None, names(spec)
    return {f.name: f.type for f in found.fields}


# --- entity patterns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A task has a title and a due date.", ["Task"]),
        ("Each invoice contains many line items.", ["Invoice", "LineItem"]),
        ("Each product belongs to a category.", ["Product", "Category"]),
        ("A playlist can have many songs.", ["Playlist", "Song"]),
        ("Users create projects.", ["Project"]),
        ("Customers place orders.", ["Order"]),
        ("The app tracks books, authors and loans.", ["Book", "Author", "Loan"]),
        ("crm: contacts, companies, deals", ["Contact", "Company", "Deal"]),
        ("- Posts: title, body, published date", ["Post"]),
        ("Products have a name, price, stock and belong to a category.", ["Product", "Category"]),
        ("Customers place orders with several order items.", ["Order", "OrderItem"]),
    ],
)
def test_entities_from_nouns_in_roles(text: str, expected: list[str]) -> None:
    assert sorted(names(analyze(text))) == sorted(expected)


def test_people_and_irregular_plurals_are_singular_entities() -> None:
    spec = analyze("People have a name. Each person has many addresses and children.")
    assert sorted(names(spec)) == ["Address", "Child", "Person"]


def test_bulleted_markdown_under_headings() -> None:
    text = (
        "## Data\n**Authors**:\n- name\n- bio\nBooks:\n* title\n* price\n"
        "Each book belongs to an author."
    )
    spec = analyze(text)
    assert sorted(names(spec)) == ["Author", "Book"]
    assert field_types(spec, "Book") == {"title": FieldType.STRING, "price": FieldType.DECIMAL}
    assert relation(spec, "Book", "Author") == (M2O, "author")


def test_attributes_are_fields_not_entities() -> None:
    spec = analyze(
        "A task has a title, due date, priority (low, medium, high), status (todo, doing, done) "
        "and an optional description."
    )
    assert names(spec) == ["Task"]
    task = spec.entity("Task")
    assert task is not None
    assert field_types(spec, "Task") == {
        "title": FieldType.STRING,
        "due_date": FieldType.DATE,
        "priority": FieldType.ENUM,
        "status": FieldType.ENUM,
        "description": FieldType.TEXT,
    }
    priority = task.field("priority")
    assert priority is not None and [c.value for c in priority.choices] == ["low", "medium", "high"]
    description = task.field("description")
    assert description is not None and description.required is False


@pytest.mark.parametrize(
    "text",
    [
        "A ticket has a priority: low/medium/high.",
        "A ticket has a priority (low, medium, high).",
        "A ticket has a priority: low, medium or high.",
    ],
)
def test_enum_choices_in_several_spellings(text: str) -> None:
    ticket = analyze(text).entity("Ticket")
    assert ticket is not None
    priority = ticket.field("priority")
    assert priority is not None and priority.type == FieldType.ENUM
    assert [c.value for c in priority.choices] == ["low", "medium", "high"]


S, T, D, B, U = FieldType.STRING, FieldType.TEXT, FieldType.DATE, FieldType.BOOLEAN, FieldType.URL


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        ("Authors write posts with a title, a body, a publish date and a published flag.",
         "Post", {"title": S, "body": T, "publish_date": D, "published": B}),
        ("Posts have a title, a body, a publish date and a published flag.",
         "Post", {"title": S, "body": T, "publish_date": D, "published": B}),
        ("Every user has a profile with a bio and a website.", "Profile", {"bio": T, "website": U}),
        ("Profiles have a bio and a website.", "Profile", {"bio": T, "website": U}),
        ("Customers place orders with a pickup date, a pickup time and a total in USD.",
         "Order", {"pickup_date": D, "pickup_time": FieldType.TIME, "total": FieldType.DECIMAL}),
        ("- Posts: title, body, tags\n- Authors: name, date of birth, optional avatar",
         "Author", {"name": S, "date_of_birth": D, "avatar": FieldType.IMAGE}),
        ("Each workshop has a price in euros, a duration in minutes and a created at timestamp.",
         "Workshop", {"price": FieldType.DECIMAL, "duration_minutes": FieldType.INTEGER,
                      "created_at": FieldType.DATETIME}),
        ("Bugs have a title, steps to reproduce and a start time, end time and sets.",
         "Bug", {"title": S, "steps_to_reproduce": T, "start_time": FieldType.TIME,
                 "end_time": FieldType.TIME, "sets": FieldType.INTEGER}),
        ("Connectors have a JSON config, a uuid and a data flag.",
         "Connector", {"config": FieldType.JSON, "uuid_value": FieldType.UUID, "data": B}),
    ],
)  # fmt: skip
def test_attribute_lists_keep_every_field(text: str, entity: str, expected: dict) -> None:
    assert field_types(analyze(text), entity) == expected


def test_colon_values_inside_parentheses_make_an_enum() -> None:
    spec = analyze("Campsites have pitches (number, type: tent/caravan/cabin, nightly price).")
    pitch = spec.entity("Pitch")
    assert pitch is not None
    kind = pitch.field("type_value")  # "type" is a Python builtin
    assert kind is not None and [c.value for c in kind.choices] == ["tent", "caravan", "cabin"]
    assert field_types(spec, "Pitch")["nightly_price"] == FieldType.DECIMAL


def test_unique_and_optional_phrasing() -> None:
    member = analyze("A subscriber has a unique email and optional notes.").entity("Subscriber")
    assert member is not None
    email, notes = member.field("email"), member.field("notes")
    assert email is not None and email.unique and email.type == FieldType.EMAIL
    assert notes is not None and not notes.required and notes.type == FieldType.TEXT


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("email", FieldType.EMAIL), ("contact_email", FieldType.EMAIL),
        ("website", FieldType.URL), ("url", FieldType.URL), ("link", FieldType.URL),
        ("price", FieldType.DECIMAL), ("total_amount", FieldType.DECIMAL),
        ("salary", FieldType.DECIMAL), ("budget", FieldType.DECIMAL), ("fee", FieldType.DECIMAL),
        ("quantity", FieldType.INTEGER), ("stock", FieldType.INTEGER), ("age", FieldType.INTEGER),
        ("capacity", FieldType.INTEGER), ("rating", FieldType.INTEGER),
        ("number", FieldType.INTEGER), ("phone_number", FieldType.STRING),
        ("due_date", FieldType.DATE), ("deadline", FieldType.DATE),
        ("birthday", FieldType.DATE), ("date_of_birth", FieldType.DATE),
        ("created_at", FieldType.DATETIME), ("timestamp", FieldType.DATETIME),
        ("start_time", FieldType.TIME),
        ("is_active", FieldType.BOOLEAN), ("has_paid", FieldType.BOOLEAN),
        ("published", FieldType.BOOLEAN), ("completed", FieldType.BOOLEAN),
        ("done", FieldType.BOOLEAN),
        ("photo", FieldType.IMAGE), ("avatar", FieldType.IMAGE), ("cover_image", FieldType.IMAGE),
        ("logo", FieldType.IMAGE),
        ("attachment", FieldType.FILE), ("resume", FieldType.FILE), ("pdf", FieldType.FILE),
        ("description", FieldType.TEXT), ("body", FieldType.TEXT), ("bio", FieldType.TEXT),
        ("notes", FieldType.TEXT), ("summary", FieldType.TEXT),
        ("slug", FieldType.SLUG), ("uuid", FieldType.UUID),
        ("weight", FieldType.FLOAT), ("latitude", FieldType.FLOAT), ("score", FieldType.FLOAT),
        ("title", FieldType.STRING), ("colour", FieldType.STRING),
    ],
)  # fmt: skip
def test_field_type_inference(name: str, expected: FieldType) -> None:
    assert infer_type(name) == expected


def test_field_from_words_reads_modifiers_and_choices() -> None:
    field = field_from_words(["an", "optional", "status"], ("Draft", "Published", "Archived"))
    assert field is not None
    assert field.type == FieldType.ENUM and not field.required
    assert [c.value for c in field.choices] == ["draft", "published", "archived"]
    assert field.default == "draft"


# --- relationships -----------------------------------------------------------------------


def test_has_many_makes_the_child_point_at_the_parent() -> None:
    spec = analyze("Users create projects; each project has many tasks.")
    assert relation(spec, "Task", "Project") == (M2O, "project")
    assert relation(spec, "Project", USER) == (M2O, "owner")


def test_belongs_to() -> None:
    spec = analyze("Each employee belongs to a department.")
    assert relation(spec, "Employee", "Department") == (M2O, "department")


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Posts can be tagged with many tags.", ("Post", "Tag")),
        ("Students enroll in many courses.", ("Student", "Course")),
        ("Books and authors are many-to-many.", ("Book", "Author")),
    ],
)
def test_many_to_many(text: str, pair: tuple[str, str]) -> None:
    spec = analyze(text)
    found = relation(spec, *pair)
    assert found is not None and found[0] == M2M


def test_one_to_one_profile_for_the_built_in_user() -> None:
    spec = analyze("Each user has one profile with a bio and an avatar.")
    assert names(spec) == ["Profile"]
    assert relation(spec, "Profile", USER) == (O2O, "user")
    assert field_types(spec, "Profile") == {"bio": FieldType.TEXT, "avatar": FieldType.IMAGE}


def test_user_fields_become_a_profile_and_user_is_never_an_entity() -> None:
    spec = analyze("Users have a username, a bio and an avatar. Users write articles.")
    assert "User" not in names(spec)
    assert sorted(names(spec)) == ["Article", "Profile"]
    assert field_types(spec, "Profile") == {"bio": FieldType.TEXT, "avatar": FieldType.IMAGE}
    assert relation(spec, "Article", USER) == (M2O, "author")


def test_authors_and_assignees_point_at_the_built_in_user() -> None:
    spec = analyze("Members post comments. Tasks can be assigned to team members.")
    assert relation(spec, "Comment", USER) == (M2O, "author")
    assert relation(spec, "Task", USER) == (M2O, "assignee")


def test_order_items_belong_to_their_order() -> None:
    spec = analyze("Customers place orders with several order items.")
    assert relation(spec, "OrderItem", "Order") == (M2O, "order")
    assert relation(spec, "Order", USER) == (M2O, "customer")


def test_stored_people_are_entities_acting_people_are_the_user() -> None:
    acting = analyze("Customers place orders. An order has a total.")
    assert names(acting) == ["Order"]
    stored = analyze("Customers have a name and a phone number. Customers place orders.")
    assert sorted(names(stored)) == ["Customer", "Order"]
    assert relation(stored, "Order", "Customer") == (M2O, "customer")


# --- features, pages, names ---------------------------------------------------------------


def test_features_from_verbs_and_keywords() -> None:
    spec = analyze(
        "Users register and log in. Admins only can delete posts; roles decide who edits. "
        "Search and filter posts, sort by date, paginate lists. Email reminders about due "
        "posts, live chat, upload images, export reports to CSV and a dashboard with charts."
    )
    found = {f.category for f in spec.features}
    assert found == set(FeatureCategory) - {FeatureCategory.OTHER}
    priorities = {f.category: f.priority.value for f in spec.features}
    assert priorities[FeatureCategory.AUTHENTICATION] == "high"
    assert priorities[FeatureCategory.CRUD] == "high"
    assert priorities[FeatureCategory.SEARCH] == "medium"
    search = next(f for f in spec.features if f.category == FeatureCategory.SEARCH)
    assert search.entities == ["Post"]


def test_crud_covers_every_entity() -> None:
    spec = analyze("crm: contacts, companies, deals")
    crud = [f for f in spec.features if f.category == FeatureCategory.CRUD]
    assert len(crud) == 1 and crud[0].entities == ["Contact", "Company", "Deal"]


def test_pages_for_each_entity_home_and_auth() -> None:
    spec = analyze("Users create projects. A project has a name.")
    paths = {(p.kind, p.path) for p in spec.pages}
    assert (PageKind.HOME, "/") in paths
    assert {(PageKind.LIST, "/projects/"), (PageKind.DETAIL, "/projects/<id>/"),
            (PageKind.FORM, "/projects/new/"), (PageKind.FORM, "/projects/<id>/edit/"),
            (PageKind.DELETE, "/projects/<id>/delete/")} <= paths  # fmt: skip
    assert (PageKind.AUTH, "/accounts/login/") in paths


@pytest.mark.parametrize(
    "text",
    [
        "make it nice and fast",
        "The app should be fast, secure and easy to use.",
        "I need a user-friendly platform with a nice interface, some functionality and a page "
        "with information and data details.",
    ],
)
def test_filler_never_becomes_an_entity(text: str) -> None:
    spec = analyze(text)
    assert names(spec) == []
    assert NO_ENTITIES_WARNING in spec.warnings
    assert spec.confidence < 0.3


def test_team_is_an_entity_only_in_a_role() -> None:
    assert "Team" not in names(analyze("A task manager for small teams. A task has a title."))
    assert "Team" in names(analyze("Teams have a name and many members."))


def test_confidence_grows_with_what_was_understood() -> None:
    vague = analyze("Users create projects.")
    clear = analyze("Users create projects; each project has many tasks. A task has a title.")
    assert 0 < vague.confidence < clear.confidence <= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A task manager for small teams.", "Task Manager"),
        ("Create a blog application with posts.", "Blog"),
        ("Build an online store. Products have a price.", "Online Store"),
        ("crm: contacts, companies, deals", "CRM"),
        ("Products have a price.", "My App"),
    ],
)
def test_app_name_derivation(text: str, expected: str) -> None:
    assert analyze(text).name == expected


def test_given_name_and_description_win() -> None:
    spec = analyze("A task manager.", name="Doit", description="Tasks for teams")
    assert (spec.name, spec.description) == ("Doit", "Tasks for teams")


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_input_is_an_error(text: str) -> None:
    with pytest.raises(AnalysisError, match="empty"):
        analyze(text)


def test_oversized_input_is_an_error() -> None:
    with pytest.raises(AnalysisError, match="20,000"):
        analyze("a" * (MAX_REQUIREMENTS_CHARS + 1))
    assert isinstance(AnalysisError("x"), ValueError)


# --- rules found on the development sets -------------------------------------------------


def test_an_acronym_or_adjective_compound_keeps_its_fields() -> None:
    keys = analyze("Each account can create API keys. An API key has a name and a revoked flag.")
    assert names(keys) == ["ApiKey"]
    assert field_types(keys, "ApiKey") == {"name": FieldType.STRING, "revoked": FieldType.BOOLEAN}
    links = analyze("Users create short links; a link has a target url and a unique slug.")
    assert names(links) == ["ShortLink"]
    assert set(field_types(links, "ShortLink")) == {"target_url", "slug"}


def test_booking_a_thing_with_values_stores_the_booking() -> None:
    spec = analyze("Members book desks for a date with a start time and an end time.")
    assert sorted(names(spec)) == ["Booking", "Desk"]
    assert set(field_types(spec, "Booking")) == {"date", "start_time", "end_time"}
    assert relation(spec, "Booking", "Desk") == (M2O, "desk")
    assert sorted(names(analyze("Guests reserve tables for a date and time."))) == ["Table"]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Each talk has a title. Each talk is scheduled in a room at a start time.", "Room"),
        ("Each item has a name and is kept in a room.", "Room"),
        ("Instruments have a model. Researchers reserve instruments for a project.", "Project"),
    ],
)
def test_one_thing_after_a_preposition_is_an_entity(text: str, place: str) -> None:
    spec = analyze(text)
    assert place in names(spec)
    assert any(place in {r.source, r.target} for r in spec.relationships)


def test_a_time_after_at_is_a_field_of_the_subject() -> None:
    spec = analyze("Talks have a title. Each talk is scheduled in a room at a start time.")
    assert field_types(spec, "Talk")["start_time"] == FieldType.TIME


@pytest.mark.parametrize("person", ["Vets", "Researchers", "Dentists", "Librarians", "Borrowers"])
def test_agent_nouns_that_only_act_are_the_user(person: str) -> None:
    assert names(analyze(f"{person} record visits with a date and a fee.")) == ["Visit"]


def test_a_stored_agent_noun_is_an_entity() -> None:
    assert "Dentist" in names(analyze("Dentists have a name and a phone number."))


def test_the_title_of_the_app_is_not_an_entity() -> None:
    league = analyze("Sports league manager: teams have a name and a city.")
    assert names(league) == ["Team"]
    truck = analyze("Food truck ordering: the truck has many dishes with a name and a price.")
    assert names(truck) == ["Dish"]


def test_a_unit_in_a_list_is_not_an_entity() -> None:
    spec = analyze("Dishes with a name, a price in dollars and a spicy flag.")
    assert names(spec) == ["Dish"]
    assert field_types(spec, "Dish")["price"] == FieldType.DECIMAL


def test_a_with_list_after_of_describes_the_members() -> None:
    spec = analyze(
        "The truck has a daily menu of dishes with a name, a price and an allergens list."
    )
    assert names(spec) == ["Dish"]
    assert field_types(spec, "Dish") == {
        "name": FieldType.STRING,
        "price": FieldType.DECIMAL,
        "allergens": FieldType.JSON,
    }


def test_storing_values_is_possession() -> None:
    spec = analyze("Links have a url. Each click stores a timestamp, a referrer and a country.")
    assert names(spec) == ["Link", "Click"]
    assert set(field_types(spec, "Click")) == {"timestamp", "referrer", "country"}


def test_named_links_to_the_same_entity() -> None:
    spec = analyze("Teams have a name. Matches have a home team, a rival team and a kickoff time.")
    links = {r.name for r in spec.relationships if r.target == "Team"}
    assert links == {"home_team", "rival_team"}
    assert "home_team" not in field_types(spec, "MatchItem")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["receipt"], FieldType.FILE),
        (["target", "per", "week"], FieldType.INTEGER),
        (["price", "per", "night"], FieldType.DECIMAL),
        (["json", "permissions"], FieldType.JSON),
    ],
)
def test_type_hints_in_parentheses_per_and_json(words: list[str], expected: FieldType) -> None:
    choices = ("pdf",) if words == ["receipt"] else ()
    spec = field_from_words(words, choices)
    assert spec is not None and spec.type == expected
