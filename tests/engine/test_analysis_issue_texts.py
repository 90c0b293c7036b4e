"""The six texts of issue 8, end to end through the analyzer: each should give the model a careful
engineer would draw (the expectations follow tests/engine/data/README.md; the first four texts
are also dev.yaml's opening cases). What the analyzer still gets wrong is a strict xfail naming
the defect, kept apart from what it already gets right.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_checks import (
    comparisons,
    entities,
    fields,
    links,
    named_links,
    notes,
    roles,
    unique_rules,
)

from generator.engine.analysis import AnalysisError, analyze, requirements_problem
from generator.engine.spec import AppSpec

BACKLOGS = Path(__file__).parent / "data" / "backlogs"

FOOD_BANK = (
    "A volunteer scheduling app for a food bank. Volunteers sign up for shifts at different "
    "locations. Each shift has a date, start time, end time and the number of volunteers "
    "needed. Coordinators manage locations and can send announcements to volunteers."
)
PROPERTY = (
    "Property management: landlords own buildings, buildings have units (number, floor, rent, "
    "bedrooms). Tenants sign leases for units with start date, end date, monthly rent and "
    "deposit."
)
COURSES = (
    "An online course platform where instructors create courses made of lessons; students "
    "enroll in courses, track lesson progress and take quizzes with multiple-choice questions. "
    "Each question has several options and one correct answer."
)
DOG_WALKING = (
    "app for my dog walking biz - clients, dogs, walks, payments. walks have date + duration + "
    "price"
)
GIBBERISH = "asdf qwer zxcv hello"


def _backlog_excerpt() -> str:
    """The first 50 stories of the Scrum Alliance backlog."""
    lines = (BACKLOGS / "g10-scrumalliance.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[:50])


@pytest.fixture(scope="module")
def backlog() -> AppSpec:
    return analyze(_backlog_excerpt())


# --- food bank volunteers ---------------------------------------------------------------------


def test_food_bank_shifts_signups_locations_and_announcements() -> None:
    spec = analyze(FOOD_BANK)
    assert entities(spec) == {"Shift", "ShiftSignup", "Location", "Announcement"}
    assert fields(spec, "Shift") == {
        "date": "date",
        "start_time": "time",
        "end_time": "time",
        "volunteers_needed": "integer",
    }
    assert {
        "Shift -> Location",
        "ShiftSignup -> Shift",
        "ShiftSignup -> User (volunteer)",
        "Announcement -> User (coordinator)",
    } <= named_links(spec)
    assert spec.name == "Volunteer Scheduling"
    assert spec.warnings == []


def test_food_bank_volunteers_and_coordinators_are_roles() -> None:
    spec = analyze(FOOD_BANK)
    assert roles(spec) == {"Volunteer", "Coordinator"}
    assert "'Volunteers' was read as a user role (Volunteer), not a table." in notes(spec)


def test_food_bank_validations() -> None:
    spec = analyze(FOOD_BANK)
    shift = spec.entity("Shift")
    assert shift is not None
    needed = shift.field("volunteers_needed")
    assert needed is not None and needed.min_value == 1
    assert comparisons(spec, "Shift") == [("end_time", "gt", "start_time")]
    assert unique_rules(spec, "ShiftSignup") == [(["volunteer", "shift"], None)]


def test_food_bank_managed_locations_have_no_owner() -> None:
    assert "Location -> User" not in links(analyze(FOOD_BANK))


# --- property management ----------------------------------------------------------------------


def test_property_management_model() -> None:
    spec = analyze(PROPERTY)
    assert entities(spec) == {"Building", "Unit", "Lease"}
    assert fields(spec, "Unit") == {
        "number": "integer",
        "floor": "integer",
        "rent": "decimal",
        "bedrooms": "integer",
    }
    assert fields(spec, "Lease") == {
        "start_date": "date",
        "end_date": "date",
        "monthly_rent": "decimal",
        "deposit": "decimal",
    }
    assert named_links(spec) == {
        "Building -> User (landlord)",
        "Unit -> Building",
        "Lease -> Unit",
        "Lease -> User (tenant)",
    }
    assert spec.name == "Property Management"
    assert spec.warnings == []


def test_property_management_roles_and_lease_dates() -> None:
    spec = analyze(PROPERTY)
    assert comparisons(spec, "Lease") == [("end_date", "gt", "start_date")]
    assert roles(spec) == {"Landlord", "Tenant"}


# --- online courses ---------------------------------------------------------------------------


def test_online_courses_structure_and_participation() -> None:
    spec = analyze(COURSES)
    assert {
        "Course",
        "Lesson",
        "Enrollment",
        "LessonProgress",
        "Quiz",
        "Question",
        "Option",
    } <= entities(spec)
    assert {
        "Course -> User",
        "Lesson -> Course",
        "Enrollment -> Course",
        "Enrollment -> User",
        "LessonProgress -> Lesson",
        "LessonProgress -> User",
        "Question -> Quiz",
        "Option -> Question",
    } <= links(spec)
    assert {link for link in links(spec) if link.startswith("Question ")} == {"Question -> Quiz"}
    assert fields(spec, "Option") == {"is_correct": "boolean"}


def test_online_courses_roles_and_rules() -> None:
    spec = analyze(COURSES)
    assert unique_rules(spec, "Enrollment") == [(["student", "course"], None)]
    assert unique_rules(spec, "LessonProgress") == [(["student", "lesson"], None)]
    assert unique_rules(spec, "Option") == [(["question"], "is_correct")]
    assert roles(spec) == {"Instructor", "Student"}


def test_online_courses_taking_a_quiz_is_stored() -> None:
    spec = analyze(COURSES)
    attempt = entities(spec) & {"QuizAttempt", "Attempt", "QuizSubmission"}
    assert len(attempt) == 1
    name = attempt.pop()
    assert {f"{name} -> Quiz", f"{name} -> User"} <= links(spec)


# --- dog walking biz --------------------------------------------------------------------------


def test_dog_walking_biz_lists_its_things() -> None:
    spec = analyze(DOG_WALKING)
    assert {"Dog", "Walk", "Payment"} <= entities(spec)
    assert fields(spec, "Walk") == {"date": "date", "duration": "integer", "price": "decimal"}
    assert spec.name == "Dog Walking Biz"


def test_dog_walking_biz_keeps_its_clients() -> None:
    assert entities(analyze(DOG_WALKING)) == {"Client", "Dog", "Walk", "Payment"}


@pytest.mark.xfail(
    strict=True,
    reason="a bare list of things gets no links: dogs are not tied to clients nor walks to dogs",
)
def test_dog_walking_biz_links_dogs_to_clients_and_walks_to_dogs() -> None:
    assert {"Dog -> Client", "Walk -> Dog"} <= links(analyze(DOG_WALKING))


# --- a 50-story backlog -----------------------------------------------------------------------


def test_backlog_core_things(backlog: AppSpec) -> None:
    assert {"Profile", "Course", "Event", "Job"} <= entities(backlog)
    assert "Ad" not in entities(backlog)  # jobs and help wanted ads are one thing
    assert entities(backlog) & {"News", "NewsItem"}
    assert "Profile 1-1 User" in links(backlog)


@pytest.mark.xfail(
    strict=True,
    reason="articles (written by practitioners, ~15 stories in the whole backlog) are only "
    "warned about; they were modelled before the tuning merged at ffc7c51",
)
def test_backlog_models_articles_by_their_authors(backlog: AppSpec) -> None:
    assert "Article" in entities(backlog)
    assert "Article -> User" in links(backlog)


def test_backlog_personas_are_roles_not_tables(backlog: AppSpec) -> None:
    assert not {"SiteMember", "SiteAdministrator", "SiteVisitor", "SiteEditor", "Recruiter",
                "Advertiser"} & entities(backlog)  # fmt: skip
    assert {
        "SiteMember",
        "Practitioner",
        "Trainer",
        "SiteAdministrator",
        "SiteVisitor",
        "SiteEditor",
        "Recruiter",
        "Advertiser",
    } <= roles(backlog)


def test_backlog_names_what_it_left_out(backlog: AppSpec) -> None:
    assert any("'article' is mentioned but was not modelled" in w for w in backlog.warnings)


@pytest.mark.xfail(
    strict=True,
    reason="applications (CSP/CST), FAQs and downloadable documents recur in the stories but "
    "are not modelled (FAQs only warned about)",
)
def test_backlog_models_applications_faqs_and_documents(backlog: AppSpec) -> None:
    assert entities(backlog) & {"Application", "CertificationApplication"}
    assert entities(backlog) & {"Faq", "FaqEntry"}
    assert entities(backlog) & {"Document", "Resource"}


@pytest.mark.xfail(
    strict=True,
    reason="'subscribe to an RSS feed' makes RssFeed an entity (with a Subscription), but the "
    "feed is a feature, not a stored thing",
)
def test_backlog_rss_feed_is_a_feature(backlog: AppSpec) -> None:
    assert not [name for name in entities(backlog) if name.endswith("Feed")]


@pytest.mark.xfail(
    strict=True,
    reason="pieces of phrases become fields: 'include a link to a detailed page about each' "
    "gives Trainer.to_detailed_page_about",
)
def test_backlog_fields_are_names_not_phrase_fragments(backlog: AppSpec) -> None:
    prepositions = ("to_", "with_", "for_", "about_", "of_", "in_", "on_")
    names = [f"{e.name}.{f.name}" for e in backlog.entities for f in e.fields]
    fragments = [n for n in names if n.split(".")[1].startswith(prepositions)
                 or n.endswith(("_about", "_of"))]  # fmt: skip
    assert fragments == []


@pytest.mark.xfail(
    strict=True,
    reason="Profile gets both a one-to-one key to the user and a many-to-one key named 'member'",
)
def test_backlog_profile_has_one_key_to_the_user(backlog: AppSpec) -> None:
    assert [link for link in links(backlog) if link.startswith("Profile ")] == ["Profile 1-1 User"]


# --- gibberish --------------------------------------------------------------------------------


def test_gibberish_is_refused_saying_what_to_write() -> None:
    with pytest.raises(AnalysisError, match="Describe the things your app keeps and who uses it"):
        analyze(GIBBERISH)
    problem = requirements_problem(GIBBERISH)
    assert problem is not None and problem.startswith("No app could be read from this text")
