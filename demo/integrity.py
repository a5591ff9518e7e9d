"""What the demo data adds for the integrity flags (docs/integrity.md): amendments, and the rare payment and review
patterns that raise the flags, each on a few per cent of the contracts at most.

Every decision is drawn from a generator seeded by the contract's reference (``zlib.crc32``), never from the data
set's main random stream, so that the rest of the data (amounts, dates, indicators) stays exactly as it was.
"""

import datetime as dt
import random
import zlib
from decimal import Decimal

COUNTED = ("active", "completed", "terminated")
LATE_SHARE = 0.012           # a paid payment paid 45 days late (amber)
VERY_LATE_SHARE = 0.004      # ... or 120 days late (red)
STALE_UNPAID_DAYS = 365      # older unpaid payments are mostly settled (on time) in the demo
STILL_UNPAID_SHARE = 0.02    # ... except this share, which stays unpaid (late payment flag)
REVIEW_SHARE = 0.96          # ended contracts without a drawn review get one this often (missing review: the rest)
AMENDMENT_SHARE = 0.05       # contracts with an amendment
BIG_AMENDMENT_SHARE = 0.3    # ... of which raise the value by more than 10 %
DUPLICATE_SHARE = 0.004
EARLY_SHARE = 0.004          # an advance paid before signing


def contract_rng(contract, salt=""):
    return random.Random(zlib.crc32(f"{contract.reference}|{contract.purchaser_id}|{salt}".encode()))


def money(cents):
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def adjust_payments(contract, payments, today, Payment):
    """Make late payments rare: late ones are paid within 30 days of their due date except a small share, and
    payments unpaid for more than ``STALE_UNPAID_DAYS`` are settled except a small share. Adds the occasional
    duplicate payment and advance paid before signing."""
    if contract.status not in COUNTED:
        return payments
    rng = contract_rng(contract, "payments")
    for payment in payments:
        roll = rng.random()
        if payment.paid_on is not None and (payment.paid_on - payment.due_on).days > 30:
            payment.paid_on = payment.due_on + dt.timedelta(days=rng.choice([10, 20, 30]))
        if payment.paid_on is None and (today - payment.due_on).days > STALE_UNPAID_DAYS \
                and roll >= STILL_UNPAID_SHARE:
            payment.paid_on = payment.due_on + dt.timedelta(days=rng.choice([0, 3, 7, 14]))
        elif payment.paid_on is not None and roll < VERY_LATE_SHARE:
            payment.paid_on = payment.due_on + dt.timedelta(days=120)
        elif payment.paid_on is not None and roll < LATE_SHARE:
            payment.paid_on = payment.due_on + dt.timedelta(days=45)
        if payment.paid_on is not None and payment.paid_on > today:
            payment.paid_on = None
    paid = [p for p in payments if p.paid_on is not None]
    if paid and rng.random() < DUPLICATE_SHARE:
        twin = paid[-1]
        payments.append(Payment(contract=contract, kind=twin.kind, due_on=twin.due_on, paid_on=twin.paid_on,
                                amount=twin.amount, note="重复录入"))
    if paid and rng.random() < EARLY_SHARE and paid[0].kind == "advance":
        paid[0].paid_on = contract.signed_on - dt.timedelta(days=rng.randint(1, 10))
    return payments


def add_review(contract, reviews, today, PerformanceReview):
    """Most ended contracts are reviewed within 75 days of their end (the missing-review flag for the rest)."""
    if contract.status not in ("completed", "terminated") or reviews:
        return reviews
    rng = contract_rng(contract, "review")
    if rng.random() >= REVIEW_SHARE:
        return reviews
    reviewed = contract.end_on + dt.timedelta(days=rng.randint(10, 75))
    if reviewed > today:
        return reviews
    scores = [Decimal(rng.randint(72, 92)) for _ in range(4)]
    review = PerformanceReview(contract=contract, reviewer_kind="purchaser", reviewer_name=contract.purchaser.name,
                               reviewed_on=reviewed, output_score=scores[0], quality_score=scores[1],
                               satisfaction_score=scores[2], financial_score=scores[3],
                               beneficiaries_served=contract.beneficiaries_target, findings="按合同完成服务。")
    review.derive()
    return [review]


def plan_amendment(contract, today):
    """An amendment for a few contracts, applied to the unsaved contract (its amount and end date move with it);
    returned as a dict of the Amendment's fields, or None."""
    if contract.status not in COUNTED:
        return None
    rng = contract_rng(contract, "amendment")
    if rng.random() >= AMENDMENT_SHARE:
        return None
    amount_cents = int(contract.amount * 100)
    share = rng.uniform(0.12, 0.6) if rng.random() < BIG_AMENDMENT_SHARE else rng.uniform(0.02, 0.1)
    change = int(amount_cents * share) // 100 * 100
    signed = contract.start_on + dt.timedelta(days=max(1, (contract.end_on - contract.start_on).days // 2))
    if signed > today or change == 0 or int(contract.restricted_amount * 100) > amount_cents + change:
        return None
    new_end = contract.end_on + dt.timedelta(days=90) if change > 0 and rng.random() < 0.5 else None
    contract.amount = money(amount_cents + change)
    if new_end is not None:
        contract.end_on = new_end
    reason = "服务对象增加，追加服务量" if share > 0.1 else "服务量小幅调整"
    return {"signed_on": signed, "amount_change": money(change), "new_end_on": new_end, "reason": reason}
