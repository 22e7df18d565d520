"""Sentences the window writes once and people read in their own language.

A receipt's reason is written by a task, with no reader in sight, and read later: in Chinese in a CEB
receipt (the e-port's language), in the reader's language on a page or in the API. So the writer keeps a
`Text` (a message id marked for translation and its parameters) and stores it rendered in both of the
window's languages; the reader picks one. Rendering looks the translated template up in the catalogue
directly (cached per language), without activating a language: a batch writes thousands of receipts.
"""

import re
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop
from django.utils.translation.trans_real import translation as catalogue

CEB_LANGUAGE = "zh-hans"  # CEB receipts are Chinese, whoever reads them
LANGUAGES = ("zh-hans", "en")

__all__ = [
    "CEB_LANGUAGE",
    "Text",
    "both",
    "decoded",
    "encoded",
    "gettext_noop",
    "in_reader_language",
    "joined",
    "rendered",
    "reworded",
    "stored",
]


@lru_cache(maxsize=4096)
def _template(msgid: str, language: str) -> str:
    return catalogue(language).gettext(msgid)


class Text:
    """A message id (marked with `gettext_noop`) and its parameters, rendered on demand. Parameters may be
    Texts themselves (rendered in the same language) or plain values."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, language: str) -> str:
        template = _template(self.msgid, language)
        if not self.params:
            return template
        return template % {
            k: v.render(language) if isinstance(v, Text) else v for k, v in self.params.items()
        }

    def __str__(self) -> str:
        return self.render(translation.get_language() or CEB_LANGUAGE)

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {self.params!r})"


class _Joined(Text):
    __slots__ = ("parts", "separator")

    def __init__(self, parts: list[Any], separator: str) -> None:
        super().__init__("")
        self.parts, self.separator = parts, separator

    def render(self, language: str) -> str:
        return self.separator.join(p.render(language) if isinstance(p, Text) else str(p) for p in self.parts)


def joined(parts: list[Any], separator: str = "; ") -> Text:
    """Texts (and plain strings) joined, each rendered in the reader's language."""
    return _Joined(list(parts), separator)


class _Stored(Text):
    __slots__ = ("chinese", "english")

    def __init__(self, chinese: str, english: str) -> None:
        super().__init__("")
        self.chinese, self.english = chinese, english

    def render(self, language: str) -> str:
        return _pick(language, self.chinese, self.english)


def stored(chinese: str, english: str) -> Text:
    """A text read back in both languages (e.g. from a row), to build a new Text from: each language
    picks its own, as `in_reader_language` does, with no catalogue lookup."""
    return _Stored(chinese, english)


def both(value: "str | Text", limit: int = 1000) -> tuple[str, str]:
    """(Chinese, English) of a Text, each cut to `limit`; a plain string is the same in both."""
    if isinstance(value, Text):
        return value.render("zh-hans")[:limit], value.render("en")[:limit]
    return value[:limit], value[:limit]


def in_reader_language(chinese: str, english: str) -> str:
    """Of a text stored in both languages, the one of the active language (Chinese by default)."""
    return _pick(translation.get_language() or CEB_LANGUAGE, chinese, english)


def _pick(language: str, chinese: str, english: str) -> str:
    return english if language.startswith("en") and english else chinese


