"""The analyzer's modelling rules, one at a time, on small texts: what a person who typed the text
sees in the spec (entities, fields and their types, relationships and their direction, roles,
warnings and notes, validations).

Cases the analyzer still reads wrongly are strict xfails naming the defect: they fail loudly
once the rule is fixed, so the mark can go.
"""

from __future__ import annotations

import pytest
from analysis_checks import (
    choices,
    comparisons,
    entities,
    fields,
    links,
    named_links,
    notes,
    roles,
    unique_rules,
)

from generator.engine.analysis import (
    MAX_REQUIREMENTS_CHARS,
    AnalysisError,
    analyze,
    requirements_problem,
)

# --- only nouns become entities ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Users can efficiently and quickly manage their tasks", {"Task"}),
        ("Users manage tasks, and it should be fast and secure.", {"Task"}),
        ("Users write long, detailed reviews.", {"Review"}),
        ("Shoppers add beautiful red shoes to carts.", {"Shoe", "Cart"}),
    ],
)
def test_adverbs_adjectives_and_verbs_never_become_entities(text: str, expected: set[str]) -> None:
    assert entities(analyze(text)) == expected


def test_a_text_of_pronouns_names_nothing_to_store() -> None:
    with pytest.raises(AnalysisError):
        analyze("They can share them with anyone.")


def test_a_list_of_verbs_keeps_its_object() -> None:
    assert entities(analyze("Users can create, edit and delete tasks.")) == {"Task"}


def test_a_machine_named_like_an_agent_is_a_thing() -> None:
    spec = analyze("Each project needs a printer.")
    assert "Project -> User" not in links(spec)


# --- possession and with-lists ----------------------------------------------------------------


def test_what_a_thing_has_are_its_fields_with_types_and_values() -> None:
    spec = analyze("A task has a title, due date and priority (low, medium, high).")
    assert entities(spec) == {"Task"}
    assert fields(spec, "Task") == {"title": "string", "due_date": "date", "priority": "enum"}
    assert choices(spec, "Task", "priority") == ["low", "medium", "high"]


def test_unique_and_optional_words_mark_the_field() -> None:
    spec = analyze("A subscriber has a unique email and optional notes.")
    subscriber = spec.entity("Subscriber")
    assert subscriber is not None
    email, notes = subscriber.field("email"), subscriber.field("notes")
    assert email is not None and email.unique and email.type.value == "email"
    assert notes is not None and not notes.required and notes.type.value == "text"


def test_a_with_list_describes_what_is_created() -> None:
    spec = analyze("Users create events with a title, a venue and a price.")
    assert fields(spec, "Event") == {"title": "string", "venue": "string", "price": "decimal"}
    assert links(spec) == {"Event -> User"}


# --- "X (a, b, c)": attributes make an entity, values make a choice ---------------------------


def test_attributes_in_parentheses_make_the_noun_an_entity_of_its_owner() -> None:
    spec = analyze("Each building has units (number, floor, rent).")
    assert entities(spec) == {"Building", "Unit"}
    assert fields(spec, "Unit") == {"number": "integer", "floor": "integer", "rent": "decimal"}
    assert links(spec) == {"Unit -> Building"}


def test_values_in_parentheses_make_the_noun_a_choice_field() -> None:
    spec = analyze("Tickets have a priority (low, medium, high) and a status (open, closed).")
    assert entities(spec) == {"Ticket"}
    assert fields(spec, "Ticket") == {"priority": "enum", "status": "enum"}
    assert choices(spec, "Ticket", "status") == ["open", "closed"]


def test_attributes_in_parentheses_describe_each_listed_thing() -> None:
    spec = analyze("crm: contacts (name, email), deals (amount, stage)")
    assert fields(spec, "Contact") == {"name": "string", "email": "email"}
    assert fields(spec, "Deal") == {"amount": "decimal", "stage": "string"}


def test_attributes_in_parentheses_on_a_subject_make_it_an_entity() -> None:
    spec = analyze("Units (number, floor, rent) belong to buildings.")
    assert fields(spec, "Unit") == {"number": "integer", "floor": "integer", "rent": "decimal"}
    assert "Unit -> Building" in links(spec)


# --- composition: the key goes on the part ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "part", "whole"),
    [
        ("Instructors create courses made of lessons.", "Lesson", "Course"),
        ("Each project has many tasks.", "Task", "Project"),
        ("I need to track clients and their dogs.", "Dog", "Client"),
        ("Products have a name and a price. Each product belongs to a category.", "Product",
         "Category"),
    ],
)  # fmt: skip
def test_composition_puts_the_key_on_the_part(text: str, part: str, whole: str) -> None:
    spec = analyze(text)
    assert {part, whole} <= entities(spec)
    assert f"{part} -> {whole}" in links(spec)
    assert f"{whole} -> {part}" not in links(spec)


def test_composition_in_the_passive() -> None:
    spec = analyze("Courses are made of lessons.")
    assert "Lesson -> Course" in links(spec)


def test_composition_with_consist_of() -> None:
    spec = analyze("Courses consist of lessons. Lessons have a title and a video.")
    assert "Lesson -> Course" in links(spec)


def test_belonging_alone_makes_both_entities() -> None:
    spec = analyze("Each product belongs to a category.")
    assert links(spec) == {"Product -> Category"}


