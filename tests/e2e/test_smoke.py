import pytest


@pytest.mark.django_db(transaction=True)
def test_admin_login_page_renders_in_chinese(live_server, page):
    page.goto(f"{live_server.url}/admin/login/")
    assert "用户名" in page.content()
