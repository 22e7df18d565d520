"""Tasks are reached by their registered names: every name the code sends is a task in this process."""

import re
from pathlib import Path

import pytest
from celery import current_app

from singlewindow.core import broker

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clearance", "declarations", "sharing", "risk", "finance", "credit", "logistics", "stats", "parks")
# A task name in the code: sent or run by name, a module's task-name constant, a direction's claim task.
NAMED = re.compile(
    r'(?:send_named|run_named)\(\s*"([a-z_]+\.[a-z_]+)"|_TASK\s*=\s*"([a-z_]+\.[a-z_]+)"'
    r'|claim_task="([a-z_]+\.[a-z_]+)"'
)


def _names_in_the_code() -> set[str]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for match in NAMED.finditer(path.read_text()):
                names.add(next(group for group in match.groups() if group))
    return names


def test_every_task_name_the_code_sends_is_registered_in_the_web_process():
    names = _names_in_the_code()
    assert "clearance.process_pending_lists" in names and "sharing.send_webhook" in names
    assert names <= set(current_app.tasks), sorted(names - set(current_app.tasks))


def test_an_unknown_name_fails_loudly_instead_of_being_dropped():
    with pytest.raises(KeyError):
        broker.send_named("clearance.no_such_step")


@pytest.mark.django_db
def test_run_named_returns_the_tasks_result_in_process():
    # The sweeper as a task: a dict of what it found, run here without a broker.
    found = broker.run_named("clearance.sweep")
    assert set(found) >= {"dispatches", "batches_finalized", "matching"}
