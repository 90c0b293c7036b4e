"""Cut requirement text into short units for the parser, keeping the structure the parser
cannot see: headings over bullet lists, bullets, and user stories ("As a moderator, I want …").

Markdown is reduced to plain text (links keep their words, emphasis and code marks go), backlog
prefixes such as "#G03# " are dropped, long lines are split into sentences and over-long
sentences into pieces, and degenerate pieces (no word of two letters, or one word repeated) are
skipped and counted. Every step is a single pass over the text, so the cost grows linearly with
its length. Reading the units is left to reading.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_UNIT_CHARS = 600

_PREFIX = re.compile(r"^\s*#[A-Za-z0-9_-]{1,12}#\s*")
_HEADING_MARK = re.compile(r"^\s*#{1,6}\s+")
_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦‣]|\d{1,3}[.)]|[a-z][.)])\s+")
_LINK = re.compile(r"\[([^\]\n]{0,200})\]\([^)\n]{0,500}\)")
_MARKS = re.compile(r"[*_`~]{1,3}")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_LIST_DASH = re.compile(r"\s+[-\u2014\u2013]\s+")
_STORY = re.compile(
    r"^\s*(?:[A-Za-z]{0,6}[-#]?\d{1,4}[:.)]?\s+|story:\s*)?as\s+(?:an?|the)\s+([^,]{1,80}?)\s*,?\s+i\s+"
    r"(?:want|would\s+like|'d\s+like|need|wish|should\s+be\s+able|can|am\s+able)\b"
    r"(?:\s+to)?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_BENEFIT = re.compile(r"(?:,?\s+so\s+that\b|,\s*so\b|\s+in\s+order\s+to\b|,\s*because\b)", re.I)
_WORD = re.compile(r"[A-Za-z]{2,}")
# Misspellings common enough in requirements to fix before parsing.
_TYPOS = {
    "adress": "address", "adresses": "addresses", "buisness": "business", "bussiness":
    "business", "wich": "which", "recieve": "receive", "recieved": "received", "seperate":
    "separate", "calender": "calendar", "managment": "management", "occured": "occurred",
    "untill": "until", "definately": "definitely", "acount": "account", "acounts": "accounts",
    "paymnet": "payment", "paymnets": "payments", "shedule": "schedule", "catagory": "category",
    "catagories": "categories", "descripton": "description", "discription": "description",
    "quantitiy": "quantity", "emial": "email", "emails": "emails", "phne": "phone",
    "companys": "companies", "rentl": "rental", "appointmnet": "appointment",
    "reciept": "receipt", "reciepts": "receipts", "inventroy": "inventory",
    # note-taking shorthand
    "hv": "have", "ppl": "people", "qty": "quantity", "addr": "address",
    "desc": "description", "descr": "description", "tel": "phone", "cust": "customer",
    "custs": "customers", "appt": "appointment", "appts": "appointments",
}  # fmt: skip
_TYPO = re.compile(r"\b(" + "|".join(_TYPOS) + r")\b", re.IGNORECASE)


def _typo(word: str) -> str:
    fixed = _TYPOS[word.lower()]
    return fixed.capitalize() if word[:1].isupper() else fixed


_BETWEEN = re.compile(r"\bbetween\s+(-?\d+(?:\.\d+)?)\s+and\s+(-?\d+(?:\.\d+)?)", re.I)
_DASHED_RANGE = re.compile(r"\b([a-z]+) (\d{1,3})\s?-\s?(\d{1,3})(?![\d/:-]|\.\d)", re.I)
_TITLED = re.compile(r"^\s*[\w ]{1,40}(?::| - )")
_SPACES = re.compile(r"\s{2,}")
_WITH = re.compile(r"\bw/\s*", re.IGNORECASE)
_NUMBER_SIGN = re.compile(r"(?<=[a-z]) #(?=[\s,.;)]|$)", re.IGNORECASE | re.MULTILINE)
_PUNCTUATION = str.maketrans(
    {"\u2014": " - ", "\u2013": " - ", "\u201c": '"', "\u201d": '"', "\u2019": "'", "\t": " "}
)


@dataclass(frozen=True)
class Unit:
    """One piece of text to parse, with what the layout said about it."""

    text: str
    kind: str = "line"  # "line", "bullet", "heading" or "story"
    heading: str = ""  # the heading a bullet sits under
    persona: str = ""  # a story's "As a …"


@dataclass
class Document:
    units: list[Unit]
    skipped: int = 0  # degenerate pieces left out

    @property
    def stories(self) -> int:
        return sum(1 for u in self.units if u.kind == "story")


def split(text: str) -> Document:
    doc = Document([])
    heading = ""
    lines = _join_wrapped([_PREFIX.sub("", raw) for raw in _clean(text).split("\n")])
    for index, line in enumerate(lines):
        if not line.strip():
            heading = ""
            continue
        bullet = _BULLET.match(line) is not None
        body = _BULLET.sub("", line).strip() if bullet else line.strip()
        if (
            _HEADING_MARK.match(line)
            or _is_heading(body)
            or _titles_bullets(body, lines, index, nested=bullet)
        ):
            heading = _HEADING_MARK.sub("", body).rstrip(":").strip()
            _add(doc, Unit(heading, "heading"))
            continue
        story = _STORY.match(body)
        if story:
            persona, action = story.group(1).strip(), _BENEFIT.split(story.group(2), 1)[0]
            _add(doc, Unit(f"I want to {action.strip()}", "story", persona=persona))
            continue
        kind = "bullet" if bullet else "line"
        under = heading if bullet else ""
        for sentence in _SENTENCE_END.split(body):
            for part in _after_list(sentence):
                _add(doc, Unit(part.strip(), kind, heading=under))
    return doc


def _after_list(sentence: str) -> list[str]:
    """ "Bins: size, colour (clear, green) — a business has one or more bins": a dash after a
    titled list starts a sentence of its own."""
    parts = _LIST_DASH.split(sentence, maxsplit=1)
    if len(parts) < 2 or ":" not in parts[0] or len(parts[1].split()) < 3:
        return [sentence]
    if parts[1].split()[0].lower() in {"each", "every", "all", "with", "both", "and", "or"}:
        return [sentence]  # "races: 10K, marathon - each with a distance": the list goes on
    return parts


def _join_wrapped(lines: list[str]) -> list[str]:
    """Join a prose line to the one before it when that one goes on: an open parenthesis, a
    trailing comma or conjunction, or no end mark and the next line starts in lower case."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        previous = out[-1].rstrip() if out else ""
        if previous and stripped and not _BULLET.match(line) and not _HEADING_MARK.match(line) \
                and _goes_on(previous, stripped):  # fmt: skip
            out[-1] = f"{previous} {stripped}"
        else:
            out.append(line)
    return out


