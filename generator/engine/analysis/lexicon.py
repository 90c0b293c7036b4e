"""Word lists the rule-based analyzer reads: plain data, no logic.

Each set answers one question the rules ask about a word ("can this be a verb?", "is this filler
that never names a thing the app stores?"). Words are lower-case and, for nouns, singular; the
rules singularise before looking a noun up. Tuning the analyzer mostly means editing this file.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DETERMINERS = _words(
    """
    a an the each every all any some this that these those its their his her our my your
    another either neither both whose which what
    """
)

# Quantifiers that announce "more than one" (a to-many relationship).
MANY_QUANTIFIERS = _words("many several multiple various numerous lots plenty more unlimited")
ONE_QUANTIFIERS = _words("one single exactly only")

PREPOSITIONS = _words(
    """
    of for to in on with by from at into onto about under over per between among across
    through during within without via like after before around against toward towards
    upon including except besides than inside outside along behind beyond near
    """
)

CONJUNCTIONS = _words("and or plus nor & +")

PRONOUNS = _words(
    """
    it they them he she him we us i me you everyone anyone someone everybody anybody
    somebody nobody something anything everything nothing itself themselves one ones
    """
)

# Words that end a clause and start another one.
CLAUSE_BREAKS = _words("where so because while whereas but then when once if unless")
RELATIVE_PRONOUNS = _words("who which that")

MODALS = _words("can could should must will would may might shall cannot can't won't")
AUXILIARIES = _words(
    """
    is are was were be been being am do does did has have had having get gets got getting
    """
)
NEGATIONS = _words("not no never don't doesn't isn't aren't")

ADVERBS = _words(
    """
    also only just easily quickly then too very really always never often usually simply
    even still already soon later directly automatically manually together
    optionally ideally basically essentially either else instead again back up down out
    away probably possibly maybe perhaps please preferably mainly mostly currently anytime
    anywhere everywhere etc e.g i.e. ie eg securely privately publicly
    """
)

# Adjectives and modifiers that describe a thing but never name it.
ADJECTIVES = _words(
    """
    new old small large big simple easy nice fast quick slow good great clean modern beautiful
    responsive secure safe basic advanced full complete simple personal private public own
    online local internal external main primary secondary other different same various
    optional required mandatory unique multiple several single custom current recent latest
    upcoming past future previous next daily weekly monthly yearly annual active inactive
    available free paid open closed friendly intuitive minimal minimalist robust scalable
    reliable powerful lightweight mobile small-sized medium-sized little tiny huge whole
    real digital virtual global social smart cool awesome perfect important certain specific
    general overall entire total possible due overdue easy-to-use user-friendly
    straightforward sleek
    neat shiny pretty fancy elegant polished professional proper decent
    """
)
ADJECTIVE_SUFFIXES = ("ous", "ful", "less", "ible", "ical", "istic")
ADJECTIVE_SUFFIX_EXCEPTIONS = _words("bible")

# Verbs, base form. Forms ending in -s, -es, -ed, -ing are recognised by rule.
VERBS = _words(
    """
    be have has do need want like love let allow enable help permit make build develop design
    create add edit update delete remove change modify manage maintain track store save keep
    record view see show display browse list search filter sort find explore discover compare
    register login logout sign enroll enrol join leave attend follow unfollow rate review
    comment post write read publish unpublish submit approve reject deny accept decline assign
    reassign place buy purchase sell pay ship deliver send receive notify remind alert upload
    download export import generate get keep organize organise schedule plan share invite vote
    answer ask reply message chat tag categorize categorise link connect associate relate own
    hold cover teach take give use adopt apply hire check monitor report measure calculate
    compute bookmark favorite favourite subscribe unsubscribe mark complete finish start close
    open resolve escalate archive restore drag drop move visit host run support provide offer
    borrow lend reserve book rent cancel confirm require include contain belong consist comprise
    go come work play listen watch cook prepare serve eat stay park charge invoice bill refund
    paginate select choose pick set configure customize customise look mention describe lead
    supervise oversee learn study grade enter input fill respond collect gather sense log
    leave email text call meet request interview draft quote rank dislike block flag moderate ban
    belong attach upload print scan sync import process handle catalog catalogue file claim
    return transfer deposit withdraw order sell lease rent sort filter search paginate
    assign estimate fix deploy release test train feed adopt foster donate sponsor
    reach contact remember forget store become turn convert expect propose suggest nominate
    recommend
    """
)

# Words that are both a noun and a verb: resolved from context.
NOUN_VERBS = _words(
    """
    book order post comment review rate schedule list plan file record track log report tag
    vote message share rent bid like check request ship need reply answer quote note bill
    charge email text call visit return transfer support design search filter sort export
    import upload download alert grade rank cover park play work tour host lead contact
    favorite favourite bookmark link invoice process mark test trip watch run drive guide
    interview claim deposit refund loan release issue change fix patch display view estimate
    lease catalog catalogue start finish chat reserve hire study store print scan sponsor
    project leave volunteer show plant
    """
)

# -ing words that are nouns in requirements ("a booking", "a meeting").
ING_NOUNS = _words(
    """
    booking meeting listing rating setting building training reading posting wedding parking
    heading painting recording filing hearing earning saving opening offering ending warning
    greeting drawing gathering holding serving shipping billing pricing housing lodging
    checking spending funding clothing pudding morning evening thing string ring king wing
    spring thing reading timing seating screening sighting landing ceiling fitting bedding
    feeling routing mapping packing casting hosting dating learning planning accounting
    marketing banking boarding sibling logging nothing something anything everything
    bookkeeping
    """
)

# Nouns that never become entities: filler, UI words, app words, abstract words.
FILLER_NOUNS = _words(
    """
    app application system platform website site web webapp software tool service portal
    solution feature ability way thing information info data
    detail management functionality function interface ui ux screen view frontend
    backend database db api layout design look feel theme style mode user-friendly stuff
    kind sort type option ability capability support experience workflow process flow step
    option part piece aspect area section component element lot bunch
    number amount variety range set collection series bit place time day week year
    month hour minute second way means manner need requirement goal purpose idea scope
    something anything everything nothing one ones other others thing things everyone
    anyone someone example e.g etc ie eg version phase stage point
    basis end start beginning middle top bottom side front back home landing dashboard
    overview summary homepage navigation button form field input
    speed performance security reliability quality usability accessibility scalability
    simplicity support help documentation docs tutorial guide manual faq code
    frontend mvp prototype demo launch release requirement spec specification relationship
    relation association connection
    """
)

# First words that make a compound a UI or meta word ("search results", "login page").
META_MODIFIERS = _words(
    """
    data ui ux search login signup dashboard landing home admin navigation database api page
    form web app system feature sample example test demo filter sort notification
    """
)

# Heads that name a stored thing even after a meta word ("API keys", "access tokens").
META_THING_HEADS = _words("key token secret credential webhook")

# Nouns that are UI or vague words unless the text clearly stores them ("users write pages").
CONDITIONAL_NOUNS = _words(
    "page list item entry record group team note event file document plan link"
)

# Words that name a feature of the app, never a stored thing.
FEATURE_NOUNS = _words(
    """
    authentication auth login logout signin signup sign-in sign-up registration register
    authorization permission permissions role-based access search searching filter filtering
    sorting sort pagination paging notification notifications realtime real-time
    upload uploads export exports import reporting analytics analytic statistic statistics
    stats chart charts graph graphs insight insights dashboard crud password passwords
    role roles reset verification oauth sso 2fa integration integrations backup backups localization
    i18n translation dark light responsiveness caching cache logging monitoring deployment
    hosting api rest graphql webhook webhooks email-alert email-alerts reminder-email
    """
)

# Nouns that name what the app is, not what it stores ("a blog", "an online store").
DOMAIN_NOUNS = _words(
    """
    blog store shop webshop e-commerce ecommerce marketplace library school clinic gym
    restaurant cafe hotel fleet crm erp hr helpdesk help-desk wiki forum kanban lms portal
    newsletter fitness health finance accounting inventory real estate agency company
    business startup organization organisation team church club network community
    commerce site website catalog catalogue
    board hub dashboard diary journal log notebook workspace studio center centre office
    hospital practice firm university college academy factory farm salon spa garden
    bakery pharmacy dealership garage shelter zoo museum theater theatre cinema airline
    """
)

# Nouns that say what kind of thing the app is ("a task manager", "an expense tracker").
APP_HEAD_NOUNS = _words(
    """
    app application system platform website site webapp software tool service portal
    solution dashboard
    """
)
APP_KIND_NOUNS = _words(
    """
    manager tracker planner organizer organiser catalog catalogue board log diary journal
    management scheduler builder maker finder directory registry hub list
    """
)
# App kinds whose first word is the main thing stored ("expense tracker" stores expenses).
NAMING_APP_KINDS = _words("tracker manager planner log diary journal organizer organiser catalog")

# Section headings: the lines under them are requirements, not attributes of the heading.
SECTION_WORDS = _words(
    """
    entity entities model models data table tables object objects resource resources
    feature features requirement requirements page pages screen screens user-story story
    stories functionality functionalities overview summary goal goals scope description
    notes note spec specification specs must-have nice-to-have extra extras bonus
    core main key details detail other misc miscellaneous roles role permissions
    domain concept concepts thing things record records it
    """
)

# People who use the app. ALWAYS_USER words are the built-in user wherever they appear.
ALWAYS_USER = _words(
    """
    user account visitor admin administrator moderator superuser i we you everyone anyone
    someone everybody anybody somebody staff-user site-admin login-user end-user enduser
    """
)
# Endings of agent nouns: a word with one names a person ("dentist", "librarian"), and so
# does a known verb plus "-er"/"-or" ("walker", "inspector"), unless it names a value.
AGENT_ENDINGS = ("ist", "ian")
AGENT_VERB_ENDINGS = ("er", "or")
NOT_AGENTS = _words("list playlist checklist wishlist watchlist waitlist median artist")

# Role words are the built-in user when they only act ("customers place orders"), and an
# entity when the text stores them ("each customer has a phone number").
ROLE_WORDS = _words(
    """
    member customer client employee student teacher instructor doctor patient trainer staff
    manager agent author editor reader buyer seller guest host tenant landlord driver owner
    volunteer subscriber attendee participant applicant candidate recruiter player coach
    parent tutor nurse librarian waiter chef technician mechanic freelancer contributor
    viewer listener shopper traveler traveller renter organizer organiser speaker voter
    respondent person people worker employer admin team-member learner creator writer
    maintainer developer tester reporter assignee reviewer approver supervisor vet
    researcher scientist engineer lawyer accountant consultant surgeon
    """
)
ACTOR_COMPOUNDS = {"team member": "member", "staff member": "member", "end user": "user"}

# Attribute words: a bare mention is a field, never an entity.
ATTRIBUTE_NOUNS = _words(
    """
    name title description price cost amount total date time email phone status schedule
    priority deadline note body content text summary bio avatar photo image picture logo url
    website link slug quantity stock count number age rating score weight height size color
    colour duration capacity location latitude longitude rank position salary fee
    birthday dob gender nickname username password code sku isbn barcode label caption
    subject message-body year month day hour start end kind stage state visibility
    frequency timestamp currency discount tax percentage balance progress length width level
    depth volume temperature humidity reading unit notes comment-text remarks due
    phone-number first-name last-name full-name headline excerpt cover resume attachment
    file document pdf uuid id identifier genre isbn edition pages duration runtime votes
    likes views mileage plate vin model make breed species sex rent deposit floor bedrooms
    bathrooms area calories distance reps sets steps heart rate flag elevation
    """
)

# Filler and app words that never name an entity but do name a field of one ("a website",
# "a start time", "a number", "sets and reps"): a has-list item with one of them is a field.
FIELD_FILLERS = _words(
    """
    website site homepage link number time day year month hour minute second type kind set
    step end start version stage code position amount summary flag list
    """
)
# Last words that make a field a list of values: "an allergens list" -> allergens (JSON).
VALUE_LIST_WORDS = _words("list array")

# Words that end a date or time field's name: the verb in front of one is a modifier
# ("a send date", "a start time"), not a verb.
TIME_WORDS = _words("date time timestamp datetime deadline")

# Units after "in" that say a field's type: "a duration in minutes", "a price in euros".
TIME_UNITS = _words("second minute hour day week month year")
MEASURE_UNITS = _words(
    """
    metre meter kilometre kilometer km mile cm mm centimetre centimeter millimetre millimeter
    foot feet inch kg kilogram gram g lb pound ounce oz litre liter ml celsius fahrenheit
    degree percent kwh watt
    """
)
CURRENCY_UNITS = _words(
    """
    usd eur euro dollar gbp sterling yen jpy chf franc cad aud inr rupee cent currency
    """
)

# Words after which a parenthesised or slashed list is a set of choices, not fields.
ENUM_HINTS = _words(
    """
    status priority type kind level role state stage category size gender severity
    difficulty condition visibility frequency plan tier mode method channel format genre
    rating grade urgency phase result outcome sentiment shift tag-type unit currency color
    colour availability department seniority impact
    """
)

# Plural nouns that are attributes, not a has-many ("a contact has notes").
PLURAL_ATTRIBUTES = _words(
    """
    notes details remarks instructions directions hours minutes calories votes likes views
    bedrooms bathrooms reps sets steps ingredients-text keywords dimensions specs
    specifications credentials settings preferences requirements contents
    """
)

# Verbs whose object is stored by the app (and owned by the subject, if any).
MANAGE_VERBS = _words(
    """
    create add edit update delete remove manage maintain track store save keep record log
    view browse list organize organise catalog catalogue schedule plan post write publish
    submit place buy purchase order book reserve rent borrow lend upload make build run host
    assign file enter input register collect handle process issue raise open log hold
    organize compose draft send sell offer list adopt hire invite review rate manage set leave
    define configure
    """
)
# Verbs that link a subject to many objects and the objects back to many subjects.
MANY_TO_MANY_VERBS = _words(
    """
    enroll enrol join attend follow subscribe like favorite favourite bookmark star watch
    participate register tag save
    """
)
# Verbs that create a noun of their own: "members comment on posts" -> Comment.
VERB_NOUNS = {
    "comment": "comment",
    "review": "review",
    "vote": "vote",
    "rsvp": "rsvp",
    "bid": "bid",
}

# Verbs whose act is stored as a noun of its own when the text gives the act values:
# "members book desks for a date with a start time" -> Booking (date, start_time).
EVENT_NOUNS = {
    "book": "booking",
    "reserve": "reservation",
    "rent": "rental",
    "borrow": "loan",
    "lend": "loan",
    "enroll": "enrollment",
    "enrol": "enrolment",
    "register": "registration",
}

# Verbs that make the subject own what they act on ("users create projects").
OWNING_VERBS = _words(
    """
    create add post write publish submit place buy purchase order book reserve rent borrow
    upload make log record enter file raise open track save store manage maintain organize
    organise plan schedule host run compose draft send sell offer list own keep build
    """
)
# Verbs that make the object a stored thing even when it is a vague word ("write pages").
CREATION_VERBS = _words(
    "create add write post publish make build upload submit compose organize organise"
)
ENABLING_VERBS = _words("let allow enable help permit empower")
WISH_VERBS = _words("want need like love wish require expect")
APP_BUILD_VERBS = _words("build create make develop design need want write code implement")
POSSESSION_VERBS = _words("have contain include hold comprise feature carry keep")
BELONG_VERBS = _words("belong part-of")
# Prepositions before one stored thing that the subject is tied to: "kept in a room",
# "reserve instruments for a project".
PLACE_PREPOSITIONS = _words("in at for")
# Verbs that read as "has" when a stored thing keeps values: "each click stores a timestamp".
RECORDING_VERBS = _words("store record log capture save track")
# Modifiers that make any word a field: "JSON permissions".
FIELD_TYPE_MODIFIERS = _words("json")
LINK_VERBS = _words("link associate relate connect attach")

# Roles that name a link to the built-in user, never a stored thing ("an account owner").
USER_RELATION_ROLES = _words("owner assignee creator reporter approver reviewer supervisor")

# Relation names towards the built-in user, by the verb that created the link.
USER_RELATION_BY_VERB = {
    "assign": "assignee",
    "reassign": "assignee",
    "write": "author",
    "post": "author",
    "publish": "author",
    "compose": "author",
    "draft": "author",
    "comment": "author",
    "review": "author",
    "reply": "author",
}
AUTHORED_ENTITIES = _words(
    """
    post comment article review answer question message story reply thread topic page entry
    essay note recipe
    """
)

# Fields the built-in user already has: never copied onto a profile.
BUILTIN_USER_FIELDS = _words("email password username first_name last_name name full_name login")

# Default fields for entities the text names without describing.
DEFAULT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "comment": (("body", "text"),),
    "reply": (("body", "text"),),
    "message": (("body", "text"),),
    "note": (("body", "text"),),
    "review": (("rating", "integer"), ("body", "text")),
    "rating": (("score", "integer"),),
    "vote": (("value", "integer"),),
    "like": (("created_at", "datetime"),),
    "profile": (("bio", "text"),),
    "post": (("title", "string"), ("body", "text")),
    "article": (("title", "string"), ("body", "text")),
    "task": (("title", "string"), ("done", "boolean")),
    "item": (("name", "string"), ("quantity", "integer")),
    "order_item": (("quantity", "integer"), ("unit_price", "decimal")),
    "booking": (("start_date", "date"), ("end_date", "date")),
    "reservation": (("date", "date"),),
    "appointment": (("scheduled_at", "datetime"),),
    "payment": (("amount", "decimal"), ("paid_at", "datetime")),
    "invoice": (("number", "string"), ("total", "decimal")),
    "event": (("title", "string"), ("starts_at", "datetime")),
    "tag": (("name", "string"),),
    "announcement": (("title", "string"), ("message", "text")),
    "enrollment": (("enrolled_on", "date"),),
    "enrolment": (("enrolled_on", "date"),),
    "signup": (("signed_up_at", "datetime"),),
    "progress": (("completed", "boolean"), ("completed_at", "datetime")),
    "loan": (("borrowed_on", "date"), ("due_date", "date"), ("returned", "boolean")),
    "membership": (("joined_on", "date"),),
    "subscription": (("started_on", "date"),),
    "registration": (("registered_at", "datetime"),),
    "attendance": (("present", "boolean"),),
    "application": (("submitted_at", "datetime"),),
    "rental": (("start_date", "date"), ("end_date", "date")),
    "follow": (("created_at", "datetime"),),
    "favorite": (("created_at", "datetime"),),
    "bookmark": (("created_at", "datetime"),),
    "notice": (("title", "string"), ("message", "text")),
    "newsletter": (("subject", "string"), ("body", "text")),
    "lesson": (("title", "string"), ("content", "text")),
    "course": (("title", "string"), ("description", "text")),
    "quiz": (("title", "string"),),
    "question": (("text", "text"),),
    "option": (("text", "string"),),
    "answer": (("text", "text"),),
}
