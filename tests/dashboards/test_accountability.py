"""Accountability indicators against numbers computed by hand, their undefined cases, the peer median
over the prefecture only, the related-party window by date, and who sees what."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import Contract
from dashboards import aggregates
from dashboards.accountability import _related_level
from dashboards.flags import Band, Thresholds
from dashboards.indicators import organization_indicators
from dashboards.output import organization_output
from organizations.models import Organization
from organizations.related_party import related_party, window_start
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    KeyPersonFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    RegionFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = datetime.date
M = Decimal


def report(org, personnel, staff, reported=None, year=2025):
    total = max(M(personnel), M("1000"))
    return AnnualReportFactory(organization=org, fiscal_year=year, total_expenses=total, program_expenses=M("0"),
                               management_expenses=M("0"), personnel_costs=M(personnel), staff_count=staff,
                               reported_government_income=None if reported is None else M(reported))


def paid(contract, amount, on=None):
    on = on or D(2025, 6, 1)
    return PaymentFactory(contract=contract, due_on=on, paid_on=on, amount=M(amount))


@pytest.fixture
def world(db):
    """Province 220000 > prefecture A 220100 > counties 220102, 220103; prefecture B 220200.

    X (county 220102, scope: children's rehabilitation, home care), 2025:
      c1 rehab_children, P1, active: paid 60 000 (in scope)
      c2 vocational_training, P2, active: paid 30 000 (outside scope; related party: key person K at P2 since 2020)
      c3 legal_aid, P1, draft: paid 10 000 (outside scope; cash basis counts it)
      c5 rehab_children, P2, cancelled: paid 20 000 (would be related party: counts only in the denominator)
      subsidy 30 000; report: personnel 400 000, staff 5, reported government income 135 000
    Peers of prefecture A in 2025 (reports with staff): X 80 000, Y1 40 000, Y2 50 000, Y3 30 000, Y4 20 000
    per staff member (Y5 has no staff, Y7 only a 2024 report); prefecture B: Y6 1 000 000.
    """
    province = RegionFactory(code="220000", name="吉林省", level="province")
    pref_a = RegionFactory(code="220100", name="长春市", level="prefecture", parent=province)
    county_a1 = RegionFactory(code="220102", name="南关区", level="county", parent=pref_a)
    county_a2 = RegionFactory(code="220103", name="宽城区", level="county", parent=pref_a)
    pref_b = RegionFactory(code="220200", name="吉林市", level="prefecture", parent=province)
    p1 = PurchaserFactory(name="甲民政局", region=pref_a)
    p2 = PurchaserFactory(name="乙残联", region=pref_a)
    x = OrganizationFactory(name="X 康复中心", region=county_a1, service_scope=["rehab_children", "daily_care"])
    c1 = ContractFactory(purchaser=p1, organization=x, service_category="rehab_children", signed_on=D(2025, 1, 10))
    c2 = ContractFactory(purchaser=p2, organization=x, service_category="vocational_training",
                         signed_on=D(2025, 3, 1))
    c3 = ContractFactory(purchaser=p1, organization=x, service_category="legal_aid", status="draft",
                         signed_on=D(2025, 2, 1))
    c5 = ContractFactory(purchaser=p2, organization=x, service_category="rehab_children", status="cancelled",
                         signed_on=D(2025, 4, 1))
    for contract, amount in ((c1, "60000"), (c2, "30000"), (c3, "10000"), (c5, "20000")):
        paid(contract, amount)
    KeyPersonFactory(organization=x, name="王五", post_purchaser=p2, post_title="副局长", post_from=D(2020, 1, 1))
    IncomeRecordFactory(organization=x, fiscal_year=2025, source="government_subsidy", funder_purchaser=p1,
                        amount=M("30000"))
    report(x, "400000", 5, reported="135000")
    y1 = OrganizationFactory(name="Y1", region=pref_a)
    report(y1, "40000", 1)
    for name, region, personnel, staff in (("Y2", county_a1, "100000", 2), ("Y3", county_a2, "60000", 2),
                                           ("Y4", county_a2, "20000", 1), ("Y5", county_a2, "50000", 0)):
        report(OrganizationFactory(name=name, region=region), personnel, staff)
    report(OrganizationFactory(name="Y7", region=county_a2), "999999", 1, year=2024)
    y6 = OrganizationFactory(name="Y6", region=pref_b)
    report(y6, "1000000", 1, reported="50000")
    return {"x": x, "y1": y1, "y6": y6, "p1": p1, "p2": p2, "province": province, "c2": c2}


def row_of(org, year=2025):
    [row] = organization_indicators(Organization.objects.filter(pk=org.pk), year)
    return row


def test_hand_computed_row(world):
    row = row_of(world["x"])
    # contract income 60 000 + 30 000 + 10 000 (draft) + 20 000 (cancelled) = 120 000
    assert row.contract_income == M("120000.00")
    # outside scope: vocational training 30 000 + legal aid 10 000 (draft: cash basis) = 40 000 → 1/3
    assert row.outside_scope_income == M("40000.00")
    assert organization_output(row)["mission_drift"] == M("0.3333")
    assert row.mission_drift_flag == "amber"
    # pay: 400 000 / 5 = 80 000; prefecture A: 20, 30, 40, 50, 80 thousand → median 40 000 → 2.00 (amber)
    assert row.salary_per_staff == M("80000")
    assert row.peer_count == 5 and row.peer_median_salary == M("40000")
    assert organization_output(row)["salary_to_peers"] == M("2.00")
    assert row.salary_to_peers_flag == "amber"
    # G = 120 000 + 30 000 subsidy = 150 000; reported 135 000 → (135 − 150) / 150 = −0.1, flagged on 0.1
    assert row.government_income == M("150000.00")
    assert row.reported_government_income == M("135000.00")
    assert row.reported_income_gap == M("-0.1")
    assert row.reported_income_gap_flag == "amber"
    # related party: c2 (30 000); the cancelled c5 only in the denominator → 30 000 / 120 000 = 0.25 → red
    assert row.related_party_income == M("30000.00")
    assert row.related_party_share == M("0.25")
    assert row.related_party_share_flag == "red"


def test_peer_median_is_over_the_prefecture_only(world):
    # Y6's 1 000 000 per staff member is in prefecture B: with it, A's median would be 45 000 (ratio 1.78).
    assert row_of(world["x"]).peer_median_salary == M("40000")
    # Y6 alone in prefecture B: fewer than 5 peers → undefined, not 0, and no flag
    y6 = row_of(world["y6"])
    assert y6.peer_count == 1 and y6.salary_to_peers is None and y6.salary_to_peers_flag is None
    assert y6.peer_median_salary is None and y6.salary_per_staff == M("1000000")


def test_a_fifth_peer_less_makes_it_undefined(world):
    Organization.objects.get(name="Y4").annual_reports.update(staff_count=0)
    row = row_of(world["x"])
    assert row.peer_count == 4 and row.salary_to_peers is None and row.peer_median_salary is None


def test_undefined_cases(world):
    # no service scope: mission drift undefined although there is contract income
    z = OrganizationFactory(name="Z", region=world["province"])
    paid(ContractFactory(purchaser=world["p1"], organization=z, service_category="other"), "5000")
    row = row_of(z)
    assert row.contract_income == M("5000.00") and row.mission_drift is None and row.mission_drift_flag is None
    # a province-level organization has no prefecture: no peers, no pay ratio
    report(z, "10000", 1, reported="1000")
    row = row_of(z)
    assert row.peer_count == 0 and row.salary_to_peers is None
    # reported 1 000 against G = 5 000: −0.8, red on its absolute value
    assert row.reported_income_gap == M("-0.8") and row.reported_income_gap_flag == "red"
    # G = 0: Y6 reports 50 000 of government income, but none is recorded → undefined
    y6 = row_of(world["y6"])
    assert y6.government_income == 0 and y6.reported_income_gap is None and y6.reported_income_gap_flag is None
    # nothing reported: undefined (a reported 0 would be a −100 % gap)
    y1 = row_of(world["y1"])
    assert y1.reported_government_income is None and y1.reported_income_gap is None
    # no contract income: mission drift and related-party share undefined, never 0 %
    assert y1.mission_drift is None and y1.related_party_share is None and y1.related_party_share_flag is None


def test_a_reported_zero_is_a_full_gap(world):
    world["x"].annual_reports.update(reported_government_income=M("0"))
    row = row_of(world["x"])
    assert row.reported_income_gap == M("-1") and row.reported_income_gap_flag == "red"


def test_other_years_do_not_mix(world):
    row = row_of(world["x"], 2024)
    assert row.contract_income == 0 and row.mission_drift is None and row.salary_to_peers is None


# --- the related-party window ------------------------------------------------------------------------------

def is_related(contract):
    return Contract.objects.annotate(r=related_party()).get(pk=contract.pk).r


@pytest.mark.parametrize(("post_from", "post_to", "expected"), [
    (D(2015, 1, 1), D(2022, 3, 1), True),    # ended exactly 3 years before signing (2025-03-01): counts
    (D(2015, 1, 1), D(2022, 2, 28), False),  # ended 3 years and 1 day before: does not count
    (None, D(2022, 3, 1), True),             # no start date
    (D(2025, 3, 1), None, True),             # started on the signing day, still held
    (D(2025, 3, 2), None, False),            # started the day after signing
    (None, None, True),                      # current post, no dates
])
def test_post_window_by_date(world, post_from, post_to, expected):
    c2 = world["c2"]
    c2.organization.key_persons.all().delete()
    KeyPersonFactory(organization=c2.organization, post_purchaser=world["p2"], post_title="科长",
                     post_from=post_from, post_to=post_to)
    assert is_related(c2) is expected


def test_post_at_another_purchaser_or_without_post_does_not_count(world):
    c2 = world["c2"]
    c2.organization.key_persons.all().delete()
    KeyPersonFactory(organization=c2.organization, post_purchaser=world["p1"], post_title="科长")
    KeyPersonFactory(organization=c2.organization)  # no government post
    KeyPersonFactory(post_purchaser=world["p2"], post_title="科长")  # someone else's key person
    assert is_related(c2) is False


def test_window_start_of_a_leap_day():
    assert window_start(D(2028, 2, 29)) == D(2025, 3, 1)
    assert window_start(D(2025, 3, 1)) == D(2022, 3, 1)


def test_leap_day_signing_in_the_database(world):
    c2 = world["c2"]
    Contract.objects.filter(pk=c2.pk).update(signed_on=D(2028, 2, 29))
    c2.organization.key_persons.update(post_to=D(2025, 2, 28))
    assert is_related(c2) is False
    c2.organization.key_persons.update(post_to=D(2025, 3, 1))
    aggregates.refresh([c2.organization_id])  # update() sends no signals
    assert is_related(c2) is True


@pytest.mark.parametrize(("value", "expected"), [
    ("0", "none"), ("0.0001", "amber"), ("0.2499", "amber"), ("0.25", "red"), ("1", "red"), (None, None)])
def test_related_party_share_levels(value, expected):
    band = Thresholds.load().get("related_party_share")
    assert band == Band("related_party_share", M("0"), M("0.25"), "gt", band.source)
    assert _related_level(band, None if value is None else M(value)) == expected


# --- who sees what -----------------------------------------------------------------------------------------

def test_ngo_manager_sees_only_their_own_accountability(world, client):
    manager = user_with_role("ngo_manager", organizations=[world["y1"]])
    client.force_login(manager)
    rows = client.get("/api/indicators/organizations/", {"year": 2025}).json()["results"]
    assert [r["organization"] for r in rows] == [world["y1"].pk]
    # the peer median is a number; no peer's name or own figures come with it
    assert rows[0]["peer_median_salary"] == "40000.00" and rows[0]["peer_count"] == 5
    response = client.get("/api/indicators/organizations/", {"year": 2025, "format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "peer_median_salary" in body and "40000.00" in body
    assert "X 康复中心" not in body and "80000" not in body
    assert client.get(f"/organizations/{world['x'].pk}/").status_code == 404


# --- pages -------------------------------------------------------------------------------------------------

def test_organization_accountability_page_shows_the_evidence(world, client):
    client.force_login(user_with_role("analyst"))
    html = client.get(f"/organizations/{world['x'].pk}/accountability/", {"year": 2025}).content.decode()
    assert "33.3 %" in html and "25.0 %" in html and "-10.0 %" in html and "2.00" in html
    assert world["c2"].reference in html  # outside scope and related party
    assert "王五" in html and "副局长" in html and "长春市" in html
    assert "135,000.00" in html and "150,000.00" in html
    for name in ("Y1", "Y2", "Y3", "Y4"):  # the peers are a median, never names
        assert f">{name}<" not in html


def test_ngo_manager_cannot_open_another_organizations_accountability(world, client):
    client.force_login(user_with_role("ngo_manager", organizations=[world["y1"]]))
    assert client.get(f"/organizations/{world['x'].pk}/accountability/").status_code == 404
    assert client.get(f"/organizations/{world['y1'].pk}/accountability/").status_code == 200
    html = client.get("/dashboards/accountability/", {"year": 2025}).content.decode()
    assert "Y1" in html and "X 康复中心" not in html


def test_accountability_dashboard_rows_flags_and_csv(world, client):
    client.force_login(user_with_role("analyst"))
    html = client.get("/dashboards/accountability/", {"year": 2025}).content.decode()
    assert "X 康复中心" in html and 'id="red-count">1<' in html
    response = client.get("/dashboards/accountability/", {"year": 2025, "export": "csv", "flag": "red"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("organization,organization_name,year,contract_income,government_income,mission_drift")
    assert len(lines) == 2 and "X 康复中心" in lines[1] and ",0.3333," in lines[1] and ",0.2500," in lines[1]


def test_accountability_dashboard_query_count_is_fixed(world, client):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user_with_role("analyst"))

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboards/accountability/", {"year": 2025}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        org = OrganizationFactory(name=f"N{i}", region=world["x"].region, service_scope=["other"])
        paid(ContractFactory(organization=org, purchaser=world["p2"]), "1000")
        report(org, "30000", 1, reported="900")
        KeyPersonFactory(organization=org, post_purchaser=world["p2"], post_title="科员")
    assert count() == few


def test_related_party_evidence_names_the_key_persons_in_one_query(world, django_assert_num_queries):
    from organizations.related_party import related_party_evidence

    x = world["x"]
    old = KeyPersonFactory(organization=x, post_purchaser=world["p2"], post_title="科员", post_to=D(2021, 1, 1))
    contracts = list(Contract.objects.filter(organization=x).order_by("pk"))
    with django_assert_num_queries(1):
        evidence = related_party_evidence(contracts)
    current = x.key_persons.get(name="王五")
    assert evidence[world["c2"].pk] == [("organizations.keyperson", current.pk)]
    assert ("organizations.keyperson", old.pk) not in evidence[world["c2"].pk]  # ended 4 years before
    assert all(c.purchaser_id == world["p2"].pk for c in contracts if c.pk in evidence)
    # the Python rule and the database agree on every contract
    flagged = set(Contract.objects.filter(organization=x).filter(related_party()).values_list("pk", flat=True))
    assert flagged == set(evidence)
