"""Translations: both catalogues complete and compiled, and the page language follows the browser and
the switch."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalog_is_complete(language):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(catalog) > 100
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []
    # the compiled catalog says what the source says
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    # Keyed with the context: "From" (a sender) and "From" (of a date range) are two entries.
    assert {(e.msgctxt, e.msgid): e.msgstr for e in compiled if not e.msgid_plural} == {
        (e.msgctxt, e.msgid): e.msgstr for e in catalog if not e.msgid_plural and not e.obsolete
    }


def test_chinese_browser_gets_chinese_and_switch_changes_language(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'lang="en"' in english and "Log in" in english
    client.post("/i18n/setlang/", {"language": "en", "next": "/zones/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    switched = client.get("/zones/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in switched and "Batch 1" in switched
