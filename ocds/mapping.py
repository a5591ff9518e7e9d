"""Contracts → Open Contracting Data Standard 1.1 releases (the mapping table is in docs/ocds.md).

One contract is one contracting process: ``ocid`` = ``{OCDS_PREFIX}-{contract id}``. Each contract is published as
one release describing its current state (the compiled release of its record is that release); ``release.date``
is the last change of the contract, its payments or its reviews (from the audit history), and ``release.id`` is
``{ocid}-{date}``, so that a change gives a new release id. Drafts are not published.

``published_contracts(queryset)`` narrows any contract queryset (already ``visible_to`` the user) to what is
published; ``iter_releases(queryset)`` yields the releases batch by batch with a fixed number of queries per
batch (contracts with their parties in one query, then the batch's payments and reviews in one query each).

PostgreSQL writes the same releases in SQL (``ocds.dbrelease``, which reads the labels and tables below): a change
to the mapping here must be made there too (tests/ocds/test_dbrelease.py compares the two, byte for byte).
"""

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from contracts.choices import ContractStatus, ProcurementMethod, ReviewerKind
from contracts.models import Amendment, Contract, Payment, PerformanceReview

DEFAULT_PREFIX = "ocds-posc00"
OCDS_VERSION = "1.1"
CURRENCY = "CNY"
LANGUAGE = "zh"
USCC_SCHEME = "CN-USCC"
BATCH_SIZE = 500
CHINA = datetime.timezone(datetime.timedelta(hours=8))

# tender.procurementMethod (the closed OCDS codelist ``method``: open, selective, limited, direct). "other" has no
# OCDS equivalent: the method is left out and procurementMethodDetails says 其他.
PROCUREMENT_METHOD = {
    ProcurementMethod.PUBLIC_TENDER: "open",
    ProcurementMethod.INVITED_TENDER: "selective",
    ProcurementMethod.COMPETITIVE_NEGOTIATION: "limited",
    ProcurementMethod.COMPETITIVE_CONSULTATION: "limited",
    ProcurementMethod.INQUIRY: "limited",
    ProcurementMethod.SINGLE_SOURCE: "direct",
    ProcurementMethod.FRAMEWORK: "selective",
}

# The official Chinese names of the procurement methods, published whatever the language of the request.
METHOD_ZH = {
    ProcurementMethod.PUBLIC_TENDER: "公开招标",
    ProcurementMethod.INVITED_TENDER: "邀请招标",
    ProcurementMethod.COMPETITIVE_NEGOTIATION: "竞争性谈判",
    ProcurementMethod.COMPETITIVE_CONSULTATION: "竞争性磋商",
    ProcurementMethod.SINGLE_SOURCE: "单一来源",
    ProcurementMethod.INQUIRY: "询价",
    ProcurementMethod.FRAMEWORK: "框架协议",
    ProcurementMethod.OTHER: "其他",
}
CATEGORY_ZH = {
    "rehab_children": "残疾儿童康复", "rehab_adult": "成人康复", "assistive_devices": "辅助器具适配",
    "daily_care": "居家照料", "residential_care": "托养服务", "vocational_training": "职业培训",
    "employment": "就业服务", "accessibility": "无障碍改造", "education": "教育", "culture_sports": "文化体育",
    "legal_aid": "法律援助/维权", "other": "其他",
}
REVIEWER_ZH = {
    ReviewerKind.PURCHASER: "购买主体自评",
    ReviewerKind.THIRD_PARTY: "第三方评估",
    ReviewerKind.BENEFICIARY_SURVEY: "服务对象满意度",
}
GRADE_ZH = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
PAYMENT_KIND_ZH = {"advance": "预付", "interim": "进度款", "final": "尾款"}

# contract status → (contracts[0].status, awards[0].status, release tag)
STATUS = {
    ContractStatus.ACTIVE: ("active", "active", None),  # tag: contract, or implementation once paid/reviewed
    ContractStatus.COMPLETED: ("terminated", "active", "contractTermination"),
    ContractStatus.TERMINATED: ("terminated", "active", "contractTermination"),
    ContractStatus.CANCELLED: ("cancelled", "cancelled", "awardCancellation"),
}
PUBLISHED_STATUSES = tuple(STATUS)