def test_a_thing_that_links_two_others_has_a_key_to_each() -> None:
    spec = analyze("Appointments link a patient and a doctor with a start time.")
    assert {"Appointment -> Patient", "Appointment -> Doctor"} <= links(spec)
    assert fields(spec, "Appointment") == {"start_time": "time"}


# --- participation: a link entity with a key to each side -------------------------------------


def test_enrolling_in_courses_makes_an_enrollment_per_student_and_course() -> None:
    spec = analyze("Students enroll in courses.")
    assert entities(spec) == {"Course", "Enrollment"}
    assert named_links(spec) == {"Enrollment -> Course", "Enrollment -> User (student)"}
    assert roles(spec) == {"Student"}
    assert unique_rules(spec, "Enrollment") == [(["student", "course"], None)]


def test_signing_up_for_shifts_makes_a_signup_per_volunteer_and_shift() -> None:
    spec = analyze("Volunteers sign up for shifts.")
    signup = next(iter(entities(spec) - {"Shift"}))
    assert signup in {"Signup", "ShiftSignup"}
    assert named_links(spec) == {f"{signup} -> Shift", f"{signup} -> User (volunteer)"}
    assert roles(spec) == {"Volunteer"}


def test_borrowing_books_makes_a_loan() -> None:
    spec = analyze("Members borrow books.")
    assert entities(spec) == {"Book", "Loan"}
    assert links(spec) == {"Loan -> Book", "Loan -> User"}
    assert fields(spec, "Loan")["due_date"] == "date"


def test_leaving_comments_on_posts_stores_comments() -> None:
    spec = analyze("Readers leave comments on posts.")
    assert "Comment -> Post" in links(spec)


def test_booking_rooms_makes_a_booking() -> None:
    spec = analyze("Guests book rooms.")
    assert {"Booking -> Room", "Booking -> User"} <= links(spec)


# --- tagging ----------------------------------------------------------------------------------


def test_letting_users_tag_posts_makes_a_many_to_many() -> None:
    spec = analyze("Let users tag posts.")
    assert entities(spec) == {"Post", "Tag"}
    assert links(spec) == {"Post *-* Tag"}


# --- people: roles, profiles, records ---------------------------------------------------------


def test_people_who_act_are_roles_of_the_user_not_tables() -> None:
    spec = analyze("Volunteers sign up for shifts. Coordinators manage locations.")
    assert not {"Volunteer", "Coordinator"} & entities(spec)
    assert roles(spec) == {"Volunteer", "Coordinator"}
    assert "'Volunteers' was read as a user role (Volunteer), not a table." in notes(spec)
    assert "'Coordinators' was read as a user role (Coordinator)" in notes(spec)


def test_people_who_act_and_have_data_get_a_profile_one_per_user() -> None:
    spec = analyze("Instructors have a bio and a photo. Instructors create courses.")
    assert fields(spec, "Instructor") == {"bio": "text", "photo": "image"}
    assert {"Instructor 1-1 User", "Course -> Instructor"} <= links(spec)
    assert "Instructor is a profile, one per user" in notes(spec)


def test_people_someone_else_manages_are_records() -> None:
    spec = analyze("Teachers manage students and enter their grades.")
    assert "Student" in entities(spec)
    assert "Teacher" not in entities(spec)
    assert roles(spec) == {"Teacher"}


# --- text with nothing to store ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "asdf qwer zxcv hello",
        "hello world",
        "lorem ipsum dolor sit amet",
        "The app should be fast, secure and easy to use.",
    ],
)
def test_text_with_no_domain_content_is_refused_with_what_to_write(text: str) -> None:
    with pytest.raises(AnalysisError) as refused:
        analyze(text)
    message = str(refused.value)
    assert "names nothing the app would store" in message
    assert "Describe the things your app keeps" in message
    assert requirements_problem(text) == message


