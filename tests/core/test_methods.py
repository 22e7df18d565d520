"""A page asked with the wrong method answers with a page in the layout, in the reader's language."""

import pytest

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Not available this way"), ("zh-hans", "无法这样打开")]
)
def test_get_on_a_post_only_page_is_a_405_page(client, language, words):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.get("/enterprise/api-keys/some-prefix/revoke/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert words in html and 'class="topbar"' in html  # the portal's layout, not a bare answer


def test_the_api_keeps_its_own_405(api):
    response = api.delete("/api/v1/zones/")
    assert response.status_code == 405 and response.json()["code"]