def dumps(value):
    """The JSON text of a release or package: UTF-8 characters as they are, no spaces."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def prefix():
    return getattr(settings, "OCDS_PREFIX", None) or DEFAULT_PREFIX


def ocid_for(contract_id):
    return f"{prefix()}-{contract_id}"


def contract_id_from_ocid(ocid):
    """The contract id of an ocid of this publisher, or None (another prefix, or not ``{prefix}-{digits}``)."""
    head = f"{prefix()}-"
    if not ocid.startswith(head):
        return None
    rest = ocid[len(head):]
    if not (rest.isascii() and rest.isdigit()) or rest.startswith("0") or len(rest) > 18:
        return None
    return int(rest)


def rfc3339(value):
    """A date (midnight in China) or an aware datetime as RFC 3339 with the +08:00 offset, to the second."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(CHINA).replace(microsecond=0).isoformat()
    return datetime.datetime.combine(value, datetime.time(), tzinfo=CHINA).isoformat()


def end_of_day(value):
    return datetime.datetime.combine(value, datetime.time(23, 59, 59), tzinfo=CHINA).isoformat()


def money(amount):
    """``{"amount": number, "currency": "CNY"}``. Amounts have at most 14 significant digits (DecimalField(14, 2)),
    so the float written to JSON reads back as exactly the stored Decimal."""
    return {"amount": float(Decimal(amount)), "currency": CURRENCY}


def published_contracts(queryset=None):
    """Contracts that are published: every status but draft."""
    queryset = Contract.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=PUBLISHED_STATUSES)


def _last_history(model):
    return Subquery(model.history.model.objects.filter(contract_id=OuterRef("pk")).order_by()
                    .values("contract_id").annotate(last=Max("history_date")).values("last")[:1])


def _batch_queryset(queryset):
    return (queryset.select_related("purchaser__region", "organization__region")
            .annotate(ocds_payments_changed=_last_history(Payment),
                      ocds_reviews_changed=_last_history(PerformanceReview))
            .order_by("pk"))


def _children(model, contract_ids, order):
    grouped = {}
    for child in model.objects.filter(contract_id__in=contract_ids).order_by("contract_id", *order):
        grouped.setdefault(child.contract_id, []).append(child)
    return grouped


def iter_contract_batches(queryset, batch_size=None):
    """(contract, payments, reviews) for every contract of ``queryset`` in id order, ``batch_size`` at a time (the
    contract's amendments in ``contract.ocds_amendments``): four queries per batch (keyset pagination on the id, so
    memory stays bounded whatever the count)."""
    batch_size = batch_size or BATCH_SIZE
    last_pk = 0
    while True:
        batch = list(_batch_queryset(queryset.filter(pk__gt=last_pk))[:batch_size])
        if not batch:
            return
        ids = [c.pk for c in batch]
        payments = _children(Payment, ids, ("due_on", "id"))
        reviews = _children(PerformanceReview, ids, ("reviewed_on", "id"))
        amendments = _children(Amendment, ids, ("signed_on", "id"))
        for contract in batch:
            contract.ocds_amendments = amendments.get(contract.pk, [])
            yield contract, payments.get(contract.pk, []), reviews.get(contract.pk, [])
        if len(batch) < batch_size:
            return
        last_pk = ids[-1]


def iter_releases(queryset, batch_size=None):
    """The releases of the published contracts of ``queryset`` (narrow it to the user first), in id order."""
    for contract, payments, reviews in iter_contract_batches(published_contracts(queryset), batch_size):
        yield build_release(contract, payments, reviews)


def release_date(contract):
    dates = [contract.updated_at, getattr(contract, "ocds_payments_changed", None),
             getattr(contract, "ocds_reviews_changed", None)]
    return max(d for d in dates if d is not None)


def party_id(entity, kind):
    return f"{USCC_SCHEME}-{entity.uscc}" if entity.uscc else f"{kind}-{entity.pk}"


def _party(entity, kind, roles):
    party = {"id": party_id(entity, kind), "name": entity.name, "roles": roles}
    if entity.uscc:
        party["identifier"] = {"scheme": USCC_SCHEME, "id": entity.uscc, "legalName": entity.name}
    if entity.region_id:
        party["address"] = {"region": entity.region.name, "countryName": "中国"}
    return party


def _reference(party):
    return {"id": party["id"], "name": party["name"]}