def test_empty_and_too_long_texts_are_refused_saying_so() -> None:
    assert "The requirements are empty" in (requirements_problem("  \n ") or "")
    too_long = "Users create projects. " * (MAX_REQUIREMENTS_CHARS // 20)
    assert "the limit is 20,000" in (requirements_problem(too_long) or "")
    with pytest.raises(AnalysisError, match="the limit is"):
        analyze(too_long)


def test_a_readable_text_has_no_problem() -> None:
    assert requirements_problem("Users create projects; each project has many tasks.") is None


def test_an_emoji_title_gives_a_spec() -> None:
    spec = analyze("🎉 app: tasks, projects")
    assert entities(spec) == {"Task", "Project"}


# --- warnings for what was not modelled -------------------------------------------------------


def test_a_domain_noun_left_out_of_the_model_is_named_in_a_warning() -> None:
    spec = analyze(
        "Members post recipes with a title and a cooking time. Recipes are printed in a cookbook."
    )
    assert entities(spec) == {"Recipe"}
    assert (
        "'cookbook' is mentioned but was not modelled; add it if the app stores it."
        in spec.warnings
    )


def test_a_fully_modelled_text_has_no_warnings() -> None:
    spec = analyze("Each building has units (number, floor, rent).")
    assert spec.warnings == []


# --- layouts: terse notes, bullets under headings, backlogs -----------------------------------


def test_terse_notes_list_the_things_and_name_the_app() -> None:
    spec = analyze("crm: contacts, companies, deals")
    assert entities(spec) == {"Contact", "Company", "Deal"}
    assert spec.name == "CRM"


def test_terse_notes_with_a_dash_and_plus_signs() -> None:
    spec = analyze("my bakery - cakes, orders, deliveries. orders have date + price + notes")
    assert entities(spec) == {"Cake", "Order", "Delivery"}
    assert fields(spec, "Order") == {"date": "date", "price": "decimal", "notes": "text"}


def test_bullets_under_headings_are_the_fields_of_the_heading() -> None:
    spec = analyze("Patients:\n- name\n- date of birth\n- phone\n\nAppointments:\n- date\n- reason")
    assert entities(spec) == {"Patient", "Appointment"}
    assert fields(spec, "Patient") == {"name": "string", "date_of_birth": "date", "phone": "string"}
    assert fields(spec, "Appointment") == {"date": "date", "reason": "string"}


def test_bullets_under_a_markdown_heading() -> None:
    spec = analyze("## Products\n- name\n- price\n- stock")
    assert fields(spec, "Product") == {"name": "string", "price": "decimal", "stock": "integer"}


RECIPE_BACKLOG = """\
As a member, I want to post recipes with ingredients.
As a member, I want to comment on recipes.
As a member, I want to rate recipes.
As a moderator, I want to delete comments.
As a moderator, I want to ban members.
As a visitor, I want to search recipes.
"""


def test_a_handful_of_stories_is_read_like_prose() -> None:
    # Given six stories by three personas, when they are analysed
    spec = analyze(RECIPE_BACKLOG)
    # Then every stored thing counts, the personas are roles and search is no table
    assert entities(spec) == {"Recipe", "Ingredient", "Comment", "Rating"}
    assert {"Ingredient *-* Recipe", "Comment -> Recipe", "Rating -> Recipe"} <= links(spec)
    assert roles(spec) == {"Member", "Moderator", "Visitor"}


def test_a_backlog_models_what_the_stories_keep_coming_back_to() -> None:
    # Given a backlog of 24 stories where ingredients come up in one story only
    stories = RECIPE_BACKLOG.replace("recipes with ingredients", "recipes").splitlines()
    backlog = "\n".join([*(stories * 4)[:-1], "As a member, I want to list ingredients."])
    spec = analyze(backlog)
    # Then the recurring things are entities and the one-off noun is named in a warning
    assert entities(spec) == {"Recipe", "Comment", "Rating"}
    assert {"Comment -> Recipe", "Rating -> Recipe"} <= links(spec)
    assert any("'ingredients' is mentioned but was not modelled" in w for w in spec.warnings)


# --- validations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entity", "rule"),
    [
        ("Events have a title, a start date and an end date.", "Event",
         ("end_date", "gt", "start_date")),
        ("Shifts have a start time and an end time.", "Shift", ("end_time", "gt", "start_time")),
        ("Bookings have a check-in date and check-out date.", "Booking",
         ("check_out_date", "gt", "check_in_date")),
    ],
)  # fmt: skip
def test_an_end_must_come_after_its_start(
    text: str, entity: str, rule: tuple[str, str, str]
) -> None:
    assert comparisons(analyze(text), entity) == [rule]


def test_the_number_of_people_needed_is_a_positive_count() -> None:
    spec = analyze("Each shift has a date and the number of volunteers needed.")
    shift = spec.entity("Shift")
    assert shift is not None
    needed = shift.field("volunteers_needed")
    assert needed is not None and needed.type.value == "integer"
    assert needed.min_value == 1


def test_a_plain_number_of_things_is_a_count_from_zero() -> None:
    spec = analyze("A workshop has a title and the number of seats.")
    workshop = spec.entity("Workshop")
    assert workshop is not None
    seats = workshop.field("number_of_seats")
    assert seats is not None and seats.type.value == "integer" and seats.min_value == 0


def test_one_correct_answer_is_a_flag_unique_per_question() -> None:
    spec = analyze("Each question has several options and one correct answer.")
    assert entities(spec) == {"Question", "Option"}
    assert fields(spec, "Option") == {"is_correct": "boolean"}
    assert links(spec) == {"Option -> Question"}
    assert unique_rules(spec, "Option") == [(["question"], "is_correct")]
    assert "Only one option per question can be marked correct." in notes(spec)


def test_a_start_and_an_end_of_unknown_type_keep_the_model() -> None:
    spec = analyze("Reservations have a start and an end.")
    assert entities(spec) == {"Reservation"}


def test_a_range_bounds_a_number() -> None:
    spec = analyze("Rooms have a name and a capacity between 1 and 500.")
    room = spec.entity("Room")
    assert room is not None
    capacity = room.field("capacity")
    assert capacity is not None and (capacity.min_value, capacity.max_value) == (1, 500)


def test_dates_in_a_from_to_phrase_are_fields() -> None:
    spec = analyze("Events have a title. Events run from a start date to an end date.")
    assert fields(spec, "Event") == {"title": "string", "start_date": "date", "end_date": "date"}


def test_a_possessive_noun_owns_the_thing() -> None:
    spec = analyze("We store each client's dogs and every dog's walks.")
    assert {"Client", "Dog", "Walk"} <= entities(spec)
    assert {"Dog -> Client", "Walk -> Dog"} <= links(spec)


# --- links the text implies through its verbs -------------------------------------------------


