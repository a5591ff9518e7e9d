"""Every role × every model with pages × (list, detail, add, edit, delete), as docs/roles.md describes.

The expected answer of each cell is written out in ``EXPECTED`` below, by hand, not computed by the code under test.
"in" is an object inside the user's scope (county A: bureau A, organization A and their contract), "out" one outside
(county B, next door under the same prefecture). 200 = the page, 403 = visible but not allowed, 404 = outside the
scope, LOGIN = redirect to the login page. Add/edit/delete are exercised with GET (the form or confirmation page)
and with a POST that succeeds where allowed, or is refused and writes nothing where not.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from contracts.models import Contract, Payment, PerformanceReview
from core.uscc import complete_uscc
from organizations.models import AnnualReport, IncomeRecord, Organization, Purchaser, Region
from tests import factories as f

LOGIN = "login"
ROLES = ["administrator", "staff", "ngo_manager", "analyst", "anonymous"]
ACTIONS = ["list", "detail_in", "detail_out", "add", "edit_in", "edit_out", "delete_in", "delete_out"]

# model: (path prefix, model class)
PAGES = {
    "purchaser": ("/purchasers/", Purchaser),
    "organization": ("/organizations/", Organization),
    "incomerecord": ("/income-records/", IncomeRecord),
    "annualreport": ("/annual-reports/", AnnualReport),
    "contract": ("/contracts/", Contract),
    "payment": ("/payments/", Payment),
    "performancereview": ("/reviews/", PerformanceReview),
}

#                                  list detail     add  edit       delete
#                                       in   out        in   out   in   out
EXPECTED = {
    "administrator": {
        "purchaser":         (200, 200, 200, 200, 200, 200, 200, 200),
        "organization":      (200, 200, 200, 200, 200, 200, 200, 200),
        "incomerecord":      (200, 200, 200, 200, 200, 200, 200, 200),
        "annualreport":      (200, 200, 200, 200, 200, 200, 200, 200),
        "contract":          (200, 200, 200, 200, 200, 200, 200, 200),
        "payment":           (200, 200, 200, 200, 200, 200, 200, 200),
        "performancereview": (200, 200, 200, 200, 200, 200, 200, 200),
    },
    # Staff of the county-A bureau: purchasers' and organizations' public profiles everywhere; their own
    # purchasers' contracts, payments and reviews; money of organizations holding a contract with them (read only).
    "staff": {
        "purchaser":         (200, 200, 200, 403, 200, 403, 403, 403),
        "organization":      (200, 200, 200, 200, 200, 403, 200, 403),
        "incomerecord":      (200, 200, 404, 403, 403, 404, 403, 404),
        "annualreport":      (200, 200, 404, 403, 403, 404, 403, 404),
        "contract":          (200, 200, 404, 200, 200, 404, 200, 404),
        "payment":           (200, 200, 404, 200, 200, 404, 200, 404),
        "performancereview": (200, 200, 404, 200, 200, 404, 200, 404),
    },
    # Manager of organization A: its profile, money, contracts, payments and reviews; edits its profile and money.
    "ngo_manager": {
        "purchaser":         (200, 200, 200, 403, 403, 403, 403, 403),
        "organization":      (200, 200, 404, 403, 200, 404, 403, 404),
        "incomerecord":      (200, 200, 404, 200, 200, 404, 200, 404),
        "annualreport":      (200, 200, 404, 200, 200, 404, 200, 404),
        "contract":          (200, 200, 404, 403, 403, 404, 403, 404),
        "payment":           (200, 200, 404, 403, 403, 404, 403, 404),
        "performancereview": (200, 200, 404, 403, 403, 404, 403, 404),
    },
    # Reads everything, changes nothing.
    "analyst": {
        "purchaser":         (200, 200, 200, 403, 403, 403, 403, 403),
        "organization":      (200, 200, 200, 403, 403, 403, 403, 403),
        "incomerecord":      (200, 200, 200, 403, 403, 403, 403, 403),
        "annualreport":      (200, 200, 200, 403, 403, 403, 403, 403),
        "contract":          (200, 200, 200, 403, 403, 403, 403, 403),
        "payment":           (200, 200, 200, 403, 403, 403, 403, 403),
        "performancereview": (200, 200, 200, 403, 403, 403, 403, 403),
    },
    "anonymous": {
        "purchaser":         (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        "organization":      (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        "incomerecord":      (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        "annualreport":      (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        "contract":          (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        "payment":           (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        "performancereview": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    },
}


# --- the world: one prefecture, two counties -------------------------------------------------------------------

class World:
    """Regions, purchasers, organizations, contracts and money on both sides (a = county A, b = county B), and one
    user per role. ``obj(model, side)`` is the side's object of a model."""

    def __init__(self):
        self.province = Region.objects.create(code="220000", name="吉林省", level="province")
        self.prefecture = Region.objects.create(code="220100", name="长春市", level="prefecture",
                                                parent=self.province)
        self.county_a = Region.objects.create(code="220102", name="南关区", level="county", parent=self.prefecture)
        self.county_b = Region.objects.create(code="220103", name="宽城区", level="county", parent=self.prefecture)
        self.pref_bureau = f.PurchaserFactory(name="长春市民政局", region=self.prefecture, level="municipal")
        self.bureau_a = f.PurchaserFactory(name="南关区民政局", region=self.county_a)
        self.bureau_b = f.PurchaserFactory(name="宽城区民政局", region=self.county_b)
        self.org_a = f.OrganizationFactory(name="南关区康复服务中心", region=self.county_a)
        self.org_b = f.OrganizationFactory(name="宽城区康复服务中心", region=self.county_b)
        self.contract_a = f.ContractFactory(reference="NG-2025-001", title="南关区儿童康复", purchaser=self.bureau_a,
                                            organization=self.org_a, amount=Decimal("100000.00"),
                                            restricted_amount=Decimal("80000.00"))
        self.contract_b = f.ContractFactory(reference="KC-2025-001", title="宽城区儿童康复", purchaser=self.bureau_b,
                                            organization=self.org_b, amount=Decimal("250000.00"),
                                            restricted_amount=Decimal("200000.00"))
        self.payment_a = f.PaymentFactory(contract=self.contract_a, amount=Decimal("30000.00"))
        self.payment_b = f.PaymentFactory(contract=self.contract_b, amount=Decimal("70000.00"))
        self.review_a = f.PerformanceReviewFactory(contract=self.contract_a)
        self.review_b = f.PerformanceReviewFactory(contract=self.contract_b)
        self.income_a = f.IncomeRecordFactory(organization=self.org_a, amount=Decimal("12000.00"),
                                              funder_name="爱心人士A")
        self.income_b = f.IncomeRecordFactory(organization=self.org_b, amount=Decimal("45000.00"),
                                              funder_name="爱心人士B")
        self.report_a = f.AnnualReportFactory(organization=self.org_a, fiscal_year=2025)
        self.report_b = f.AnnualReportFactory(organization=self.org_b, fiscal_year=2025,
                                              total_expenses=Decimal("330000.00"))
        self.users = {
            "administrator": f.user_with_role("administrator", username="admin"),
            "staff": f.user_with_role("staff", purchasers=[self.bureau_a], username="staff_a"),
            "staff_b": f.user_with_role("staff", purchasers=[self.bureau_b], username="staff_b"),
            "staff_prefecture": f.user_with_role("staff", purchasers=[self.pref_bureau], username="staff_pref"),
            "ngo_manager": f.user_with_role("ngo_manager", organizations=[self.org_a], username="ngo_a"),
            "ngo_manager_b": f.user_with_role("ngo_manager", organizations=[self.org_b], username="ngo_b"),
            "analyst": f.user_with_role("analyst", username="analyst"),
        }

    def obj(self, model, side):
        s = side
        return {
            "purchaser": {"a": self.bureau_a, "b": self.bureau_b},
            "organization": {"a": self.org_a, "b": self.org_b},
            "incomerecord": {"a": self.income_a, "b": self.income_b},
            "annualreport": {"a": self.report_a, "b": self.report_b},
            "contract": {"a": self.contract_a, "b": self.contract_b},
            "payment": {"a": self.payment_a, "b": self.payment_b},
            "performancereview": {"a": self.review_a, "b": self.review_b},
        }[model][s]

    def fresh(self, model, side):
        """A new object of ``model`` on ``side`` that nothing depends on (so that deleting it can succeed)."""
        region = self.county_a if side == "a" else self.county_b
        contract = self.contract_a if side == "a" else self.contract_b
        org = self.org_a if side == "a" else self.org_b
        if model == "purchaser":
            return f.PurchaserFactory(name=f"新建街道办{side}", region=region, kind="street_office", level="township")
        if model == "organization":
            return f.OrganizationFactory(name=f"新建助残社{side}", region=region)
        if model == "incomerecord":
            return f.IncomeRecordFactory(organization=org, fiscal_year=2024, amount=Decimal("999.00"))
        if model == "annualreport":
            return f.AnnualReportFactory(organization=org, fiscal_year=2023)
        if model == "contract":
            return f.ContractFactory(reference=f"DEL-{side}", purchaser=contract.purchaser, organization=org)
        if model == "payment":
            return f.PaymentFactory(contract=contract, kind="final", amount=Decimal("111.00"))
        if model == "performancereview":
            return f.PerformanceReviewFactory(contract=contract, reviewer_kind="purchaser")
        raise KeyError(model)


