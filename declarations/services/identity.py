"""What identifies a document: its natural key, and the hash of its content that tells a re-sent
document from a changed one."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from .specs import DocumentSpec


HEADER_FIELDS = ("guid", "app_time", "app_type")  # not part of a document's content


def _canonical(value: Any) -> Any:
    """The content that identifies a document: amounts normalised, None as "", the header left out.
    Plain strings and ints, most of a document, are taken as they are without a call of their own."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, dict):
        return {
            k: v if type(v) is str or type(v) is int else _canonical(v)
            for k, v in sorted(value.items())
            if k not in HEADER_FIELDS
        }
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return "" if value is None else value


def content_hash(data: dict[str, Any]) -> str:
    """The same document sent twice has the same hash, whatever its guid and send time.

    The hash is of `json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))` in UTF-8, as
    first written. For the strings, bounded ints, lists and dicts of a validated document orjson writes
    those same bytes, several times faster; anything it would not write (an int beyond 64 bits) goes
    the standard library's way."""
    canonical = _canonical(data)
    try:
        payload = orjson.dumps(canonical)
    except orjson.JSONEncodeError:
        payload = json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(payload).hexdigest()


def natural_key(spec: DocumentSpec, data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(data.get(name) or "" for name in spec.key_fields)


def natural_key_fields(spec: DocumentSpec, data: dict[str, Any] | None) -> dict[str, str]:
    if not data:
        return {}
    return {name: data.get(name, "") for name in spec.key_fields}


def natural_key_text(spec: DocumentSpec, key: tuple[str, ...]) -> str:
    return "/".join(part for part in key if part)[:100]