def test_coordinated_verbs_after_a_modal_are_a_sentence_not_a_list() -> None:
    spec = analyze("A recipe has a title. Users can rate and review recipes, and search recipes.")
    assert "Review" in entities(spec)
    assert {"Review -> Recipe", "Review -> User"} <= links(spec)


def test_plural_applications_are_records_not_the_app() -> None:
    spec = analyze(
        "Job board where companies post job listings with a title and a salary. "
        "Candidates submit applications to job listings with a resume and a cover letter."
    )
    assert "Application" in entities(spec)
    assert "Application -> JobListing" in links(spec)


def test_links_to_a_short_name_follow_it_into_the_longer_one() -> None:
    spec = analyze(
        "The garage has parking spots; each spot has a number. "
        "Drivers make reservations for a spot with a start time and an end time."
    )
    assert "Spot" not in entities(spec)
    assert "Reservation -> ParkingSpot" in links(spec)


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Weather stations record observations. Each observation has a temperature.",
         "Observation -> WeatherStation"),
        ("Every page has a title and keeps many revisions.", "Revision -> Page"),
    ],
)  # fmt: skip
def test_a_thing_that_records_things_owns_them(text: str, link: str) -> None:
    assert link in links(analyze(text))


def test_keeping_records_of_things_is_what_the_app_does() -> None:
    spec = analyze("A vet clinic keeps records of pets and their owners. Each pet has a name.")
    assert "Clinic" not in entities(spec)
    assert not any(link.endswith("-> Clinic") for link in links(spec))


def test_a_thing_said_to_be_for_another_refers_to_it() -> None:
    spec = analyze("Polls have several choices. People vote on polls; each vote is for one choice.")
    assert "Vote -> Choice" in links(spec)


def test_a_compound_name_is_a_part_of_its_first_word() -> None:
    spec = analyze(
        "Invoicing: clients, invoices and invoice lines. An invoice has a number. "
        "Each invoice line has a description and a quantity."
    )
    assert "InvoiceLine -> Invoice" in links(spec)


def test_a_review_of_nothing_named_is_about_the_main_thing_and_says_so() -> None:
    spec = analyze("Movie reviews. Movies have a title and a genre. Users write reviews with a "
                   "rating and a comment.")  # fmt: skip
    assert "Review -> Movie" in links(spec)
    assert "Each review was taken to be about a movie" in notes(spec)


def test_a_noun_named_in_passing_stays_out_and_the_warnings_name_it() -> None:
    spec = analyze(
        "Each dog has a name and a breed. Walks have a date and a price. "
        "On rainy days we bring a towel."
    )
    assert entities(spec) == {"Dog", "Walk"}
    assert (
        "'towel' is mentioned but was not modelled; add it if the app stores it." in spec.warnings
    )


def test_one_person_of_mine_in_the_app_sentence_is_not_a_table() -> None:
    spec = analyze("I run a dog walking business with my sister. Each dog has a name.")
    assert entities(spec) == {"Dog"}


def test_things_in_a_bare_list_stay_although_nothing_is_said_about_them() -> None:
    assert entities(analyze("crm: contacts, companies, deals")) == {"Contact", "Company", "Deal"}


def test_a_semicolon_ends_a_clause_of_its_own() -> None:
    spec = analyze(
        "Campsite bookings. The campsite has pitches with a number and a nightly price. "
        "Guests book pitches for a range of dates; each booking has an arrival date."
    )
    assert {"Booking -> Pitch", "Booking -> User"} <= links(spec)


def test_a_thing_and_its_people_point_at_the_people() -> None:
    spec = analyze("A clinic keeps records of pets and their owners. Each pet has a name.")
    assert "Pet -> Owner" in links(spec)
    assert "Owner -> Pet" not in links(spec)


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Episodes have a title. Listeners leave comments on episodes.", "Comment -> User"),
        ("Lectures have a title. Students give feedback on lectures.", "Feedback -> User"),
        ("Forum: users start threads and reply with posts. Each thread has a title.",
         "Thread -> User"),
    ],
)  # fmt: skip
def test_what_people_write_or_start_is_theirs(text: str, link: str) -> None:
    assert link in links(analyze(text))


def test_my_things_in_a_story_are_mine() -> None:
    spec = analyze(
        "As a parent I want to add my children with their first name and school.\n"
        "As a parent I want to offer a ride on a date with a departure time.\n"
        "As a parent I want to book a seat for one of my children on a ride."
    )
    assert "Child -> User" in links(spec)


def test_a_sentence_read_as_one_noun_phrase_is_read_again_as_a_sentence() -> None:
    spec = analyze(
        "Coworking space booking\n- Desks: code, floor, has monitor flag\n"
        "- Meeting rooms: name, capacity, hourly rate\n"
        "- Members book desks and meeting rooms for a date with a start time and an end time"
    )
    assert {"Booking -> Desk", "Booking -> User"} <= links(spec)


def test_booking_two_kinds_of_thing_links_the_booking_to_both() -> None:
    spec = analyze("Rooms have a name. Desks have a code. Members book rooms and desks.")
    assert {"Booking -> Room", "Booking -> Desk", "Booking -> User"} <= links(spec)


def test_a_titled_list_under_a_compound_of_an_abstract_word_describes_a_thing() -> None:
    spec = analyze("aquarium log\ntanks — name, litres, setup date\n"
                   "water tests — tank, date, ph, nitrate, temperature")  # fmt: skip
    assert "WaterTest" in entities(spec)
    assert "WaterTest -> Tank" in links(spec)
    assert fields(spec, "Tank")["litres"] == "decimal"


