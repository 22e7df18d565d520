"""The web server the images run (granian, as the Dockerfile and docker-compose.yml start it) serving
the portal for real: pages and API answers with their length on a kept-alive connection, a pushed
document answered 202 by the lane and stored, and a request's environ without the process's
secrets."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from declarations.models import Order
from singlewindow.core.environ import request_only

from .conftest import reload_reference_data
from .factories import ClearanceWorld

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def served(transactional_db):
    """granian on a free port, on the test database, single documents deferred; Celery eager (no
    REDIS_URL), so the intake processor runs as the request commits."""
    if connection.vendor != "postgresql":
        pytest.skip("the server is another process: it sees the test database on PostgreSQL only")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "singlewindow.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": "",
        "INTAKE_DEFERRED": "true",
        "GC_FREEZE": "false",
    }
    command = [sys.executable, "-m", "granian", "--interface", "wsgi", "singlewindow.wsgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--blocking-threads", "2", "--http", "1"]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"granian did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=20)


# Serialized like the suite's other transactional tests: its flush must leave what theirs expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_granian_serves_pages_and_pushed_documents_on_one_connection(served):
    reload_reference_data()  # an earlier transactional test flushed the database
    world = ClearanceWorld()
    order = world.declaration(1)["order"]

    served.request("GET", "/accounts/login/", headers={"Accept-Language": "en"})
    page = served.getresponse()
    body = page.read()
    assert page.status == 200
    assert int(page.getheader("Content-Length")) == len(body)
    assert b"<form" in body

    # The same connection, kept alive: a partner's pushed order, answered by the lane.
    headers = {"Authorization": f"Api-Key {world.keys['platform']}", "Content-Type": "application/json"}
    served.request("POST", "/api/v1/orders/", body=json.dumps(order), headers=headers)
    answer = served.getresponse()
    raw = answer.read()
    receipt = json.loads(raw)
    assert answer.status == 202
    assert int(answer.getheader("Content-Length")) == len(raw)
    assert receipt["return_status"] == "2"
    # Stored by the intake processor (eager here) once the entry committed.
    assert Order.objects.filter(order_no=order["order_no"], submitted_by=world.platform).exists()

    served.request("POST", "/api/v1/orders/", body=b"{", headers=headers)
    refused = served.getresponse()
    assert refused.status == 400
    assert "detail" in json.loads(refused.read())


def test_a_request_does_not_carry_the_process_environment():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    process = {"DJANGO_SECRET_KEY": "s3cret", "DATABASE_URL": "postgres://u:pw@db/x", "PATH": "/bin"}
    wrapped = request_only(app, [*process, "REMOTE_ADDR", "HTTP_PROXY"])
    request = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "REMOTE_ADDR": "10.0.0.9", "HTTP_PROXY": "x"}
    wrapped({**process, **request, "wsgi.input": None}, lambda *a: None)
    assert not set(process) & set(seen)
    # What the request itself carries stays, whatever the process's variables are called.
    assert {k: seen[k] for k in request} == request
    assert "wsgi.input" in seen
