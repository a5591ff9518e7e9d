"""The work queue: each list's rule on hand-built cases, the user's scope, CSV, a fixed number of queries, and the
same counts on the home dashboard."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import workqueue
from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def contract(**kwargs):
    kwargs.setdefault("signed_on", days(-400))
    kwargs.setdefault("start_on", kwargs["signed_on"])
    return ContractFactory(**kwargs)


@pytest.fixture
def bureau():
    return PurchaserFactory(name="南关区残联")


@pytest.fixture
def staff(bureau):
    return user_with_role("staff", purchasers=[bureau])


def test_payments_due_or_overdue(bureau, staff):
    active = contract(purchaser=bureau, end_on=days(200))
    overdue = PaymentFactory(contract=active, due_on=days(-5), paid_on=None)
    due_soon = PaymentFactory(contract=active, due_on=days(10), paid_on=None)
    PaymentFactory(contract=active, due_on=days(60), paid_on=None)  # not due yet
    PaymentFactory(contract=active, due_on=days(-5), paid_on=days(-6))  # paid
    PaymentFactory(contract=contract(purchaser=bureau, end_on=days(200), status="draft"), due_on=days(-5),
                   paid_on=None)  # a draft contract's payment is not owed
    PaymentFactory(contract=contract(end_on=days(200)), due_on=days(-5), paid_on=None)  # another purchaser's
    assert list(workqueue.payments_due(staff, TODAY)) == [overdue, due_soon]


def test_contracts_ending_without_successor(bureau, staff):
    organization = OrganizationFactory()
    ending = contract(purchaser=bureau, organization=organization, end_on=days(30))
    renewed = contract(purchaser=bureau, organization=organization, end_on=days(45), service_category="day_care")
    contract(purchaser=bureau, organization=organization, service_category="day_care", signed_on=days(-10),
             start_on=days(46), end_on=days(400))  # the successor of ``renewed``
    not_a_successor = contract(purchaser=bureau, organization=organization, end_on=days(60),
                               service_category="employment")
    contract(purchaser=bureau, organization=organization, service_category="employment", signed_on=days(-5),
             start_on=days(61), end_on=days(400), status="cancelled")  # cancelled: no successor
    contract(purchaser=bureau, organization=organization, end_on=days(120))  # beyond 90 days
    contract(purchaser=bureau, organization=organization, end_on=days(-1))  # already ended
    contract(purchaser=bureau, organization=organization, end_on=days(20), status="completed")  # not active
    contract(end_on=days(20))  # another purchaser's
    rows = list(workqueue.contracts_ending(staff, TODAY))
    assert rows == [ending, not_a_successor] and renewed not in rows


def test_a_successor_of_another_organization_or_purchaser_does_not_count(bureau, staff):
    organization = OrganizationFactory()
    ending = contract(purchaser=bureau, organization=organization, end_on=days(30))
    contract(purchaser=bureau, signed_on=days(-1), start_on=days(31), end_on=days(400))  # other organization
    contract(organization=organization, signed_on=days(-1), start_on=days(31), end_on=days(400))  # other purchaser
    assert list(workqueue.contracts_ending(staff, TODAY)) == [ending]


def test_ended_contracts_without_review(bureau, staff):
    unreviewed = contract(purchaser=bureau, end_on=days(-10), status="completed")
    PerformanceReviewFactory(contract=contract(purchaser=bureau, end_on=days(-10), status="completed"))
    contract(purchaser=bureau, end_on=days(10))  # still running
    contract(purchaser=bureau, end_on=days(-10), status="cancelled")  # never counted
    contract(end_on=days(-10), status="completed")  # another purchaser's
    assert list(workqueue.contracts_unreviewed(staff, TODAY)) == [unreviewed]


def test_ngo_manager_sees_own_organizations_rows_only(bureau):
    mine = OrganizationFactory()
    kept = contract(purchaser=bureau, organization=mine, end_on=days(-3))
    contract(purchaser=bureau, end_on=days(-3))
    manager = user_with_role("ngo_manager", organizations=[mine])
    assert list(workqueue.contracts_unreviewed(manager, TODAY)) == [kept]


def test_page_lists_links_and_csv_with_a_fixed_number_of_queries(client, bureau, staff):
    client.force_login(staff)
    url = reverse("dashboards:work_queue")
    active = contract(purchaser=bureau, end_on=days(30), reference="HT-WQ-1")
    PaymentFactory(contract=active, due_on=days(-1), paid_on=None)
    client.get(url)  # warm-up (session, scope)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("contracts:contract_detail", args=[active.pk]) in page and "HT-WQ-1" in page
    assert [(row["key"], row["count"]) for row in response.context["lists"]] == [
        ("payments", 1), ("ending", 1), ("unreviewed", 0)]
    for n in range(5):
        other = contract(purchaser=bureau, end_on=days(-20 - n))
        PaymentFactory(contract=other, due_on=days(-2), paid_on=None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert [row["count"] for row in response.context["lists"]] == [6, 1, 5]
    assert len(many) == len(few)

    export = client.get(url, {"export": "unreviewed"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 5 and rows[0][0] == "id"


def test_home_dashboard_shows_the_same_counts(client, bureau, staff):
    active = contract(purchaser=bureau, end_on=days(30))
    PaymentFactory(contract=active, due_on=days(-1), paid_on=None)
    contract(purchaser=bureau, end_on=days(-30))
    client.force_login(staff)
    response = client.get(reverse("home"))
    assert {row["key"]: row["count"] for row in response.context["work_lists"]} == {
        "payments": 1, "ending": 1, "unreviewed": 1}
    assert reverse("dashboards:work_queue") + "#ending" in response.content.decode()


def test_work_queue_needs_login(client):
    assert client.get(reverse("dashboards:work_queue")).status_code == 302