def test_a_hyphenated_phrasal_noun_is_one_thing() -> None:
    spec = analyze("habits have a name and a target per week; every day I log check-ins for a "
                   "habit with a date and an optional note")  # fmt: skip
    assert "CheckIn -> Habit" in links(spec)
    assert fields(spec, "CheckIn") == {"date": "date", "note": "text"}


def test_a_list_after_a_clause_and_a_colon_details_the_clause_object() -> None:
    spec = analyze(
        "Each fridge has a name. Volunteers who drop off food log a donation: which fridge, "
        "what was dropped off, roughly how many kilos and the use-by date."
    )
    assert fields(spec, "Donation") == {"kilos": "decimal", "use_by_date": "date"}
    assert {"Donation -> Fridge", "Donation -> User"} <= links(spec)


def test_people_who_do_not_log_in_are_records_not_a_role() -> None:
    spec = analyze(
        "Owners are kept with their name and email; an owner can have several dogs. "
        "Each dog has a name. Owners don't book online, my receptionist does that."
    )
    assert "Owner" in entities(spec)
    assert "Owner" not in roles(spec)


def test_the_subject_nearest_the_verb_acts() -> None:
    spec = analyze("pub darts league. teams (name, pub), players belong to a team.")
    assert "Player -> Team" in links(spec)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Funerals have a date. Our funeral directors are assigned to funerals.", "Director"),
        ("repair shop. tickets have a fault and a status. techs assigned to tickets.", "Tech"),
    ],
)
def test_people_assigned_to_things_work_on_them(text: str, role: str) -> None:
    spec = analyze(text)
    assert role in roles(spec)
    assert any(link.endswith("-> User") for link in links(spec))


def test_signing_up_for_a_named_day_makes_a_signup() -> None:
    spec = analyze(
        "As a volunteer, I want to sign up for a planting day.\n"
        "As an organiser, I want to add planting days with a date and a place."
    )
    assert "PlantingDay" in entities(spec)
    assert any(link.endswith("-> PlantingDay") for link in links(spec))


@pytest.mark.parametrize(
    "text",
    [
        "Services such as bath or nail trim each have a name and a price. Dogs have a name. "
        "Each appointment books services for a duration.",
        "Tastings run on Friday and Sunday. Each tasting has a date and a price.",
    ],
)
def test_values_and_weekdays_are_never_tables(text: str) -> None:
    assert not entities(analyze(text)) & {"Duration", "Friday", "Sunday"}


def test_a_list_after_a_late_colon_details_the_nearest_clause_object() -> None:
    spec = analyze(
        "Archery club\n- rounds: name, distance in metres, number of arrows\n"
        "- every time an archer shoots a round we save a score: date, total, number of golds"
    )
    assert {"date", "total"} <= set(fields(spec, "Score"))
    assert "date" not in fields(spec, "Round")


def test_a_persona_with_a_phrase_after_it_is_named_by_its_noun() -> None:
    spec = analyze(
        "As a driver of the mobile library, I want to see today's route with its stops.\n"
        "As a parent in the co-op, I want to post a sitting request with a date."
    )
    assert {"Driver", "Parent"} <= roles(spec)


def test_values_named_in_the_plural_for_many_records_are_one_per_record() -> None:
    spec = analyze("As a parent, I want to list my children with their first names and ages.")
    assert {"first_name", "age"} <= set(fields(spec, "Child"))


def test_our_place_that_has_things_is_the_business_not_a_table() -> None:
    spec = analyze("Our sports centre has six courts. Every court has a number and a surface.")
    assert entities(spec) == {"Court"}


def test_terse_definitions_and_shorthand() -> None:
    spec = analyze(
        "farrier visits. yards (name, addr) hv horses (name, shoe size). visit = date + yard"
    )
    assert {"Horse -> Yard", "Visit -> Yard"} <= links(spec)
    assert fields(spec, "Yard") == {"name": "string", "address": "string"}
    assert fields(spec, "Visit") == {"date": "date"}


def test_people_leave_ratings_and_book_places_at_sessions() -> None:
    spec = analyze(
        "Each tasting has a date and a theme. Wines have a name and a vintage. "
        "Guests book places at a tasting, saying how many people are coming. "
        "Afterwards guests may leave a rating of one to five for each wine."
    )
    assert {"Booking -> Tasting", "Rating -> Wine", "Rating -> User"} <= links(spec)


def test_products_like_shirts_is_not_a_verb() -> None:
    spec = analyze(
        "merch table stock for our tours. products like shirts, hoodies, totes - each has a "
        "name and price. every product comes in sizes with its own stock count."
    )
    assert "Like" not in entities(spec)


def test_what_a_story_wants_to_create_is_a_thing() -> None:
    spec = analyze(
        "As a performer, I want to sign up for a slot at a night.\n"
        "As the organiser, I want to create nights with a date, a venue and a number of slots."
    )
    assert {"date", "venue"} <= set(fields(spec, "Night"))


def test_a_choice_line_under_a_heading_gives_the_heading_thing_a_choice() -> None:
    spec = analyze(
        "Ski hire shop\n\nEquipment\n- type: skis, boots, poles, helmet, snowboard\n"
        "- brand, size, barcode, condition, daily price\n"
    )
    assert entities(spec) == {"Equipment"}
    assert any(f.type.value == "enum" for e in spec.entities for f in e.fields)