@pytest.fixture
def world(db, role_groups):
    return World()


def client_for(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


# --- a browser's view of a form --------------------------------------------------------------------------------

class _FormParser(HTMLParser):
    """Collects the fields of the page's main form (the one with method=post that is not the language switch or
    logout form) as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "method": (a.get("method") or "").lower()}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input":
            name = a.get("name")
            kind = (a.get("type") or "text").lower()
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select = a.get("name")
            self._select_multiple = "multiple" in a
            self._select_first = None
            self._select_chosen = False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._select_chosen and not self._select_multiple and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_data(response):
    """The POST data a browser would send from the page's edit form, as a dict (last value wins)."""
    parser = _FormParser()
    parser.feed(response.content.decode())
    candidates = [fm for fm in parser.forms if fm["method"] == "post" and "i18n" not in fm["action"]
                  and "logout" not in fm["action"]]
    assert candidates, "no edit form on the page"
    data = {}
    for name, value in max(candidates, key=lambda fm: len(fm["fields"]))["fields"]:
        data[name] = value
    data.pop("csrfmiddlewaretoken", None)
    return data


# Values that make the add form valid, by model (the rest comes from the form's own defaults).
def add_values(world, model):
    return {
        "purchaser": {"name": "南关区残联", "region": world.county_a.pk, "level": "county",
                      "kind": "disabled_persons_federation", "is_active": "on"},
        "organization": {"name": "南关区助残志愿者协会", "uscc": complete_uscc("51220102MJ9876543"),
                         "legal_form": "social_group", "charity_status": "none", "region": world.county_a.pk,
                         "staff_count": "3", "volunteer_count": "40"},
        "incomerecord": {"organization": world.org_a.pk, "fiscal_year": "2025", "source": "donation_corporate",
                         "funder_name": "长春某企业", "amount": "8,000.00", "restricted_amount": "0"},
        "annualreport": {"organization": world.org_a.pk, "fiscal_year": "2024", "total_expenses": "100000",
                         "program_expenses": "80000", "management_expenses": "10000", "fundraising_expenses": "0",
                         "personnel_costs": "50000", "net_assets_unrestricted": "20000",
                         "net_assets_restricted": "0", "staff_count": "5"},
        "contract": {"reference": "NG-2025-099", "title": "南关区辅具适配", "purchaser": world.bureau_a.pk,
                     "organization": world.org_a.pk, "service_category": "assistive_devices",
                     "procurement_method": "inquiry", "status": "draft", "signed_on": "2025-04-01",
                     "start_on": "2025-04-01", "end_on": "2025-12-31", "amount": "50,000.00",
                     "restricted_amount": "40,000.00"},
        "payment": {"contract": world.contract_a.pk, "kind": "interim", "due_on": "2025-06-30",
                    "paid_on": "", "amount": "20,000.00"},
        "performancereview": {"contract": world.contract_a.pk, "reviewer_kind": "beneficiary_survey",
                              "reviewer_name": "服务对象满意度调查", "reviewed_on": "2025-11-30",
                              "output_score": "90", "quality_score": "90", "satisfaction_score": "95",
                              "financial_score": "85"},
    }[model]


# One field changed by the edit POST, by model: (field, typed value, how it reads back from the object).
EDIT_CHANGE = {
    "purchaser": ("phone", "0431-88886666", "0431-88886666"),
    "organization": ("staff_count", "17", 17),
    "incomerecord": ("note", "已核对", "已核对"),
    "annualreport": ("staff_count", "21", 21),
    "contract": ("title", "改过的项目名称", "改过的项目名称"),
    "payment": ("note", "第一笔", "第一笔"),
    "performancereview": ("findings", "服务记录完整", "服务记录完整"),
}


def assert_answer(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    else:
        assert response.status_code == expected, f"expected {expected}, got {response.status_code}"


CELLS = [(role, model, action) for role in ROLES for model in PAGES for action in ACTIONS]


def url_for(world, model, action):
    prefix = PAGES[model][0]
    if action == "list":
        return prefix
    if action == "add":
        return f"{prefix}add/"
    kind, side = action.split("_")
    obj = world.obj(model, "a" if side == "in" else "b")
    return {"detail": f"{prefix}{obj.pk}/", "edit": f"{prefix}{obj.pk}/edit/",
            "delete": f"{prefix}{obj.pk}/delete/"}[kind]


@pytest.mark.parametrize("role,model,action", CELLS, ids=[f"{r}-{m}-{a}" for r, m, a in CELLS])
def test_get(client, world, role, model, action):
    """GET of every cell answers as the table says."""
    expected = EXPECTED[role][model][ACTIONS.index(action)]
    response = client_for(client, world, role).get(url_for(world, model, action))
    assert_answer(response, expected)


def test_table_is_complete():
    assert set(EXPECTED) == set(ROLES)
    for role in ROLES:
        assert set(EXPECTED[role]) == set(PAGES)
        assert all(len(row) == len(ACTIONS) for row in EXPECTED[role].values())


ROLE_MODEL = [(role, model) for role in ROLES for model in PAGES]
IDS = [f"{r}-{m}" for r, m in ROLE_MODEL]


@pytest.mark.parametrize("role,model", ROLE_MODEL, ids=IDS)
def test_post_add(client, world, role, model):
    """POST to the add page: creates the object where add is allowed; otherwise refused and nothing written."""
    expected = EXPECTED[role][model][ACTIONS.index("add")]
    model_class = PAGES[model][1]
    prefix = PAGES[model][0]
    form_user = world.users[role] if expected == 200 else world.users["administrator"]
    client.force_login(form_user)
    data = form_data(client.get(f"{prefix}add/"))
    data.update(add_values(world, model))
    client.logout()
    client = client_for(client, world, role)
    before = model_class.objects.count()
    response = client.post(f"{prefix}add/", data)
    if expected == 200:
        assert response.status_code == 302, _errors(response)
        assert model_class.objects.count() == before + 1
    else:
        assert_answer(response, expected)
        assert model_class.objects.count() == before


@pytest.mark.parametrize("side", ["in", "out"])
@pytest.mark.parametrize("role,model", ROLE_MODEL, ids=IDS)
def test_post_edit(client, world, role, model, side):
    """POST to the edit page: saves the change where allowed; otherwise refused and the object unchanged."""
    expected = EXPECTED[role][model][ACTIONS.index(f"edit_{side}")]
    obj = world.obj(model, "a" if side == "in" else "b")
    url = f"{PAGES[model][0]}{obj.pk}/edit/"
    field, typed, stored = EDIT_CHANGE[model]
    client.force_login(world.users[role] if expected == 200 else world.users["administrator"])
    data = form_data(client.get(url))
    data[field] = typed
    client.logout()
    client = client_for(client, world, role)
    original = getattr(obj, field)
    response = client.post(url, data)
    obj.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302, _errors(response)
        assert getattr(obj, field) == stored
    else:
        assert_answer(response, expected)
        assert getattr(obj, field) == original


@pytest.mark.parametrize("side", ["in", "out"])
@pytest.mark.parametrize("role,model", ROLE_MODEL, ids=IDS)
def test_post_delete(client, world, role, model, side):
    """POST to the delete page of an object nothing depends on: deleted where allowed, else refused and kept."""
    expected = EXPECTED[role][model][ACTIONS.index(f"delete_{side}")]
    side_key = "a" if side == "in" else "b"
    # An NGO manager's scope is their own organization (which has contracts): a new one would be out of scope.
    obj = world.obj(model, side_key) if (role, model) == ("ngo_manager", "organization") else world.fresh(model,
                                                                                                         side_key)
    model_class = PAGES[model][1]
    response = client_for(client, world, role).post(f"{PAGES[model][0]}{obj.pk}/delete/")
    if expected == 200:
        assert response.status_code == 302, response.status_code
        assert not model_class.objects.filter(pk=obj.pk).exists()
    else:
        assert_answer(response, expected)
        assert model_class.objects.filter(pk=obj.pk).exists()


def _errors(response):
    """Form errors of a re-rendered page, for assertion messages."""
    context = getattr(response, "context", None)
    if not context:
        return response.status_code
    messages = []
    for key in ("form",):
        form = context.get(key)
        if form is not None:
            messages.append(form.errors.as_json())
    for formset in context.get("formsets", []) or []:
        messages.append(str(formset.errors) + str(formset.non_form_errors()))
    return "; ".join(messages) or response.status_code


def test_fresh_objects_are_in_the_expected_scope(world):
    """The deletable objects of the delete tests sit on the side they claim (a guard on the test itself)."""
    staff = world.users["staff"]
    assert Contract.objects.visible_to(staff).filter(pk=world.fresh("contract", "a").pk).exists()
    assert not Contract.objects.visible_to(staff).filter(pk=world.fresh("contract", "b").pk).exists()
    assert world.fresh("payment", "a").contract.purchaser == world.bureau_a


# The admin site (users, memberships, thresholds, code lists): administrators only.
ADMIN_SITE = {"administrator": 200, "staff": LOGIN, "ngo_manager": LOGIN, "analyst": LOGIN, "anonymous": LOGIN}


@pytest.mark.parametrize("role", ROLES)
def test_admin_site(client, world, role):
    response = client_for(client, world, role).get("/admin/organizations/organizationmembership/")
    expected = ADMIN_SITE[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected
