"""Domain hints: what an English parser cannot know about apps.

The parser says which words are nouns and verbs and how they hang together; it cannot say that
"volunteer" names a person, that "enroll" creates an Enrollment, or that "search" is a feature
rather than a table. Those few facts live here, as small word sets keyed by lemma. Field types
("price" is money) live in fields.py.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# People. A lemma here, an agent noun ("walker", "dentist", "applicant") or a story's persona
# names a person; whether a person is a role of the user or a stored record is decided later.
PERSON_NOUNS = _words(
    """
    user member customer client tech employee student teacher instructor doctor patient trainer
    staff manager agent author editor reader buyer seller guest host tenant landlord driver
    owner volunteer subscriber attendee participant applicant candidate recruiter player coach
    parent tutor nurse librarian waiter chef technician mechanic freelancer contributor viewer
    listener shopper traveler traveller renter organizer organiser speaker voter respondent
    person people worker employer admin administrator moderator learner creator writer
    maintainer developer tester reporter assignee reviewer approver supervisor vet researcher
    scientist engineer lawyer accountant consultant surgeon coordinator visitor superuser
    resident homeowner investor donor sponsor judge referee umpire athlete fan follower friend
    child kid adult family pupil professor lecturer faculty physician dentist therapist
    clinician caregiver officer inspector auditor analyst curator archivist cataloger
    cataloguer librarian publisher depositor submitter uploader scholar humanist historian
    planner designer artist musician photographer blogger vendor supplier merchant dealer
    broker realtor agent lender borrower owner operator dispatcher courier rider passenger
    pilot crew employee intern mentor mentee advisor adviser counselor counsellor steward
    """
)
# Endings that make an agent noun of a word the dictionary knows ("walker", "dentist").
AGENT_ENDINGS = ("er", "or", "ist", "ian", "ant", "ee")
NOT_PEOPLE = _words(
    """
    order number letter folder poster sticker filter header footer paper chapter quarter
    center centre meter metre counter register computer server browser player-card error
    calendar timer trailer banner marker charger container answer cover corner border
    master character member-card parameter layer power water weather winter summer color
    colour floor door matter offer transfer voucher ledger planner-page vector sensor factor
    monitor motor tractor elevator sector minor interior exterior ancestor indicator
    calculator generator editor-page distributor-code list playlist checklist wishlist
    watchlist artist register-entry item trainee-plan warrant guarantee fee committee
    tee decree degree coffee jubilee toffee printer scanner reminder router heater tracker
    scheduler builder finder recorder converter adapter adaptor locker holder binder blender
    cooker sprinkler boiler feeder charger dispenser shutter
    """
)

# Nouns that name what the app is, not what it stores ("a blog", "a task manager").
APP_NOUNS = _words(
    """
    app application system platform website site webapp software tool service portal solution
    """
)
# App words that never name a stored thing ("application" and "service" can: "job applications").
APP_ONLY_NOUNS = _words("app webapp website site software platform system tool")
APP_KIND_NOUNS = _words(
    """
    manager tracker planner organizer organiser catalog catalogue board log diary journal
    management scheduler builder maker finder directory registry hub crm erp lms cms biz
    business marketplace store shop blog forum wiki
    """
)

# Nouns that name a feature or a part of the screen, never a stored thing.
FEATURE_NOUNS = _words(
    """
    authentication auth login logout signin registration authorization permission access
    search filter filtering sorting sort pagination notification realtime upload export
    import reporting analytics statistic stats chart graph insight dashboard crud password
    verification oauth sso integration backup localization translation caching logging
    monitoring deployment hosting api feature functionality function capability interface ui
    ux screen view page button form field input menu tab link popup modal window layout
    design theme style mode homepage website navigation sidebar header footer widget toolbar
    click url email-address
    """
)

# Abstract and vague nouns: never an entity, never worth a warning.
ABSTRACT_NOUNS = _words(
    """
    thing stuff way ability information info data detail lot bunch kind sort type
    part piece aspect area section component element number amount variety range set series
    bit place time day week year month hour minute second means manner need requirement goal
    purpose idea scope something anything everything nothing one other example version phase
    stage point basis end start beginning middle top bottom side front back overview summary
    speed performance security reliability quality usability accessibility scalability
    simplicity support help documentation code mvp prototype demo release spec relationship
    relation association connection process workflow flow step experience access use usage
    case fact reason result output input change update action activity task-list list
    possibility opportunity benefit value interest sense view state situation problem issue-type
    question-type level order-by matter term condition consideration decision future past
    today tomorrow yesterday everyone anyone someone everybody anybody somebody people
    functionality feature capability hello hi test testing thanks please edit delete deletion
    metadata metadatum whole hi hey dear regards cheer track moment background math home
    reference night win chat spreadsheet whiteboard paper-diary notebook excel sheet
    removal creation signup login logout
    monday tuesday wednesday thursday friday saturday sunday weekday
    january february march april june july august september october november december
    handful couple dozen
    """
)

# Singular heads that need their modifier to name a thing ("order item", "menu item").
GENERIC_HEADS = _words(
    """
    item entry line type category record request plan log report note group slot rule
    method history progress attempt response result template profile listing posting
    """
)
# Heads that, after another entity's name, make a per-person record of it ("lesson progress").
TRACKING_HEADS = _words("progress attendance completion history score grade")

# Participation: a person acts on a thing, and the act is stored as a link entity with a key to
# each side. Verb (or verb + particle) -> (link noun, one per person and thing?). A "*" in the
# noun is replaced by the thing's name ("sign up for shifts" -> ShiftSignup).
PARTICIPATION = {
    "enroll": ("enrollment", True),
    "enrol": ("enrolment", True),
    "sign up": ("*_signup", True),
    "signup": ("*_signup", True),
    "register": ("registration", True),
    "join": ("membership", True),
    "attend": ("attendance", True),
    "subscribe": ("subscription", True),
    "apply": ("application", True),
    "rsvp": ("rsvp", True),
    "borrow": ("loan", False),
    "check out": ("loan", False),
    "book": ("booking", False),
    "reserve": ("reservation", False),
    "rent": ("rental", False),
    "hire": ("hire", False),
    "adopt": ("adoption", False),
    "bid": ("bid", False),
    "purchase": ("purchase", False),
    "buy": ("purchase", False),
    "favorite": ("favorite", True),
    "favourite": ("favourite", True),
    "bookmark": ("bookmark", True),
    "like": ("like", True),
    "follow": ("follow", True),
    "vote": ("vote", True),
    "rate": ("rating", True),
    "review": ("review", False),
    "comment": ("comment", False),
}
# The preposition that introduces a participation verb's thing when it has no direct object.
PARTICIPATION_PREPOSITIONS = {
    "enroll": "in", "enrol": "in", "sign up": "for", "signup": "for", "register": "for",
    "apply": "for", "subscribe": "to", "vote": "on|for", "comment": "on", "rsvp": "to",
    "bid": "on", "check out": "", "attend": "", "join": "",
}  # fmt: skip
# Nouns that several owners share: "a recipe has many ingredients" is a many-to-many.
SHARED_NOUNS = _words(
    """
    tag label ingredient skill genre amenity keyword topic interest language feature-tag
    allergen equipment instrument hobby specialty speciality certification badge song track
    """
)
# Nouns of one person's act on a thing, kept as records: "comments on posts".
INTERACTION_NOUNS = _words(
    "comment review rating reply vote like answer message reaction feedback testimonial"
)
# Things a person takes, and each try is kept: "students take quizzes" -> QuizAttempt.
ATTEMPTED = _words("quiz exam test assessment survey questionnaire")
# Participation verbs whose object is usually the person's own thing, not a shared one:
# "customers buy products" is an order line, but "users like posts" is a link.
SHARED_OBJECT_ONLY = _words("buy purchase")

# Verbs whose subject owns or authors what they act on ("landlords own buildings").
OWNING_VERBS = _words(
    """
    create add write post publish submit place upload own make open log file raise compose
    draft author build organize organise host list sell offer schedule plan record keep start
    send set define run manage maintain sign buy purchase propose suggest nominate recommend
    """
)
# Of those, the verbs that make the subject the owner or author, with a key to them
# ("landlords own buildings"); managing, keeping or sending does not ("coordinators manage
# locations" gives a location no coordinator).
AUTHORING_VERBS = _words(
    """
    create add write post publish submit place upload own make open log file raise compose
    draft author build sign buy purchase propose suggest nominate recommend list sell offer
    host organize organise send start
    """
)
# The relation name towards the user, by verb, when no role names the subject.
USER_RELATION_BY_VERB = {
    "write": "author",
    "post": "author",
    "publish": "author",
    "compose": "author",
    "draft": "author",
    "author": "author",
    "assign": "assignee",
    "reassign": "assignee",
}
# Verbs of possession: "a task has a title", "each invoice contains line items".
POSSESSION_VERBS = _words("have contain include hold comprise feature carry store need")
# Verbs + particle or preposition that make the subject a whole of parts:
# "courses made of lessons", "a survey consists of questions".
COMPOSITION_PHRASES = _words(
    "make_of make_up consist_of compose_of divide_into split_into come_in group_into"
)
# Verbs by which a thing (not a person) gathers records of its own: "stations record
# observations", "every page keeps many revisions".
RECORDING_VERBS = _words("record keep log collect gather receive accumulate")
VAGUE_RECORDS = _words(
    "record track data information detail note history log list register collection set "
    "catalogue catalog database inventory"
)
BELONG_VERBS = _words("belong come")  # "each plant comes from one supplier"
# Verbs whose object the person makes: in an imperative list ("create, edit, delete posts")
# the user owns what is made.
CREATION_VERBS = _words("create add post write publish upload submit compose draft author")
# Verbs whose subject is a record tying the objects together: "appointments link a patient
# and a doctor".
LINK_VERBS = _words("link connect associate relate tie pair match join combine use reference")
TAGGING_VERBS = _words("tag label categorize categorise classify")
ASSIGN_VERBS = _words("assign reassign allocate")
# Verbs that say nothing about the thing ("users can see orders" still names Order, weakly).
WEAK_VERBS = _words("want need like see view let allow enable help get use know find be")

# Plural nouns that are one attribute, not a has-many ("a contact has notes").
PLURAL_ATTRIBUTES = _words(
    """
    note detail remark instruction direction hour minute calorie vote like view bedroom
    bathroom berth rep set step keyword dimension spec specification credential setting preference
    requirement content seat guest copy page point day year week month mile kilometer
    """
)

# Attribute words: list items with them are fields; a list of them describes an entity.
ATTRIBUTE_NOUNS = _words(
    """
    name title description price cost amount total date time email phone status schedule
    priority deadline note body content text summary bio avatar photo image picture logo url
    website link slug quantity stock count number age rating score weight height size color
    colour duration capacity location latitude longitude rank position salary fee birthday
    dob gender nickname username password code sku isbn barcode label caption subject year
    month day hour start end kind stage state visibility frequency timestamp currency discount
    tax percentage balance progress length width level depth volume temperature humidity unit
    remarks due headline excerpt cover resume attachment file document uuid id identifier
    genre edition pages runtime votes likes views mileage plate vin model make breed species
    sex rent deposit floor bedrooms bathrooms area calories distance reps sets steps flag
    elevation address city country zip postcode website type description specialty
    bio notes seats servings ingredients
    """
)
# Singular nouns after which a parenthesised list is a set of values, not fields.
ENUM_HINTS = _words(
    """
    status priority type kind level role state stage category size gender severity difficulty
    condition visibility frequency plan tier mode method channel format genre rating grade
    urgency phase result outcome sentiment currency color colour availability department
    seniority impact
    """
)

# Determiners and quantifiers in front of a list item that say "many".
MANY_WORDS = _words("many several multiple various numerous some any all unlimited more lots")

# What an app of a well-known kind stores when the text names only the kind ("a blog where
# people sign up"): the analyzer assumes these and says so in a warning.
APP_DEFAULTS = {
    "blog": ("post", "comment"),
    "forum": ("thread", "post"),
    "store": ("product", "order"),
    "shop": ("product", "order"),
    "webshop": ("product", "order"),
    "marketplace": ("listing", "order"),
    "crm": ("contact", "company", "deal"),
    "wiki": ("page",),
    "todo": ("task",),
    "tracker": ("entry",),
    "library": ("book", "loan"),
    "calendar": ("event",),
    "helpdesk": ("ticket",),
    "newsletter": ("subscriber", "campaign"),
}
