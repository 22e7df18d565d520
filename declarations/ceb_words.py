"""A CEB message's refusal in the reader's words, for the people who upload a file in the browser.

`declarations.ceb` words its refusals in English for partners' systems (the API answer and the CEB900
receipt keep that text: it is their contract). A clerk reads the same refusal here in the page's
language: the frame is translated, each schema problem becomes a sentence naming the field by its label
(labels.py), and libxml2's own words stay beside it as the technical detail a partner's IT can search.
"""

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from .ceb import CebError, CebSchemaError, to_snake
from .ceb_schema import SchemaProblem
from .labels import FIELD_LABELS

_EXPECTED = re.compile(r"Expected is (?:one of )?\( ?(?P<names>[^)]*?) ?\)")


def field_name(element: str) -> str:
    """An element (`ceb:orderNo`) as the clerk knows it: its label and, for the IT, its CEB name."""
    local = element.rpartition(":")[2].strip()
    if not local:
        return _("the message")
    snake = to_snake(local)
    label = FIELD_LABELS.get(snake) or FIELD_LABELS.get(f"items.{snake}")
    return _("%(label)s (%(element)s)") % {"label": label.label, "element": element} if label else element


def _names(text: str) -> str:
    return "、".join(field_name(name.strip()) for name in text.split(",") if name.strip())


def _expected(reason: str) -> str:
    match = _EXPECTED.search(reason)
    return _names(match["names"]) if match else ""


# libxml2's problem kinds, most specific first: (pattern over its reason, sentence naming the field).
_KINDS: list[tuple[re.Pattern[str], Callable[[re.Match[str], str, str], str]]] = [
    (
        re.compile(r"Missing child element"),
        lambda m, field, reason: (
            _("%(field)s lacks a required element: %(expected)s.")
            % {"field": field, "expected": _expected(reason) or "—"}
        ),
    ),
    (
        re.compile(r"This element is not expected\. Expected is"),
        lambda m, field, reason: (
            _(
                "%(field)s is not expected here: a required element is missing before it or it is misplaced; "
                "expected here: %(expected)s."
            )
            % {"field": field, "expected": _expected(reason)}
        ),
    ),
    (
        re.compile(r"This element is not expected"),
        lambda m, field, reason: (
            _("%(field)s is not expected here: remove it or move it to its place.") % {"field": field}
        ),
    ),
    (
        re.compile(r"\[facet 'maxLength'\].*length of '(?P<n>\d+)'.*maximum length of '(?P<limit>\d+)'"),
        lambda m, field, reason: (
            _("%(field)s is too long: %(n)s characters, at most %(limit)s.")
            % {"field": field, "n": m["n"], "limit": m["limit"]}
        ),
    ),
    (
        re.compile(r"\[facet 'minLength'\].*length of '0'"),
        lambda m, field, reason: _("%(field)s is empty: fill it in.") % {"field": field},
    ),
    (
        re.compile(r"\[facet 'minLength'\].*length of '(?P<n>\d+)'.*minimum length of '(?P<limit>\d+)'"),
        lambda m, field, reason: (
            _("%(field)s is too short: %(n)s characters, at least %(limit)s.")
            % {"field": field, "n": m["n"], "limit": m["limit"]}
        ),
    ),
    (
        re.compile(r"\[facet 'length'\].*length of '(?P<n>\d+)'.*allowed length of '(?P<limit>\d+)'"),
        lambda m, field, reason: (
            _("%(field)s must have exactly %(limit)s characters, not %(n)s.")
            % {"field": field, "n": m["n"], "limit": m["limit"]}
        ),
    ),
    (
        re.compile(r"\[facet 'pattern'\]"),
        lambda m, field, reason: _("%(field)s is not in the required format.") % {"field": field},
    ),
    (
        re.compile(r"\[facet 'enumeration'\]"),
        lambda m, field, reason: _("%(field)s is not one of the allowed values.") % {"field": field},
    ),
    (
        re.compile(r"\[facet 'fractionDigits'\].*\('(?P<limit>\d+)'\)"),
        lambda m, field, reason: (
            _("%(field)s has more than %(limit)s decimal places.") % {"field": field, "limit": m["limit"]}
        ),
    ),
    (
        re.compile(r"\[facet 'totalDigits'\].*\('(?P<limit>\d+)'\)"),
        lambda m, field, reason: (
            _("%(field)s has more than %(limit)s digits.") % {"field": field, "limit": m["limit"]}
        ),
    ),
    (
        re.compile(r"is not a valid value of the"),
        lambda m, field, reason: (
            _("%(field)s does not hold a value of its type (a number, a date or a code).") % {"field": field}
        ),
    ),
    (
        re.compile(r"expected namespace"),
        lambda m, field, reason: (
            _("%(field)s is not a CEB message: its root is not in the CEB namespace.") % {"field": field}
        ),
    ),
]