def test_a_dash_after_a_titled_list_starts_a_sentence_of_its_own() -> None:
    spec = analyze(
        "Businesses: name, address, contact phone\n"
        "Bins: size in litres, colour (clear, green, brown) — a business has one or more bins"
    )
    assert "Bin -> Business" in links(spec)
    assert "colour" in fields(spec, "Bin")


def test_a_record_for_each_thing_lists_the_things_fields() -> None:
    spec = analyze(
        "As a care coordinator, I want to keep a record for each client: name, address, "
        "key safe code, care needs.\n"
        "As a client's relative, I want to read the visit notes."
    )
    assert {"name", "address", "key_safe_code"} <= set(fields(spec, "Client"))
    assert "Record" not in entities(spec)
    assert "Relative" in roles(spec)


def test_booking_a_person_onto_a_thing_books_the_thing_for_them() -> None:
    spec = analyze(
        "As a parent, I want to book my child onto a block of skating lessons.\n"
        "As a parent, I want to add my children with their name and skate size."
    )
    assert {"Booking -> Block", "Booking -> Child"} <= links(spec)


def test_sentences_after_a_colon_are_not_details_of_its_object() -> None:
    spec = analyze("I want to plan my vegetable garden: beds have a size and a location, and I "
                   "plant crops in beds with a sowing date.")  # fmt: skip
    assert "Garden" not in entities(spec)


def test_things_people_upload_or_raise_are_kept_though_nothing_else_is_said() -> None:
    spec = analyze(
        "Customers open tickets. A ticket has a subject and a status. "
        "Agents reply to tickets with messages. Attachments can be uploaded."
    )
    assert "Attachment" in entities(spec)


def test_registering_my_own_things_adds_them_rather_than_joining() -> None:
    spec = analyze("As an exhibitor, I want to register my dogs once with their registered name, "
                   "breed, sex and date of birth.")  # fmt: skip
    assert "Registration" not in entities(spec)
    assert {"breed", "date_of_birth"} <= set(fields(spec, "Dog"))


def test_values_in_parentheses_inside_an_attribute_run_make_a_choice() -> None:
    spec = analyze("For each dog I want the name, the breed, the coat type (short, wire, long or "
                   "curly) and the date of birth.")  # fmt: skip
    assert fields(spec, "Dog")["coat_type"] == "enum"
    assert choices(spec, "Dog", "coat_type") == ["short", "wire", "long", "curly"]


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Tables have a number and a number of seats; each guest sits at a table. Guests have a "
         "name and an email.", "Guest -> Table"),
        ("Customers rent cars from branches. A car has a licence plate and a daily rate. "
         "Branches have a city.", "Car -> Branch"),
    ],
)  # fmt: skip
def test_where_things_sit_and_come_from(text: str, link: str) -> None:
    assert link in links(analyze(text))


def test_slash_values_of_a_choice_line_under_a_heading() -> None:
    spec = analyze("Bookings\n- date, start and end time, purpose\n"
                   "- status: pending / confirmed / cancelled\n")  # fmt: skip
    assert entities(spec) == {"Booking"}
    assert choices(spec, "Booking", "status") == ["pending", "confirmed", "cancelled"]


def test_a_status_with_its_values_after_a_dash_is_a_choice() -> None:
    spec = analyze("Kilns have a name. Every piece has a status — waiting, fired, collected")
    assert entities(spec) == {"Kiln", "Piece"}
    assert choices(spec, "Piece", "status") == ["waiting", "fired", "collected"]


def test_a_list_titled_after_the_app_title_belongs_to_its_own_title() -> None:
    spec = analyze(
        "phone repair shop - tickets: cust name+phone, device model, imei, fault, status "
        "(recvd/in repair/ready/collected)\ntechs assigned to tickets."
    )
    assert entities(spec) == {"Ticket"}
    assert {"device_model", "imei", "fault", "status"} <= set(fields(spec, "Ticket"))
    assert "Ticket -> User" in links(spec)


def test_which_has_gives_the_relative_clause_owner_its_fields() -> None:
    spec = analyze("Each work order comes from a dental practice, which has a name, an address "
                   "and a delivery route.")  # fmt: skip
    assert {"name", "address", "delivery_route"} <= set(fields(spec, "Practice"))


def test_what_someone_makes_for_a_list_of_values_gets_them() -> None:
    spec = analyze(
        "A client organisation makes a booking for a date, a start and end time and an address."
    )
    assert {"date", "address"} <= set(fields(spec, "Booking"))


def test_a_relative_clause_after_a_list_item_is_not_a_field() -> None:
    spec = analyze("Every interpreter has a profile with their qualifications, the regions they "
                   "cover and an hourly rate.")  # fmt: skip
    assert not any("they" in name for e in spec.entities for name in fields(spec, e.name))


def test_we_register_things_records_them_rather_than_joining() -> None:
    spec = analyze("Visitors bring broken items, and at the door we register each item with the "
                   "owner's first name and a category (electrical, textile, other).")  # fmt: skip
    assert "Registration" not in entities(spec)
    assert "category" in fields(spec, "Item")


def test_the_description_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "Each project has tasks with a title and a due date. " * 10
    description = analyze(text).description
    assert len(description) <= 300 and description.endswith(" …")
    assert text.startswith(description[:-2])


