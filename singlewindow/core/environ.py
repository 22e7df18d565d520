"""A request's WSGI environ without the process's environment variables."""

from collections.abc import Callable, Iterable
from typing import Any

# What a server sets for a request (PEP 3333, CGI 1.1); a process variable of the same name is the
# request's and stays.
REQUEST_KEYS = frozenset(
    {
        "AUTH_TYPE",
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "GATEWAY_INTERFACE",
        "PATH_INFO",
        "QUERY_STRING",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
        "REMOTE_USER",
        "REQUEST_METHOD",
        "REQUEST_URI",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
    }
)

WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def request_only(app: WSGIApplication, process_keys: Iterable[str]) -> WSGIApplication:
    """`app` called with the process's environment variables taken out of each request's environ.

    granian (like CGI and wsgiref) starts every environ from the process environment, so request.META
    would carry DJANGO_SECRET_KEY, AUDIT_CHAIN_KEY and DATABASE_URL's password into anything that
    reports a request whole (an error report, a debug page, a log line)."""
    keys = tuple(k for k in process_keys if k not in REQUEST_KEYS and not k.startswith(("HTTP_", "wsgi.")))

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        for key in keys:
            environ.pop(key, None)
        return app(environ, start_response)

    return application
