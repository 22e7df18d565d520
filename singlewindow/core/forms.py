"""Page-side helpers shared by every app's forms."""

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .errors import ServiceError


def add_service_errors(form: forms.Form, exc: ValidationError | ServiceError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    if isinstance(exc, ServiceError):
        # A field name ("" for the whole form); a refusal given as a message shows it above the form.
        errors: Mapping[Any, Sequence[str]] = exc.fields or {None: [exc.detail]}
    else:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