def encoded(value: "str | Text") -> Any:
    """A Text as JSON, to store a reason as its code (message id) and parameters and render it later in
    whoever reads it's language; `decoded` gives it back. Parameters that JSON has no type for (Decimal,
    dates) are kept as their text, which is how `%s` writes them anyway."""
    if isinstance(value, _Joined):
        return {"join": [encoded(p) for p in value.parts], "sep": value.separator}
    if isinstance(value, _Stored):
        return {"zh": value.chinese, "en": value.english}
    if isinstance(value, Text):
        return {"msgid": value.msgid, "params": {k: encoded(v) for k, v in value.params.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def decoded(data: Any) -> Any:
    """The Text (or plain value) `encoded` stored."""
    if isinstance(data, dict):
        if "join" in data:
            return _Joined([decoded(p) for p in data["join"]], data.get("sep", "; "))
        if "msgid" in data:
            return Text(data["msgid"], **{k: decoded(v) for k, v in data.get("params", {}).items()})
        if "zh" in data:
            return _Stored(data["zh"], data.get("en", ""))
    return data


def rendered(data: Any, fallback: str = "") -> str:
    """A stored (`encoded`) reason in the active language; `fallback` (the English written before
    reasons were stored as codes), reworded, when there is none or it no longer renders."""
    if not data:
        return reworded(fallback)
    value = decoded(data)
    if not isinstance(value, Text):
        return str(value)
    try:
        return str(value)
    except (KeyError, TypeError, ValueError):  # a catalogue template changed its parameters
        return fallback or value.render("en")


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Django REST framework words its validation messages with str.format: "{max_length}".
_BRACE_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_RULE_PREFIX = re.compile(r"\[(?P<rule>[\w.]+)\] (?P<rest>.+)", re.DOTALL)


@lru_cache(maxsize=1)
def _english_templates() -> list[tuple[re.Pattern[str], str, bool]]:
    """The catalogue's templates whose parameters are all text, as patterns over their English, the
    most specific (longest) first; the flag says the template is a `str.format` one."""
    templates = []
    # A TranslationCatalog: keys() but no __iter__.
    english_ids = set(catalogue("en")._catalog.keys())  # type: ignore[attr-defined]  # noqa: SIM118
    # REST framework's catalogue has no English entries: the Chinese one names its str.format msgids.
    brace_ids = {
        m
        for m in catalogue("zh-hans")._catalog.keys()  # type: ignore[attr-defined]  # noqa: SIM118
        if isinstance(m, str) and "%(" not in m and _BRACE_PLACEHOLDER.search(m)
    }
    for msgid in english_ids | brace_ids:
        if not isinstance(msgid, str) or "\x04" in msgid:
            continue
        braces = "%(" not in msgid and bool(_BRACE_PLACEHOLDER.search(msgid))
        if "%(" not in msgid and not braces:
            continue
        english = catalogue("en").gettext(msgid)
        if not braces and re.search(r"%\(\w+\)[^s]", english):
            continue
        parts, pattern, last = [], "", 0
        for match in (_BRACE_PLACEHOLDER if braces else _PLACEHOLDER).finditer(english):
            pattern += re.escape(english[last : match.start()])
            name = match.group(1)
            pattern += f"(?P={name})" if name in parts else f"(?P<{name}>.+?)"
            parts.append(name)
            last = match.end()
        pattern += re.escape(english[last:])
        literal = len((_BRACE_PLACEHOLDER if braces else _PLACEHOLDER).sub("", english))
        templates.append((literal, re.compile(pattern, re.DOTALL), msgid, braces))
    # The most specific first: the most words of its own, so "%(a)s has no %(b)s." comes after any
    # longer sentence it would also match.
    return [template[1:] for template in sorted(templates, key=lambda t: (-t[0], t[2]))]


def reworded(english: str) -> str:
    """A text kept in English only (by rows written before texts were kept as codes, or by a record
    with one column) in the reader's language: the catalogue's sentence it was rendered from, with
    the same parameters; itself when no sentence of the catalogue wrote it."""
    language = translation.get_language() or CEB_LANGUAGE
    if not english or language.startswith("en"):
        return english
    if (exact := _template(english, language)) != english:
        return exact
    if rule := _RULE_PREFIX.fullmatch(english):
        # "[R1] ...": a rule's code before its sentence (declarations.matching)
        return f"[{rule['rule']}] {reworded(rule['rest'])}"
    for pattern, msgid, braces in _english_templates():
        if match := pattern.fullmatch(english):
            params = {k: reworded(v) for k, v in match.groupdict().items()}
            if braces:
                try:
                    return _template(msgid, language).format(**params)
                except (KeyError, IndexError, ValueError):  # a translation that names other fields
                    return english
            return Text(msgid, **params).render(language)
    return english
