"""An agency's answer takes only its own ledger's locks; the fan-in takes them all, in one order.

When the last answer finalized the batch in its own transaction, customs (stock, then the guarantee at
the fan-in) and tax (the guarantee, then stock at the fan-in) could each wait for the other: under load
the same two met again on every retry and a batch was left unanswered.
"""

import os

import psycopg2
import pytest
from django.db import OperationalError, connection

from clearance import answer
from declarations.models import AgencyDispatch, InventoryList
from singlewindow.core import broker

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="row locks need PostgreSQL"
    ),
]


@pytest.fixture
def other_session():
    """A second connection to the test database, as another worker would hold one."""
    settings = connection.settings_dict
    session = psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
    )
    yield session
    session.rollback()
    session.close()


@pytest.fixture(autouse=True)
def one_step_at_a_time(monkeypatch):
    """An earlier transactional test may have flushed the database: the reference rows go back (with no
    random inspection draw). Committed work would run its tasks at once (eager Celery): here each step
    is run by hand."""
    from credit.models import CreditLevel

    from ..conftest import reload_reference_data

    reload_reference_data()
    CreditLevel.objects.update(inspection_rate=0)
    monkeypatch.setattr(broker, "send", lambda *args, **kwargs: True)


def test_the_last_answer_is_kept_while_another_worker_holds_the_guarantee(dispatched, other_session):
    world = dispatched
    dispatches = {d.agency: d for d in AgencyDispatch.objects.all()}
    for agency in ("tax", "inspection", "forex"):
        answer.dispatch_to_agency(dispatch_id=dispatches[agency].pk)

    # Another worker's fan-in holds the guarantee.
    with other_session.cursor() as cursor:
        cursor.execute("SELECT id FROM finance_taxguarantee WHERE id = %s FOR UPDATE", [world.guarantee.pk])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    try:
        with pytest.raises(OperationalError, match="lock timeout"):
            answer.dispatch_to_agency(dispatch_id=dispatches["customs"].pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    # Customs' answer committed without the guarantee; only the fan-in waits for it.
    assert AgencyDispatch.objects.get(pk=dispatches["customs"].pk).state == "answered"
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"dispatched"}

    other_session.rollback()
    answer.dispatch_to_agency(dispatch_id=dispatches["customs"].pk)  # delivered again
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
