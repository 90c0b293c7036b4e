"""English inflection and identifier helpers."""

from __future__ import annotations

import pytest

from generator.engine import naming


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("people", "person"),
        ("categories", "category"),
        ("addresses", "address"),
        ("statuses", "status"),
        ("analyses", "analysis"),
        ("children", "child"),
        ("classes", "class"),
        ("order items", "order item"),
        ("buses", "bus"),
        ("mice", "mouse"),
        ("Posts", "Post"),
        ("news", "news"),
    ],
)
def test_singularize_and_pluralize_irregular_words(plural: str, singular: str) -> None:
    assert naming.singularize(plural) == singular
    assert naming.singularize(singular) == singular
    assert naming.pluralize(singular) == plural


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("gases", "gas"),
        ("lenses", "lens"),
        ("atlases", "atlas"),
        ("aliases", "alias"),
        ("canvases", "canvas"),
        ("biases", "bias"),
        ("irises", "iris"),
        ("cactuses", "cactus"),
        ("loaves", "loaf"),
        ("thieves", "thief"),
        ("ideas", "idea"),
        ("gardens", "garden"),
        ("tokens", "token"),
    ],
)
def test_words_ending_in_s_or_f(plural: str, singular: str) -> None:
    # Given a singular that looks plural ("gas", "lens") or a plural that looks singular-ish
    # ("ideas", "gardens"), each word keeps its number.
    assert naming.singularize(plural) == singular
    assert naming.singularize(singular) == singular
    assert naming.pluralize(singular) == plural
    assert naming.is_plural(plural)
    assert not naming.is_plural(singular)


def test_leaf_pluralizes_to_leaves() -> None:
    # "leaves" reads as the noun "leave" (leave requests), so only the plural is checked.
    assert naming.pluralize("leaf") == "leaves"
    assert naming.singularize("leaves") == "leave"


def test_is_plural() -> None:
    assert naming.is_plural("tasks")
    assert naming.is_plural("people")
    assert not naming.is_plural("task")
    assert not naming.is_plural("status")


@pytest.mark.parametrize(
    ("text", "snake", "pascal", "kebab"),
    [
        ("Order Item", "order_item", "OrderItem", "order-item"),
        ("orderItem", "order_item", "OrderItem", "order-item"),
        ("due-date", "due_date", "DueDate", "due-date"),
        ("Café menu", "cafe_menu", "CafeMenu", "cafe-menu"),
        ("  ", "", "", ""),
    ],
)
def test_identifier_shapes(text: str, snake: str, pascal: str, kebab: str) -> None:
    assert naming.to_snake(text) == snake
    assert naming.to_pascal(text) == pascal
    assert naming.to_kebab(text) == kebab


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Task Manager", "task-manager"),
        ("Café Crème", "cafe-creme"),
        ("Straße der Bücher", "strasse-der-bucher"),
        ("Библиотека", "biblioteka"),
        ("Βιβλιοθήκη", "vivliothiki"),
        ("図書館", "tu-shu-guan"),
        ("مكتبة", "mktbh"),
        ("📚 Book Club 🎉", "book-club"),  # emoji are dropped, not spelled out
        ("Plan 2030!", "plan-2030"),
    ],
)
def test_app_names_in_any_script_read_as_a_slug(name: str, slug: str) -> None:
    assert naming.app_slug(name) == slug


@pytest.mark.parametrize("name", ["📚🎉", "👩\u200d💻", "🇫🇷", "!!!", "... — …", "™", "  "])
def test_a_name_of_emoji_or_punctuation_has_no_slug(name: str) -> None:
    assert naming.app_slug(name) == ""


def test_reserved_words() -> None:
    assert naming.reserved_reason("class") == "a Python keyword"
    assert naming.reserved_reason("order") == "a reserved word in SQL"
    assert naming.reserved_reason("order", sql=False) is None
    assert naming.reserved_reason("pk") is not None
    assert naming.reserved_reason("title") is None
    assert naming.entity_reserved_reason("User") is not None
    assert naming.entity_reserved_reason("Class") == "a Python keyword"
    assert naming.entity_reserved_reason("Task") is None