def test_the_roles_that_make_records_create_them() -> None:
    spec = analyze("An online course platform where instructors create courses made of lessons; "
                   "students enroll in courses.")  # fmt: skip
    creates = {role.name: role.creates for role in spec.roles}
    assert creates == {"Instructor": ["Course"], "Student": ["Enrollment"]}


def test_a_single_role_restricts_nothing() -> None:
    spec = analyze("Volunteers sign up for shifts. Each shift has a date and a start time.")
    assert all(role.creates == [] for role in spec.roles)


# --- attribute names in any phrasing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entity", "field"),
    [
        ("An adverse event has a description, a severity and whether it was serious.",
         "Event", "serious"),
        ("A job has an address, a price and whether it's urgent.", "Job", "urgent"),
        ("Each incident has a time, a type and whether an ambulance was called.",
         "Incident", "ambulance_called"),
        ("Members make a reservation for a hut, giving the arrival date, the number of nights "
         "and whether they want half board.", "Reservation", "half_board"),
        ("Every loan has a due date and whether the tool came back damaged.", "Loan", "damaged"),
    ],
)  # fmt: skip
def test_a_whether_clause_is_a_yes_no_field_named_by_its_content(
    text: str, entity: str, field: str
) -> None:
    assert fields(analyze(text), entity).get(field) == "boolean"


def test_the_kind_of_something_is_a_type_field() -> None:
    spec = analyze("For each garment we note the kind of garment (dress, veil, suit or other), the "
                   "colour and the label.")  # fmt: skip
    name = next(n for n in ("garment_type", "kind") if n in fields(spec, "Garment"))
    assert choices(spec, "Garment", name) == ["dress", "veil", "suit", "other"]
    job = analyze("The dispatcher creates a job with an address and the kind of problem "
                  "(lockout, broken lock).")  # fmt: skip
    assert fields(job, "Job")["problem_type"] == "enum"


def test_a_trailing_phrase_naming_the_owner_or_a_person_is_not_part_of_the_name() -> None:
    spec = analyze("A stamp has a country, a face value and a scan of the stamp. A fitting has a "
                   "date and notes from the seamstress.")  # fmt: skip
    assert "scan" in fields(spec, "Stamp")
    assert "notes" in fields(spec, "Fitting")


def test_a_leading_verb_before_a_phrase_is_not_part_of_the_name() -> None:
    spec = analyze("Members make a reservation for a hut, giving the arrival date, the number of "
                   "nights and the number of people.")  # fmt: skip
    assert "arrival_date" in fields(spec, "Reservation")
    assert "number_of_people" in fields(spec, "Reservation")


def test_an_id_is_one_word() -> None:
    spec = analyze("Vending machines: machine id, site, model.")
    assert "machine_id" in fields(spec, "Machine")


# --- titled lists -----------------------------------------------------------------------------


def test_a_plural_title_over_attributes_names_things_even_when_it_could_be_a_value() -> None:
    # Given "stage" and "category" could each be a choice field of something else
    spec = analyze("Rally timing\n- Crews: car number, driver, class\n"
                   "- Stages: stage number, name, distance in km\n"
                   "- Categories: name, max size (cm)")  # fmt: skip
    # Then the titled lists describe things with those fields
    assert {"Crew", "Stage", "Category"} <= entities(spec)
    assert {"name", "distance_km"} <= set(fields(spec, "Stage"))


def test_a_title_over_counts_and_measures_describes_a_thing() -> None:
    # "number of seats" and "hours flown" are values of a glider, not things of the app
    spec = analyze(
        "Gliders: registration, type, number of seats, hours flown\n"
        "Flights: glider, pilot, launch method (winch or aerotow), landing time"
    )
    assert {"registration", "number_of_seats", "hours_flown"} <= set(fields(spec, "Glider"))
    assert "Flight -> Glider" in links(spec)


def test_a_hyphenated_particle_noun_stays_one_thing() -> None:
    spec = analyze("As an organiser I want to announce a clean-up with a meeting point and a "
                   "date.\nAs an organiser I want to record what was collected at each clean-up: "
                   "number of bags, weight in kg.")  # fmt: skip
    assert "Clean" not in entities(spec)
    assert {"meeting_point", "date", "number_of_bags"} <= set(fields(spec, "CleanUp"))


# --- terse notes ------------------------------------------------------------------------------


def test_a_terse_list_of_things_each_with_its_own_fields() -> None:
    # Given a note whose items carry their own attribute lists and "per" links
    spec = analyze("sports physio clinic - patients (name, sport, dob, phone), injuries per "
                   "patient (body part, date, diagnosis), sessions per injury w/ date, pain "
                   "score 0-10, notes.")  # fmt: skip
    # Then each item is a thing with its fields, linked as "per" says, and the with-list goes on
    # past the commas while its items are attributes
    assert "Clinic" not in entities(spec)
    assert {"body_part", "date", "diagnosis"} <= set(fields(spec, "Injury"))
    assert {"Injury -> Patient", "AppSession -> Injury"} <= links(spec)
    assert {"date", "pain_score", "notes"} <= set(fields(spec, "AppSession"))


def test_a_dashed_range_after_a_word_is_a_range() -> None:
    spec = analyze("Reviews: rating 1-5, comment.")
    rating = spec.entity("Review").field("rating")  # type: ignore[union-attr]
    assert (rating.min_value, rating.max_value) == (1, 5)


