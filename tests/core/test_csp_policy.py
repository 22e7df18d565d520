"""The settings' Content-Security-Policy built once: every response carries what django-csp gives it."""

import pytest
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse

from singlewindow.core.middleware import SettingsPolicyCSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


VIEWS = {
    "plain": plain,
    "nonce": with_nonce,
    "exempt": csp_exempt()(plain),
    "update": csp_update({"img-src": ["https://example.org"]})(plain),
    "replace": csp_replace({"script-src": ["'self'", "https://cdn.example.org"]})(plain),
}


def headers(middleware_class, view, request):
    middleware = middleware_class(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    return {name: response.get(name) for name in HEADERS}


@pytest.mark.parametrize("report_only", [False, True])
@pytest.mark.parametrize("name", VIEWS)
def test_each_response_carries_django_csp_s_headers(rf, settings, name, report_only):
    if report_only:
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    view = VIEWS[name]
    request = rf.get("/page/")
    ours, theirs = (
        headers(SettingsPolicyCSPMiddleware, view, request),
        headers(CSPMiddleware, view, rf.get("/page/")),
    )
    if name == "nonce":  # the view took a nonce: django-csp's own path
        assert request._csp_nonce
    assert ours == theirs
    assert (ours["Content-Security-Policy"] is None) == (name == "exempt")
    assert (ours["Content-Security-Policy-Report-Only"] is not None) == report_only


def test_a_changed_setting_changes_the_policy(rf, settings):
    before = headers(SettingsPolicyCSPMiddleware, plain, rf.get("/"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}
    }
    after = headers(SettingsPolicyCSPMiddleware, plain, rf.get("/"))["Content-Security-Policy"]
    assert after != before and "img-src 'self' data:" in after


def test_a_nonce_asked_for_after_the_header_is_an_error(rf):
    from csp.exceptions import CSPNonceError

    request = rf.get("/")
    headers(SettingsPolicyCSPMiddleware, plain, request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
