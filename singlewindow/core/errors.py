"""The one protocol of a refused service call: a code, the fields at fault and an HTTP status.

Services raise a `ServiceError` (or a subclass naming its domain); the API maps it once
(`core.api.exception_handler`) and pages once (`core.forms.add_service_errors`), so no view builds an
error response by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.functional import Promise


class ServiceError(Exception):
    """A rule refused the call. `code` is machine-readable (a CEB business code such as "-621010", or a
    word such as "forbidden"); `fields` maps each field at fault to its messages ("" for the whole
    request); `status` is the HTTP status the API answers with.

    Given a message instead of fields, the refusal is of the whole request: the API answers its
    `detail` with no `fields`, a page shows it above the form. `detail` may also be given beside the
    fields when the one-line answer says more than the first field's message."""

    code: str = "invalid"
    status: int = 400

    def __init__(
        self,
        fields: Mapping[str, Sequence[str]] | str | Promise,
        code: str | None = None,
        status: int | None = None,
        *,
        detail: str | Promise | None = None,
    ) -> None:
        if isinstance(fields, str | Promise):
            detail = fields if detail is None else detail
            fields = {}
        self.fields: dict[str, list[str]] = {str(k): [str(m) for m in v] for k, v in fields.items()}
        # A lazy message is rendered when answered, in the reader's language (a CEB message is handled
        # in Chinese, but a refusal of the whole request is answered in the caller's).
        self._detail: Any = None if detail is None else detail if isinstance(detail, Promise) else str(detail)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """The one-line answer: as given, else the first message prefixed with its field."""
        if self._detail is not None:
            return str(self._detail)
        for field, messages in self.fields.items():
            if messages:
                return f"{field}: {messages[0]}" if field else messages[0]
        return self.code

    @property
    def errors(self) -> dict[str, list[str]]:
        """The field errors as the API's `fields` (the whole request's under "non_field_errors"); empty
        for a refusal given as a message."""
        return {(k or "non_field_errors"): v for k, v in self.fields.items()}


class Forbidden(ServiceError):
    """The caller may not do this to this document (tenancy, role, or who may confirm what)."""

    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """The document's state does not allow it now (already released, with the agencies...)."""

    code = "conflict"
    status = 409