def test_a_second_separator_names_the_thing_after_the_apps_title() -> None:
    spec = analyze("coin collection: coin = country, denomination, year, mint mark, grade "
                   "(VF/EF/UNC), est value.")  # fmt: skip
    assert entities(spec) == {"Coin"}
    assert {"country", "year", "mint_mark", "grade"} <= set(fields(spec, "Coin"))


# --- values, not things -----------------------------------------------------------------------


def test_the_values_of_a_possessed_status_are_a_choice_of_its_owner() -> None:
    spec = analyze(
        "As a researcher, I want to submit a report with a title.\n"
        "As a triager, I want to change a report's status (new, triaged, duplicate, resolved)."
    )
    assert "Status" not in entities(spec)
    assert choices(spec, "Report", "status") == ["new", "triaged", "duplicate", "resolved"]


def test_a_severity_or_priority_with_nothing_stored_is_a_value() -> None:
    spec = analyze("Researchers submit reports with a title and a severity. Triagers set the "
                   "final severity and the priority of each report.")  # fmt: skip
    assert not {"Severity", "Priority"} & entities(spec)


def test_a_maximum_of_a_thing_is_a_value_of_the_owner() -> None:
    spec = analyze("Companies publish programs with a scope description and a maximum reward. "
                   "Companies pay a reward for each resolved report.")  # fmt: skip
    assert "maximum_reward" in fields(spec, "Program")
    assert "Program -> Reward" not in links(spec)


def test_a_field_named_after_another_entity_is_a_key_to_it() -> None:
    spec = analyze("Ambulances: call sign, base station, status (available, en route)\n"
                   "Stations: name, address")  # fmt: skip
    assert "base_station" not in fields(spec, "Ambulance")
    assert "Ambulance -> Station (base_station)" in named_links(spec)


def test_times_kept_by_a_thing_are_its_moments() -> None:
    spec = analyze("Dispatchers assign ambulances to calls. Each assignment keeps times: "
                   "dispatched, arrived on scene, left scene.")  # fmt: skip
    moments = ("dispatched", "arrived_on_scene", "left_scene")
    assert {name: fields(spec, "Assignment").get(name) for name in moments} == dict.fromkeys(
        moments, "datetime"
    )
    assert "Time" not in entities(spec)


# --- passives ---------------------------------------------------------------------------------


def test_a_thing_made_by_a_person_in_the_passive_keys_to_them() -> None:
    spec = analyze("Routes are set by our setters; each route has a grade and a colour.")
    assert "Route -> User (setter)" in named_links(spec)


def test_a_verb_joined_to_a_passive_shares_its_subject() -> None:
    spec = analyze("Maintenance requests are raised by tenants and have a description, a "
                   "priority (low, normal, urgent) and a status.")  # fmt: skip
    assert {"description", "priority", "status"} <= set(fields(spec, "MaintenanceRequest"))
    assert "MaintenanceRequest -> User (tenant)" in named_links(spec)


# --- places the app keeps ---------------------------------------------------------------------


def test_sites_with_data_of_their_own_are_kept_not_the_app() -> None:
    trial = analyze("Participants are enrolled at a site. Each site has a name and a city.")
    assert {"name", "city"} <= set(fields(trial, "AppSite"))
    dives = analyze("Divers log dives at dive sites. Each dive site has a name and a maximum "
                    "depth.")  # fmt: skip
    assert {"name", "maximum_depth"} <= set(fields(dives, "DiveSite"))


def test_a_with_list_after_the_place_describes_what_the_verb_makes() -> None:
    spec = analyze("Organisers publish trips to islands with a date, a boat and a price.")
    assert {"date", "boat", "price"} <= set(fields(spec, "Trip"))


def test_a_tool_with_values_of_its_own_is_kept() -> None:
    spec = analyze("Our tool library lends tools to members. Each tool has a name, a brand, a "
                   "condition (new, good, worn) and a replacement value.")  # fmt: skip
    assert {"brand", "condition", "replacement_value"} <= set(fields(spec, "Tool"))


def test_a_list_item_with_a_participle_is_not_a_clause() -> None:
    # "salt used" is a value of the run, not a sentence that breaks the list
    spec = analyze("routes: name, priority. trucks: reg, capacity tonnes, depot.\n"
                   "runs: route + truck + driver, start, finish, salt used")  # fmt: skip
    assert {"Run -> Route", "Run -> Truck"} <= links(spec)
    assert "CapacityTonne" not in entities(spec)


def test_non_members_who_cannot_book_leave_members_users() -> None:
    spec = analyze("Members make a reservation for a hut with an arrival date. Non-members can't "
                   "book.")  # fmt: skip
    assert "Member" in roles(spec)
    assert "Member" not in entities(spec)


def test_the_list_after_giving_describes_the_thing_made() -> None:
    spec = analyze("As a member, I want to suggest a film for a future screening, giving the "
                   "title, the year and a link to the trailer.")  # fmt: skip
    assert {"title", "year", "trailer"} <= set(fields(spec, "Film"))


def test_people_registered_or_enrolled_are_records() -> None:
    spec = analyze("Patients are registered with their name, date of birth and address. Patients "
                   "can then order glasses.")  # fmt: skip
    assert "Patient" in entities(spec)
    assert "Patient 1-1 User" not in links(spec)
    assert "Patient" not in roles(spec)
