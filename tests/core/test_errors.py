"""The one service-error protocol: a ServiceError answers the API and a page the same way."""

from django import forms

from singlewindow.core.api import exception_handler
from singlewindow.core.errors import Conflict, Forbidden, ServiceError
from singlewindow.core.forms import add_service_errors


class _Form(forms.Form):
    reason = forms.CharField()


def test_the_api_answers_code_detail_and_fields_with_the_errors_status():
    response = exception_handler(
        ServiceError({"items.0.qty": ["At most 2 were released."]}, "-625003", 409), {}
    )
    assert response.status_code == 409
    assert response.data == {
        "code": "-625003",
        "detail": "items.0.qty: At most 2 were released.",
        "fields": {"items.0.qty": ["At most 2 were released."]},
    }


def test_a_refusal_of_the_whole_request_answers_its_detail_without_fields():
    response = exception_handler(Forbidden("Only customs records inspections.", "permission_denied"), {})
    assert response.status_code == 403
    assert response.data == {"code": "permission_denied", "detail": "Only customs records inspections."}


def test_a_detail_given_beside_the_fields_is_the_one_line_answer():
    refused = ServiceError({"assure_code": ["Required."]}, detail="assure_code: name the guarantor.")
    response = exception_handler(refused, {})
    assert response.data == {
        "code": "invalid",
        "detail": "assure_code: name the guarantor.",
        "fields": {"assure_code": ["Required."]},
    }


def test_subclasses_carry_their_own_code_and_status():
    refused = Conflict({"invt_no": ["The list is with the agencies."]})
    assert (refused.code, refused.status) == ("conflict", 409)
    assert str(refused) == "invt_no: The list is with the agencies."


def test_a_page_shows_the_error_on_the_field_it_names_else_above_the_form():
    form = _Form(data={"reason": "x"})
    assert form.is_valid()
    add_service_errors(form, ServiceError({"reason": ["Too short."], "": ["Not now."]}))
    assert form.errors["reason"] == ["Too short."]
    assert form.non_field_errors() == ["Not now."]


def test_a_refusal_given_as_a_message_shows_above_the_form():
    form = _Form(data={"reason": "x"})
    assert form.is_valid()
    add_service_errors(form, Forbidden("Only an approved enterprise may submit documents."))
    assert form.non_field_errors() == ["Only an approved enterprise may submit documents."]


def test_an_unknown_field_goes_above_the_form_rather_than_being_lost():
    form = _Form(data={"reason": "x"})
    assert form.is_valid()
    add_service_errors(form, ServiceError({"items.3.gcode": ["Unknown HS code."]}))
    assert form.non_field_errors() == ["Unknown HS code."]
