"""The one protocol of a refused service call: a code, the fields at fault and an HTTP status.

Services raise a `ServiceError` (or a subclass naming its domain); the API maps it once
(`core.api.exception_handler`) and pages once (`core.forms.add_service_errors`), so no view builds an
error response by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ServiceError(Exception):
    """A rule refused the call. `code` is machine-readable (a CEB business code such as "-621010", or a
    word such as "forbidden"); `fields` maps each field at fault to its messages ("" for the whole
    request); `status` is the HTTP status the API answers with."""

    code: str = "invalid"
    status: int = 400

    def __init__(
        self,
        fields: Mapping[str, Sequence[str]] | str,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        if isinstance(fields, str):
            fields = {"": [fields]}
        self.fields: dict[str, list[str]] = {str(k): [str(m) for m in v] for k, v in fields.items()}
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """The first message, prefixed with its field: what a one-line answer shows."""
        for field, messages in self.fields.items():
            if messages:
                return f"{field}: {messages[0]}" if field else messages[0]
        return self.code

    @property
    def errors(self) -> dict[str, list[str]]:
        """The field errors as the API's `fields` (the whole request's under "non_field_errors")."""
        return {(k or "non_field_errors"): v for k, v in self.fields.items()}


class Forbidden(ServiceError):
    """The caller may not do this to this document (tenancy, role, or who may confirm what)."""

    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """The document's state does not allow it now (already released, with the agencies...)."""

    code = "conflict"
    status = 409
