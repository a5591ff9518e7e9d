def test_healthz_answers_ok_without_login_or_database(client):
    # No database fixture: any query during the request would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "max-age=0" in response["Cache-Control"]


def test_favicon_is_served_from_static_files(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
