"""The dashboards group rejections by reason code (issue 18): lists refused for the same reason with
different numbers count together; each group shows its code, what the code means and the newest
list's whole reason in the reader's language, never cut."""

import pytest
from django.utils import timezone

from declarations.models import InventoryList
from stats import selectors
from stats.views import rejections_table

from ..factories import official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]


@pytest.fixture
def refused(world, django_capture_on_commit_callbacks):
    """Two bonded lists refused by customs: no approved bonded warehouse."""
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2):
            world.declare(world.declaration(n, trade_mode="1210"))
    lists = list(InventoryList.objects.filter(status="rejected").order_by("id"))
    assert len(lists) == 2
    return lists


def test_two_lists_with_the_same_reason_code_count_together(refused):
    today = timezone.localdate()
    groups = selectors.top_rejections(selectors.StatsFilter(today, today))
    assert [(g["code"], g["lists"]) for g in groups] == [(refused[0].return_status, 2)]
    # the newest list's reason is the group's example, whole
    assert groups[0]["reason"] == refused[1].status_reason


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_dashboard_shows_code_meaning_and_whole_reason_in_the_readers_language(client, refused, language):
    from django.utils import translation

    client.force_login(official("customs"))
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    section = page[page.index('id="rejections"') :]
    section = section[: section.index("</section>")]
    newest = refused[1]
    with translation.override(language):
        reason = newest.reason
        today = timezone.localdate()
        table = rejections_table(selectors.StatsFilter(today, today))
    assert newest.return_status in section
    assert reason in section.replace("&#x27;", "'")  # the whole reason, not cut
    assert len(reason) > 20
    assert table.rows[0][1] and table.rows[0][1] in section.replace("&#x27;", "'")  # what the code means
    if language == "zh-hans":
        assert "account book" not in section
    else:
        assert "account book" in section


def test_the_excel_file_has_the_same_rows_with_readable_headers(client, refused):
    import io
    import zipfile

    client.force_login(official("customs"))
    answer = client.get("/dashboard/xlsx/rejections/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
    sheet = book.read("xl/worksheets/sheet1.xml").decode() + strings
    assert "代码" in sheet and refused[0].return_status in sheet
