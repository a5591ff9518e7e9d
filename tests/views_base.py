"""A base class for the page tests of one model, driven by class attributes and a few small methods.

Subclass it once per model::

    class TestPaymentPages(ObjectViewTests):
        model = Payment
        factory = PaymentFactory
        invalid_field = "amount"

        def valid_data(self):      # a form submission that must be saved
        def invalid_data(self):    # one that must be refused with an error on ``invalid_field``
        def search_pair(self):     # (object found by ?q=…, object not found, the search text)
        def filter_pair(self):     # (object kept by the filter, object dropped, the GET parameters)
        def check_saved(self, obj, data):  # what the saved object must look like

``protect(obj)`` (optional) creates a record that blocks deleting ``obj``. The tests log in as an administrator;
the role matrix lives with the roles tests.
"""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import user_with_role


class ObjectViewTests:
    """List (rows, ``q`` and filters narrow them), detail, add, add-another, edit, invalid submission, delete,
    delete refused when protected, anonymous redirect, 404 for an unknown id."""

    pytestmark = pytest.mark.django_db

    model = None
    factory = None
    invalid_field = None

    # -- what a subclass provides ------------------------------------------------------------------------------

    def valid_data(self):
        raise NotImplementedError

    def invalid_data(self):
        raise NotImplementedError

    def search_pair(self):
        raise NotImplementedError

    def filter_pair(self):
        raise NotImplementedError

    def check_saved(self, obj, data):
        """Assert the saved object holds what ``data`` submitted (subclasses add the fields that matter)."""

    def edit_data(self, obj):
        """The submission of the edit test: the valid data (subclasses may adapt it to ``obj``)."""
        return self.valid_data()

    protect = None

    # -- helpers ------------------------------------------------------------------------------------------------

    def url(self, action, obj=None):
        meta = self.model._meta
        name = f"{meta.app_label}:{meta.model_name}_{action}"
        return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)

    @pytest.fixture
    def admin_client(self, client, db):
        client.force_login(user_with_role("administrator", username="admin-views"))
        return client

    # -- the tests ------------------------------------------------------------------------------------------------

    def test_list_shows_rows_count_and_links(self, admin_client):
        obj = self.factory()
        response = admin_client.get(self.url("list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert obj.get_absolute_url() in html
        assert response.context["result_count"] == 1

    def test_search_narrows_rows(self, admin_client):
        found, other, text = self.search_pair()
        response = admin_client.get(self.url("list"), {"q": text})
        html = response.content.decode()
        assert f'href="{found.get_absolute_url()}"' in html
        assert f'href="{other.get_absolute_url()}"' not in html
        assert response.context["result_count"] == 1

    def test_filter_narrows_rows(self, admin_client):
        kept, dropped, params = self.filter_pair()
        response = admin_client.get(f"{self.url('list')}?{urlencode(params, doseq=True)}")
        html = response.content.decode()
        assert f'href="{kept.get_absolute_url()}"' in html
        assert f'href="{dropped.get_absolute_url()}"' not in html

    def test_list_page_size_choice(self, admin_client):
        self.factory.create_batch(3)
        response = admin_client.get(self.url("list"), {"per_page": "50"})
        assert response.context["table"].paginator.per_page == 50
        response = admin_client.get(self.url("list"), {"per_page": "7"})
        assert response.context["table"].paginator.per_page == 25

    def test_list_queries_do_not_grow_with_rows(self, admin_client):
        self.factory.create_batch(2)
        with CaptureQueriesContext(connection) as few:
            admin_client.get(self.url("list"))
        self.factory.create_batch(8)
        with CaptureQueriesContext(connection) as many:
            admin_client.get(self.url("list"))
        assert len(many) == len(few)

    def test_detail(self, admin_client):
        obj = self.factory()
        response = admin_client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert str(obj) in response.content.decode()
        assert self.url("edit", obj) in response.content.decode()

    def test_unknown_id_is_404(self, admin_client):
        meta = self.model._meta
        url = reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[987654])
        assert admin_client.get(url).status_code == 404

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(self.url("list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_add(self, admin_client):
        data = self.valid_data()
        before = self.model.objects.count()
        response = admin_client.post(self.url("add"), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert self.model.objects.count() == before + 1
        obj = self.model.objects.order_by("-pk").first()
        assert response["Location"] == obj.get_absolute_url()
        self.check_saved(obj, data)

    def test_save_and_add_another_returns_to_an_empty_form(self, admin_client):
        data = {**self.valid_data(), "_addanother": "1"}
        response = admin_client.post(self.url("add"), data)
        assert response.status_code == 302
        assert response["Location"] == self.url("add")

    def test_edit(self, admin_client):
        obj = self.factory()
        data = self.edit_data(obj)
        response = admin_client.get(self.url("edit", obj))
        assert response.status_code == 200
        response = admin_client.post(self.url("edit", obj), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        obj.refresh_from_db()
        self.check_saved(obj, data)

    def test_invalid_submission_shows_the_error_and_writes_nothing(self, admin_client):
        before = self.model.objects.count()
        response = admin_client.post(self.url("add"), self.invalid_data())
        assert response.status_code == 200
        form = response.context["form"]
        assert self.invalid_field in form.errors
        html = response.content.decode()
        assert "is-invalid" in html
        assert str(form.errors[self.invalid_field][0]).replace("'", "&#x27;") in html
        assert self.model.objects.count() == before

    def test_delete(self, admin_client):
        obj = self.factory()
        response = admin_client.get(self.url("delete", obj))
        assert response.status_code == 200
        assert not response.context["blocked"]
        response = admin_client.post(self.url("delete", obj))
        assert response.status_code == 302
        assert response["Location"] == self.url("list")
        assert not self.model.objects.filter(pk=obj.pk).exists()

    def test_delete_refused_when_protected(self, admin_client):
        if self.protect is None:
            pytest.skip("nothing protects this model from deletion")
        obj = self.factory()
        blocker = self.protect(obj)
        response = admin_client.get(self.url("delete", obj))
        assert response.status_code == 200
        assert response.context["blocked"]
        assert blocker.get_absolute_url() in response.content.decode()
        response = admin_client.post(self.url("delete", obj))
        assert response.status_code == 409
        assert blocker.get_absolute_url() in response.content.decode()
        assert self.model.objects.filter(pk=obj.pk).exists()