def build_release(contract, payments, reviews):
    """One OCDS release (a dict of JSON types) for ``contract`` with its ``payments`` and ``reviews``."""
    ocid = ocid_for(contract.pk)
    date = rfc3339(release_date(contract))
    contract_status, award_status, tag = STATUS[contract.status]
    paid = [p for p in payments if p.paid_on is not None]
    unpaid = [p for p in payments if p.paid_on is None]
    if tag is None:
        tag = "implementation" if (paid or reviews) else "contract"

    buyer_roles = ["buyer", "procuringEntity"] + (["payer"] if paid else [])
    supplier_roles = ["supplier"] + (["payee"] if paid else [])
    buyer = _party(contract.purchaser, "purchaser", buyer_roles)
    supplier = _party(contract.organization, "organization", supplier_roles)
    if buyer["id"] == supplier["id"]:  # the same legal person on both sides (same USCC): one party
        buyer["roles"] += [r for r in supplier_roles if r not in buyer["roles"]]
        parties = [buyer]
    else:
        parties = [buyer, supplier]

    award_id = f"{ocid}-award"
    period = {"startDate": rfc3339(contract.start_on), "endDate": end_of_day(contract.end_on)}
    value = money(contract.amount)
    tender = {
        "id": f"{ocid}-tender",
        "title": contract.title,
        "status": "complete",
        "procurementMethodDetails": METHOD_ZH[contract.procurement_method],
        "mainProcurementCategory": "services",
        "procuringEntity": _reference(buyer),
    }
    if contract.procurement_method in PROCUREMENT_METHOD:
        tender["procurementMethod"] = PROCUREMENT_METHOD[contract.procurement_method]
    award = {
        "id": award_id,
        "title": contract.title,
        "status": award_status,
        "date": rfc3339(contract.signed_on),
        "value": value,
        "suppliers": [_reference(supplier)],
        "contractPeriod": period,
    }
    ocds_contract = {
        "id": f"{ocid}-contract",
        "awardID": award_id,
        "title": contract.title,
        "status": contract_status,
        "period": period,
        "value": value,
        "dateSigned": rfc3339(contract.signed_on),
        "items": [{"id": "1", "description": CATEGORY_ZH.get(contract.service_category,
                                                             contract.service_category)}],
    }
    if contract.description:
        ocds_contract["description"] = contract.description
    implementation = {}
    if paid:
        implementation["transactions"] = [{
            "id": f"payment-{p.pk}",
            "date": rfc3339(p.paid_on),
            "value": money(p.amount),
            "payer": _reference(buyer),
            "payee": _reference(supplier),
        } for p in paid]
    milestones = [{
        "id": f"payment-{p.pk}",
        "title": f"{PAYMENT_KIND_ZH.get(p.kind, p.kind)}（未拨付）",
        "type": "payment",
        "dueDate": rfc3339(p.due_on),
        "description": f"应拨付 {p.amount} 元",
        "status": "scheduled" if p.due_on >= timezone.localdate() else "notMet",
    } for p in unpaid]
    milestones += [_review_milestone(r) for r in reviews]
    if milestones:
        implementation["milestones"] = milestones
    if implementation:
        ocds_contract["implementation"] = implementation
    amendments = getattr(contract, "ocds_amendments", None)
    if amendments is None:
        amendments = list(contract.amendments.order_by("signed_on", "id"))
    if amendments:
        ocds_contract["amendments"] = [_amendment(a) for a in amendments]
        if tag == "contract":
            tag = "contractAmendment"
    return {
        "ocid": ocid,
        "id": f"{ocid}-{date}",
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": parties,
        "buyer": _reference(buyer),
        "tender": tender,
        "awards": [award],
        "contracts": [ocds_contract],
    }


def _amendment(amendment):
    """An amendment: its date, its reason as the rationale, and what it changed (the contract's value and period
    above are the current ones, after every amendment)."""
    change = f"金额变更 {amendment.amount_change} 元"
    if amendment.new_end_on is not None:
        change += f"；服务期截止日期改为 {amendment.new_end_on.isoformat()}"
    return {"id": f"amendment-{amendment.pk}", "date": rfc3339(amendment.signed_on),
            "rationale": amendment.reason, "description": change}


def _review_milestone(review):
    parts = [f"总分 {review.total_score}", f"等级 {GRADE_ZH.get(review.grade, review.grade)}",
             f"产出 {review.output_score}", f"质量 {review.quality_score}",
             f"满意度 {review.satisfaction_score}", f"财务 {review.financial_score}"]
    if review.beneficiaries_served is not None:
        parts.append(f"服务对象 {review.beneficiaries_served} 人")
    return {
        "id": f"review-{review.pk}",
        "title": f"绩效评价：{REVIEWER_ZH.get(review.reviewer_kind, review.reviewer_kind)}",
        "type": "assessment",
        "code": review.reviewer_kind,
        "description": "；".join(parts),
        "dueDate": rfc3339(review.reviewed_on),
        "dateMet": rfc3339(review.reviewed_on),
        "status": "met",
    }


def compiled_release(releases):
    """The compiled release of a record's releases (each a full snapshot of the current state): the latest
    release with ``tag`` ``["compiled"]`` (OCDS merge: tag and id are omitted when merged, the compiled id is
    ``{ocid}-{date}`` of the latest release, which is the latest release's own id here)."""
    latest = max(releases, key=lambda r: r["date"])
    return {**latest, "tag": ["compiled"]}
