"""Every state-changing request needs the page's CSRF token (sent by htmx in a header)."""

import re

import pytest

from doorbook import create_app


@pytest.fixture
def strict_client(tmp_path):
    return create_app({"DATA_DIR": str(tmp_path), "TESTING": True}).test_client()


def test_a_post_without_the_token_is_refused_with_a_clear_message(strict_client):
    response = strict_client.post("/language", data={"language": "pl"})
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)


def test_a_post_with_the_page_token_in_the_htmx_header_works(strict_client):
    page = strict_client.get("/").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": &#34;([^&]+)&#34;', page).group(1)
    response = strict_client.post(
        "/language", data={"language": "pl"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
