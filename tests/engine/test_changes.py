"""Change requests in plain language: each kind of request, several at once, and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from generator.engine.changes import (
    MAX_CHANGE_CHARS,
    MAX_CLAUSES,
    ChangeError,
    clauses,
    read_change,
)
from generator.engine.events import Cancelled, CancelToken
from generator.engine.spec import USER, AppSpec, FeatureCategory, FieldType, RelationKind


def _spec(*entities: dict[str, Any], relationships: list[dict[str, Any]] | None = None) -> AppSpec:
    return AppSpec.from_data(
        {
            "name": "App",
            "entities": list(entities),
            "relationships": relationships or [],
            "features": [
                {
                    "name": "Manage records",
                    "category": "crud",
                    "entities": [e["name"] for e in entities],
                }
            ],
        }
    )


@pytest.fixture
def tasks() -> AppSpec:
    return _spec(
        {"name": "Project", "fields": [{"name": "name"}]},
        {"name": "Task", "fields": [{"name": "title"}, {"name": "done", "type": "boolean"}]},
        relationships=[{"source": "Task", "target": "Project"}],
    )


@pytest.fixture
def blog() -> AppSpec:
    return _spec(
        {"name": "Post", "fields": [{"name": "title"}, {"name": "body", "type": "text"}]},
        {"name": "Comment", "fields": [{"name": "body", "type": "text"}]},
        relationships=[
            {"source": "Comment", "target": "Post"},
            {"source": "Post", "target": "User"},
        ],
    )


@pytest.fixture
def clinic() -> AppSpec:
    return _spec(
        {"name": "Client", "fields": [{"name": "name"}, {"name": "phone"}]},
        {"name": "Dog", "fields": [{"name": "name"}]},
    )


@pytest.fixture
def shop() -> AppSpec:
    return _spec(
        {
            "name": "Product",
            "fields": [{"name": "name"}, {"name": "price", "type": "decimal"}],
        },
        {"name": "Customer", "fields": [{"name": "name"}, {"name": "email", "type": "email"}]},
    )


def _link(spec: AppSpec, source: str, target: str) -> Any:
    found = [r for r in spec.relationships if r.source == source and r.target == target]
    assert len(found) == 1, spec.relationships
    return found[0]


def _field(spec: AppSpec, entity: str, name: str) -> Any:
    found = spec.entity(entity)
    assert found is not None, [e.name for e in spec.entities]
    field = found.field(name)
    assert field is not None, [f.name for f in found.fields]
    return field


# --- adding ------------------------------------------------------------------------------------


def test_add_a_due_date_and_a_priority_to_tasks(tasks: AppSpec) -> None:
    change = read_change(tasks, "add a due date and a priority to tasks")
    assert _field(change.spec, "Task", "due_date").type == FieldType.DATE
    priority = _field(change.spec, "Task", "priority")
    assert priority.type == FieldType.ENUM
    assert [c.value for c in priority.choices] == ["low", "medium", "high"]
    assert priority.default == "medium"
    assert any("priority was read as a choice of low, medium and high" in n for n in change.notes)
    assert [op.op for op in change.ops] == ["add_field", "add_field"]
    assert change.unread == []


def test_give_clients_an_optional_phone_and_a_unique_email(clinic: AppSpec) -> None:
    change = read_change(clinic, "give dogs an optional microchip number and a unique tag id")
    chip = _field(change.spec, "Dog", "microchip_number")
    assert (chip.type, chip.required) == (FieldType.STRING, False)
    assert _field(change.spec, "Dog", "tag_id").unique is True


def test_a_status_with_values(tasks: AppSpec) -> None:
    change = read_change(tasks, "tasks have a status (open, in progress, done)")
    status = _field(change.spec, "Task", "status")
    assert status.type == FieldType.ENUM
    assert [c.value for c in status.choices] == ["open", "in_progress", "done"]


def test_values_for_a_field_that_exists_change_it(tasks: AppSpec) -> None:
    with_status = read_change(tasks, "add a status to tasks").spec
    change = read_change(with_status, "tasks have a status (open, in progress, done)")
    assert _field(change.spec, "Task", "status").type == FieldType.ENUM
    assert [op.op for op in change.ops] == ["change_field"]


def test_add_a_category_entity_with_name_and_description(tasks: AppSpec) -> None:
    change = read_change(tasks, "add a Category entity with name and description")
    category = change.spec.entity("Category")
    assert category is not None
    assert [(f.name, f.type) for f in category.fields] == [
        ("name", FieldType.STRING),
        ("description", FieldType.TEXT),
    ]
    assert len(change.spec.relationships) == 1


def test_add_a_review_with_a_rating_and_a_comment_for_each_product(shop: AppSpec) -> None:
    change = read_change(
        shop, "add a Review with a rating from 1 to 5 and a comment for each product"
    )
    review = change.spec.entity("Review")
    assert review is not None
    rating = _field(change.spec, "Review", "rating")
    assert (rating.type, rating.min_value, rating.max_value) == (FieldType.INTEGER, 1, 5)
    assert _field(change.spec, "Review", "comment").type == FieldType.TEXT
    link = _link(change.spec, "Review", "Product")
    assert (link.kind, link.required) == (RelationKind.MANY_TO_ONE, True)


def test_add_an_entity_without_fields_gets_the_usual_ones(blog: AppSpec) -> None:
    change = read_change(blog, "add categories")
    category = change.spec.entity("Category")
    assert category is not None and [f.name for f in category.fields] == ["name"]


def test_add_things_to_an_entity(blog: AppSpec) -> None:
    change = read_change(blog, "add a category to posts")
    assert _link(change.spec, "Post", "Category").kind == RelationKind.MANY_TO_ONE
    likes = read_change(blog, "add attachments to comments")
    assert _link(likes.spec, "Attachment", "Comment").kind == RelationKind.MANY_TO_ONE


def test_add_a_person_to_an_entity_links_users(tasks: AppSpec) -> None:
    change = read_change(tasks, "add an assignee to tasks")
    link = _link(change.spec, "Task", USER)
    assert (link.name, link.kind, link.required) == ("assignee", RelationKind.MANY_TO_ONE, False)


def test_a_link_added_to_an_existing_entity_is_optional(clinic: AppSpec) -> None:
    change = read_change(clinic, "a dog belongs to one client")
    link = _link(change.spec, "Dog", "Client")
    assert (link.kind, link.required) == (RelationKind.MANY_TO_ONE, False)
    assert any("Existing Dog rows have no client yet" in n for n in change.notes)


def test_in_a_plan_never_built_a_new_link_stays_required(clinic: AppSpec) -> None:
    change = read_change(clinic, "a dog belongs to one client", keep_rows=False)
    assert _link(change.spec, "Dog", "Client").required is True


# --- people ------------------------------------------------------------------------------------


def test_let_users_tag_posts(blog: AppSpec) -> None:
    change = read_change(blog, "let users tag posts")
    tag = change.spec.entity("Tag")
    assert tag is not None and [f.name for f in tag.fields] == ["name"]
    link = _link(change.spec, "Post", "Tag")
    assert (link.kind, link.name) == (RelationKind.MANY_TO_MANY, "tags")


def test_users_can_like_posts(blog: AppSpec) -> None:
    change = read_change(blog, "users can like posts")
    like = change.spec.entity("Like")
    assert like is not None
    assert _link(change.spec, "Like", "Post").kind == RelationKind.MANY_TO_ONE
    assert _link(change.spec, "Like", USER).kind == RelationKind.MANY_TO_ONE
    assert like.unique_together[0].fields == ["post", "owner"]


def test_add_tags_to_posts_shares_them(blog: AppSpec) -> None:
    change = read_change(blog, "add tags to posts")
    assert _link(change.spec, "Post", "Tag").kind == RelationKind.MANY_TO_MANY


# --- relationships -------------------------------------------------------------------------------


def test_clients_have_many_dogs(clinic: AppSpec) -> None:
    change = read_change(clinic, "clients have many dogs")
    assert _link(change.spec, "Dog", "Client").kind == RelationKind.MANY_TO_ONE


def test_a_link_the_other_way_round_is_turned_around(clinic: AppSpec) -> None:
    wrong = read_change(clinic, "each client belongs to a dog").spec
    change = read_change(wrong, "a dog belongs to one client")
    assert _link(change.spec, "Dog", "Client").kind == RelationKind.MANY_TO_ONE
    assert change.spec.relationships_from("Client") == []
    assert [op.op for op in change.ops] == ["change_relationship"]
    assert any("turned around" in n for n in change.notes)


def test_a_link_that_is_already_there_changes_nothing(tasks: AppSpec) -> None:
    change = read_change(tasks, "projects have many tasks. Also add a due date to tasks")
    assert [op.op for op in change.ops] == ["add_field"]
    assert any("Already so: each Task belongs to one Project" in n for n in change.notes)


def test_belongs_to_many_is_many_to_many(tasks: AppSpec) -> None:
    change = read_change(tasks, "a task belongs to many projects")
    link = _link(change.spec, "Task", "Project")
    assert link.kind == RelationKind.MANY_TO_MANY


def test_has_many_of_a_new_thing_adds_it(tasks: AppSpec) -> None:
    change = read_change(tasks, "each task has many subtasks")
    assert change.spec.entity("Subtask") is not None
    assert _link(change.spec, "Subtask", "Task").required is True


def test_link_one_to_another(tasks: AppSpec) -> None:
    spec = read_change(tasks, "add a Milestone with a name and a due date").spec
    change = read_change(spec, "link tasks to milestones")
    assert _link(change.spec, "Task", "Milestone").kind == RelationKind.MANY_TO_ONE


# --- removing ------------------------------------------------------------------------------------


def test_remove_comments(blog: AppSpec) -> None:
    change = read_change(blog, "remove comments")
    assert change.spec.entity("Comment") is None
    assert all("Comment" not in (r.source, r.target) for r in change.spec.relationships)
    assert any("Removing Comment also removed its link" in n for n in change.notes)


def test_remove_the_price_field_from_products(shop: AppSpec) -> None:
    for text in (
        "remove the price field from products",
        "remove price from products",
        "remove Product.price",
        "delete the price of a product",
        "products don't need a price",
    ):
        change = read_change(shop, text)
        product = change.spec.entity("Product")
        assert product is not None and product.field("price") is None, text


def test_remove_a_link(tasks: AppSpec) -> None:
    change = read_change(tasks, "remove the link between tasks and projects")
    assert change.spec.relationships == []
    again = read_change(tasks, "remove the project from tasks")
    assert again.spec.relationships == []


def test_remove_a_feature_and_a_role(blog: AppSpec) -> None:
    spec = read_change(blog, "add search to posts and add an editor role").spec
    assert any(f.category == FeatureCategory.SEARCH for f in spec.features)
    assert [r.name for r in spec.roles] == ["Editor"]
    change = read_change(spec, "remove search. Remove the editor role.")
    assert not any(f.category == FeatureCategory.SEARCH for f in change.spec.features)
    assert change.spec.roles == []


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("make posts public", {"Post": "public"}),
        ("anyone can browse the posts without an account", {"Post": "public"}),
        ("comments are visible to every signed-in user", {"Comment": "signed_in"}),
        ("posts are private and comments are public", {"Post": "private", "Comment": "public"}),
    ],
)
def test_who_reads_an_entity(blog: AppSpec, text: str, wanted: dict[str, str]) -> None:
    change = read_change(blog, text)
    assert {e.name: e.access.value for e in change.spec.entities} == {
        "Post": "auto",
        "Comment": "auto",
        **wanted,
    }
    assert change.unread == []


def test_who_reads_as_it_already_is_is_noted(blog: AppSpec) -> None:
    public = read_change(blog, "make posts public").spec
    change = read_change(public, "posts are public. Add a subtitle to posts")
    assert change.notes[0] == "Already so: Post is read by anyone."
    assert read_change(blog, "make the title of posts unique").spec.entity("Post").access == "auto"  # type: ignore[union-attr]


# --- renaming --------------------------------------------------------------------------------


def test_rename_client_to_customer(clinic: AppSpec) -> None:
    linked = read_change(clinic, "a dog belongs to a client").spec
    change = read_change(linked, "rename Client to Customer")
    assert change.spec.entity("Customer") is not None and change.spec.entity("Client") is None
    assert _link(change.spec, "Dog", "Customer").name == "customer"
    assert change.renames.to_dict() == {
        "entities": {"Client": "Customer"},
        "fields": {"Dog": {"client": "customer"}},
    }


def test_rename_in_plural_keeps_entities_singular(clinic: AppSpec) -> None:
    change = read_change(clinic, "rename clients to customers")
    assert [e.name for e in change.spec.entities] == ["Customer", "Dog"]


@pytest.mark.parametrize(
    "text",
    [
        "rename the title of posts to headline",
        "rename Post.title to headline",
        "rename the post's title to headline",
        "rename title on posts to headline",
        "rename the title field of the Post entity to 'headline'",
    ],
)
def test_rename_a_field(blog: AppSpec, text: str) -> None:
    change = read_change(blog, text)
    assert _field(change.spec, "Post", "headline").type == FieldType.STRING
    assert change.renames.fields == {"Post": {"title": "headline"}}


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "make email unique on customers",
        "make the email of customers unique",
        "customer emails must be unique",
        "the email of a customer should be unique",
    ],
)
def test_make_email_unique(shop: AppSpec, text: str) -> None:
    change = read_change(shop, text)
    assert _field(change.spec, "Customer", "email").unique is True


@pytest.mark.parametrize(
    "text",
    [
        "the phone of a client is optional",
        "make the client's phone optional",
        "Client.phone is optional",
    ],
)
def test_the_phone_of_a_client_is_optional(clinic: AppSpec, text: str) -> None:
    change = read_change(clinic, text)
    assert _field(change.spec, "Client", "phone").required is False


def test_change_a_type(shop: AppSpec) -> None:
    change = read_change(shop, "make the price of products an integer")
    assert _field(change.spec, "Product", "price").type == FieldType.INTEGER
    choice = read_change(shop, "the name of a product can be small, medium or large")
    name = _field(choice.spec, "Product", "name")
    assert [c.value for c in name.choices] == ["small", "medium", "large"]


# --- features ----------------------------------------------------------------------------------


def test_add_features(blog: AppSpec) -> None:
    change = read_change(blog, "add search to posts and comments")
    search = [f for f in change.spec.features if f.category == FeatureCategory.SEARCH]
    assert len(search) == 1
    notifications = read_change(blog, "add email notifications")
    assert any(f.category == FeatureCategory.NOTIFICATIONS for f in notifications.spec.features)


# --- several at once, names and honesty ------------------------------------------------------


def test_several_changes_in_one_text(blog: AppSpec) -> None:
    text = """Please make these changes:
    - add a published date to posts and remove comments
    - let users tag posts
    3. rename Post.title to headline; posts have many attachments
    """
    change = read_change(blog, text)
    spec = change.spec
    assert spec.entity("Comment") is None
    assert _field(spec, "Post", "published_date").type == FieldType.DATE
    assert _link(spec, "Post", "Tag").kind == RelationKind.MANY_TO_MANY
    assert _field(spec, "Post", "headline") is not None
    assert _link(spec, "Attachment", "Post").required is True
    assert change.unread == ["Please make these changes:"]


def test_clauses_are_cut_before_a_new_command_only() -> None:
    assert clauses("add a due date and a priority to tasks, and remove comments") == [
        "add a due date and a priority to tasks",
        "remove comments",
    ]
    assert clauses("a dog belongs to one client and clients have many dogs") == [
        "a dog belongs to one client",
        "clients have many dogs",
    ]
    assert clauses("tasks have a status (open, and remove, done)") == [
        "tasks have a status (open, and remove, done)"
    ]


def test_a_clause_that_shares_its_verb_is_read_with_it(shop: AppSpec) -> None:
    assert clauses("add a phone number to customers and a rating to walks") == [
        "add a phone number to customers",
        "add a rating to walks",
    ]
    assert clauses("add a review with a rating from 1 to 5 and a comment for each product") == [
        "add a review with a rating from 1 to 5 and a comment for each product"
    ]
    change = read_change(shop, "add a sku to products and a note to customers")
    assert _field(change.spec, "Product", "sku") is not None
    assert _field(change.spec, "Customer", "note") is not None


@pytest.mark.parametrize("name", ["clients", "Client", "client's", "CLIENTS", "cleints"])
def test_entity_names_in_any_spelling(clinic: AppSpec, name: str) -> None:
    change = read_change(clinic, f"add an address to {name}")
    assert _field(change.spec, "Client", "address") is not None


def test_a_misspelt_name_is_said(clinic: AppSpec) -> None:
    change = read_change(clinic, "remove cleints")
    assert "'cleints' was read as Client." in change.notes


def test_what_could_not_be_read_is_listed(tasks: AppSpec) -> None:
    change = read_change(tasks, "add a due date to tasks. The colours should feel warmer.")
    assert change.unread == ["The colours should feel warmer"]


def test_the_result_round_trips_as_operations(tasks: AppSpec) -> None:
    from generator.engine.editing import apply_ops

    change = read_change(tasks, "add a due date to tasks and rename Project to Board")
    again = apply_ops(tasks, [op.to_dict() for op in change.ops])
    assert again.spec == change.spec and again.renames == change.renames
    assert change.to_dict()["renames"] == {
        "entities": {"Project": "Board"},
        "fields": {"Task": {"project": "board"}},
    }


def test_it_means_the_field_just_named(shop: AppSpec) -> None:
    change = read_change(shop, "add a sku to products and make it unique")
    sku = _field(change.spec, "Product", "sku")
    assert sku.unique is True
    assert "Product.sku is now unique." in change.notes


@pytest.mark.parametrize(
    "text",
    [
        "add a field called nickname to dogs",
        "add a 'nickname' field to dogs",
        "dogs have a nickname",
        "I'd like to add a nickname to the Dog entity",
    ],
)
def test_ways_to_name_a_new_field(clinic: AppSpec, text: str) -> None:
    change = read_change(clinic, text)
    assert _field(change.spec, "Dog", "nickname").type == FieldType.STRING


def test_values_after_a_colon(tasks: AppSpec) -> None:
    change = read_change(tasks, "tasks have a stage: todo, doing, done")
    assert [c.value for c in _field(change.spec, "Task", "stage").choices] == [
        "todo",
        "doing",
        "done",
    ]


def test_assigned_to_users_is_an_assignee(tasks: AppSpec) -> None:
    change = read_change(tasks, "tasks are assigned to users")
    assert _link(change.spec, "Task", USER).name == "assignee"


def test_a_new_attachment_keeps_a_file(blog: AppSpec) -> None:
    change = read_change(blog, "posts have many attachments")
    assert _field(change.spec, "Attachment", "file").type == FieldType.FILE


def test_change_notes_read_as_sentences(clinic: AppSpec) -> None:
    change = read_change(clinic, "the phone of a client is optional")
    assert change.notes == ["Client.phone is now optional."]


# --- refusals ----------------------------------------------------------------------------------


def test_nothing_to_change_says_why(tasks: AppSpec) -> None:
    with pytest.raises(ChangeError) as caught:
        read_change(tasks, "projects have many tasks")
    assert str(caught.value) == "Nothing to change: Already so: each Task belongs to one Project."


def test_removing_a_feature_that_is_not_planned(tasks: AppSpec) -> None:
    with pytest.raises(ChangeError, match="no feature like 'search' is planned"):
        read_change(tasks, "remove search")


def test_nothing_understood_says_what_to_write(tasks: AppSpec) -> None:
    with pytest.raises(ChangeError) as caught:
        read_change(tasks, "make it pop")
    message = str(caught.value)
    assert message.startswith("Nothing in this request could be read as a change")
    assert "'add a due date to tasks'" in message


def test_an_empty_or_long_request_is_refused(tasks: AppSpec) -> None:
    with pytest.raises(ChangeError, match="Say what to change"):
        read_change(tasks, "   ")
    with pytest.raises(ChangeError, match="the limit is 4,000"):
        read_change(tasks, "add a title to tasks. " * (MAX_CHANGE_CHARS // 10))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "remove invoices",
            "there is no entity or field 'invoices' (the app has Project and Task)",
        ),
        (
            "add a due date to invoices",
            "There is no entity 'invoices' (the app has Project and Task)",
        ),
        ("rename Task.due to deadline", "Task has no field 'due' (it has title and done)"),
        ("make the colour of tasks unique", "Task has no field 'colour' (it has title and done)"),
        ("rename Task to Project", "An entity named Project already exists"),
        ("add a due date", "say which entity gets 'due date'"),
    ],
)
def test_unknown_names_are_refused_with_what_exists(
    tasks: AppSpec, text: str, message: str
) -> None:
    with pytest.raises(ChangeError) as caught:
        read_change(tasks, text)
    assert message in str(caught.value)


def test_several_entities_with_the_field_must_be_told_apart(shop: AppSpec) -> None:
    with pytest.raises(ChangeError, match=r"several entities have 'name' \(Product and Customer\)"):
        read_change(shop, "rename name to title")


def test_long_text_is_bounded_and_cancel_is_honoured(tasks: AppSpec) -> None:
    text = "\n".join(f"add a note{i} to tasks" for i in range(MAX_CLAUSES + 5))
    change = read_change(tasks, text)
    assert len(change.ops) == MAX_CLAUSES
    assert len(change.unread) == 5
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_change(tasks, "add a due date to tasks", cancel=token)


def test_a_field_added_to_a_plural_beginning_with_a_keeps_the_whole_name():
    # "to announcements": the "a" of the noun is not an article (it read 'nnouncements')
    spec = _spec({"name": "Announcement", "fields": [{"name": "title"}]})

    change = read_change(spec, "add a due date to announcements")

    assert [field.name for field in change.spec.entity("Announcement").fields] == [
        "title",
        "due_date",
    ]
    assert not any("was read as" in note for note in change.notes), change.notes


def test_a_rename_to_a_reserved_name_says_the_name_it_got_and_why():
    spec = _spec({"name": "Location", "fields": [{"name": "name"}]})

    change = read_change(spec, "rename Location to Site")

    assert [entity.name for entity in change.spec.entities] == ["AppSite"]
    assert change.notes[0] == (
        "Renamed Location to AppSite: Site is a name Django or the generated code already uses."
    )
