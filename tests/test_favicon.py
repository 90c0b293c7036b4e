"""The site's icon: linked from every page, and /favicon.ico is not a 404."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_every_page_links_the_icon_and_favicon_ico_leads_to_it(client):
    icon = static("img/favicon.svg")
    home = client.get("/")
    login = client.get("/accounts/login/")
    for page in (home, login):
        assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in page.text

    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == icon
    svg = (settings.BASE_DIR / "static" / "img" / "favicon.svg").read_text()
    assert svg.startswith("<svg xmlns=")