def _goes_on(previous: str, line: str) -> bool:
    if _STORY.match(line) or _is_heading(previous.strip()) or _TITLED.match(line):
        return False  # "fish - species, count" starts a line of its own
    if previous.count("(") > previous.count(")") or previous.endswith((",", " and", " or")):
        return True
    if ":" in previous and previous.endswith(")"):
        return False  # "tickets: fault, status (new/done)" then "techs assigned to tickets"
    return not previous.endswith((".", "!", "?", ":")) and line[:1].islower() and \
        not _BULLET.match(previous) and len(previous.split()) > 6  # fmt: skip


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_PUNCTUATION)
    text = _LINK.sub(r"\1", text)
    text = _WITH.sub("with ", text).replace("(s)", "s").replace("(es)", "es")
    text = _NUMBER_SIGN.sub(" number", text)
    text = _BETWEEN.sub(r"from \1 to \2", text)  # "between 1 and 500" is a range, not a list
    text = _DASHED_RANGE.sub(_dashed_range, text)  # "pain score 0-10"
    text = _TYPO.sub(lambda m: _typo(m.group(0)), text)
    return _MARKS.sub("", text)


def _dashed_range(match: re.Match[str]) -> str:
    """ "a pain score 0-10" is a score from 0 to 10 ("open at 10-12" is left alone)."""
    word, low, high = match.groups()
    if word.lower() in {"at", "from", "to", "on", "in", "between", "by", "until", "till"}:
        return match.group(0)
    return f"{word} from {low} to {high}"


def _is_heading(line: str) -> bool:
    """A short "Patients:" line with nothing after the colon heads the bullets below it."""
    return line.endswith(":") and len(line.split()) <= 6 and ":" not in line[:-1]


def _titles_bullets(line: str, lines: list[str], index: int, *, nested: bool) -> bool:
    """A short bare line ("Products") right above a bullet heads it; so does a bullet right
    above more deeply indented bullets."""
    if len(line.split()) > 4 or line[-1:] in {".", "!", "?", ","} or index + 1 >= len(lines):
        return False
    following = lines[index + 1]
    indent = len(lines[index]) - len(lines[index].lstrip())
    deeper = len(following) - len(following.lstrip())
    if _BULLET.match(following) is None:
        return False
    return deeper > indent if nested else deeper >= indent


def _add(doc: Document, unit: Unit) -> None:
    text = _SPACES.sub(" ", unit.text).strip()
    if not text:
        return
    for piece in _pieces(text):
        if _degenerate(piece):
            doc.skipped += 1
        else:
            doc.units.append(Unit(piece, unit.kind, unit.heading, unit.persona))


def _pieces(text: str) -> list[str]:
    """Sentences over the length limit are cut at a clause mark, else at a space."""
    pieces: list[str] = []
    while len(text) > MAX_UNIT_CHARS:
        window = text[:MAX_UNIT_CHARS]
        cut = max(window.rfind("; "), window.rfind(", "), window.rfind(" "))
        cut = cut + 1 if cut > 0 else MAX_UNIT_CHARS
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    pieces.append(text)
    return [p for p in pieces if p]


def _degenerate(piece: str) -> bool:
    words = _WORD.findall(piece)
    if not words:
        return True
    return len(words) > 30 and len({w.lower() for w in words}) * 10 < len(words)