def problem_sentence(problem: SchemaProblem) -> str:
    """One schema problem: where, what in words, and libxml2's words as the technical detail."""
    field = field_name(problem.element)
    sentence = next(
        (
            say(match, field, problem.reason)
            for pattern, say in _KINDS
            if (match := pattern.search(problem.reason))
        ),
        _("%(field)s is not valid against the CEB schema.") % {"field": field},
    )
    return _("Line %(line)s: %(sentence)s (Technical detail: %(detail)s)") % {
        "line": problem.line,
        "sentence": sentence,
        "detail": problem.reason,
    }


# The other refusals of declarations.ceb, by the English it words them in.
_REFUSALS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"empty message body"), lambda m: _("The file is empty.")),
    (
        re.compile(r"not valid UTF-8 \(bad byte at offset (?P<offset>\d+)\)"),
        lambda m: _("The file is not UTF-8: the byte at offset %(offset)s is not.") % {"offset": m["offset"]},
    ),
    (
        re.compile(r"DOCTYPE"),
        lambda m: _("The file declares a DOCTYPE or entities, which CEB messages may not carry."),
    ),
    (
        re.compile(r"declared encoding '?(?P<encoding>[^']*)'? is not accepted"),
        lambda m: (
            _("The file declares the encoding %(encoding)s: save it as UTF-8.") % {"encoding": m["encoding"]}
        ),
    ),
    (re.compile(r"message body is not XML"), lambda m: _("The file is not XML.")),
    (
        re.compile(r"not well-formed XML: (?P<detail>.*)"),
        lambda m: (
            _("The file is not well-formed XML (Technical detail: %(detail)s)") % {"detail": m["detail"]}
        ),
    ),
    (
        re.compile(r"nested deeper than (?P<n>\d+) levels"),
        lambda m: _("The file's elements are nested deeper than %(n)s levels.") % {"n": m["n"]},
    ),
    (re.compile(r"message has no root element"), lambda m: _("The file holds no XML element.")),
    (
        re.compile(r"unsupported message type (?P<name>.*)"),
        lambda m: _("%(name)s is not a declaration message the window takes.") % {"name": m["name"]},
    ),
    (
        re.compile(r"(?P<message>\S+) contains no (?P<doc>\S+) document"),
        lambda m: _("The message %(message)s holds no %(doc)s document.") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<message>\S+) has (?P<n>\d+) (?P<doc>\S+) documents; at most (?P<limit>\d+)"),
        lambda m: (
            _("The message holds %(n)s %(doc)s documents; at most %(limit)s may be sent at once.")
            % m.groupdict()
        ),
    ),
    (re.compile(r"has no BaseTransfer"), lambda m: _("The message has no BaseTransfer (the sender).")),
    (
        re.compile(r"more than one BaseTransfer"),
        lambda m: _("The message has more than one BaseTransfer, and they differ."),
    ),
    (
        re.compile(r"(?P<where>.+) has the field (?P<name>\S+) more than once"),
        lambda m: (
            _("%(where)s: %(field)s is given more than once.")
            % {"where": m["where"], "field": field_name(f"ceb:{m['name']}")}
        ),
    ),
    (
        re.compile(r"(?P<where>.+) has (?P<n>\d+) (?P<name>\S+) lines; at most (?P<limit>\d+) allowed"),
        lambda m: _("%(where)s has %(n)s lines; at most %(limit)s are allowed.") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<where>.+) has no (?P<name>\S+) lines"),
        lambda m: _("%(where)s has no lines (%(name)s).") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<where>.+) has no (?P<name>\S+)$"),
        lambda m: _("%(where)s has no %(name)s.") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<where>.+) has more than one (?P<name>\S+)$"),
        lambda m: _("%(where)s has more than one %(name)s.") % m.groupdict(),
    ),
]


def refusal_messages(exc: CebError) -> list[str]:
    """A CEB message's refusal as the sentences an upload page shows, in the active language."""
    if isinstance(exc, CebSchemaError):
        return [
            _("The file is not valid against the CEB schema; problems found: %(n)s.")
            % {"n": len(exc.problems)},
            *(problem_sentence(problem) for problem in exc.problems),
        ]
    for pattern, say in _REFUSALS:
        if match := pattern.search(exc.message):
            return [say(match)]
    return [
        _("The file cannot be read as a CEB message (Technical detail: %(detail)s)") % {"detail": exc.message}
    ]
