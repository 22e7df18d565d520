"""`manage.py load_history N` writes with PostgreSQL's COPY; elsewhere it refuses, clearly and changing
nothing. (On PostgreSQL, tests/test_query_plans.py loads a history and checks it.)"""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from declarations.models import InventoryList

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("postgresql" in settings.DATABASES["default"]["ENGINE"], reason="SQLite's refusal")
def test_without_postgresql_the_loader_refuses(world):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("load_history", "10")
    assert not InventoryList.objects.exists()


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError, match="positive"):
        call_command("load_history", "0")
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("load_history", "10", "--bonded-share", "2")
