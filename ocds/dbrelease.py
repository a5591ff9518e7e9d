"""The releases written by PostgreSQL: each release's JSON text built by one SQL statement, streamed with ``COPY``.

The same mapping as ``ocds.mapping.build_release`` (docs/ocds.md), written as SQL string building so that the text
is byte for byte what ``mapping.dumps(build_release(...))`` gives: keys in the same order, no spaces, strings
escaped by ``to_json`` (the same escapes as Python's ``json`` with ``ensure_ascii=False``), money as the shortest
float text of the amount (``120000.0``, ``30000.5``), dates with the fixed ``+08:00`` offset. The labels (Chinese
names of methods, categories, reviewer kinds, grades, payment kinds) and the status table are read from
``ocds.mapping``, not repeated here. tests/ocds/test_dbrelease.py compares both paths over a rich fixture.

``release_texts(queryset)`` yields the release texts of the published contracts of ``queryset`` in id order, or
returns None where the database cannot build them (not PostgreSQL): the caller then takes the Python path.
"""

from django.db import connections
from django.utils import timezone

from contracts.models import Amendment, Contract, Payment, PerformanceReview
from organizations.models import Organization, Purchaser, Region

from . import mapping


def _lit(value):
    """A text literal (``%`` doubled: the statement goes through the driver's parameter substitution)."""
    return "'" + str(value).replace("'", "''").replace("%", "%%") + "'::text"


def _json_lit(value):
    return _lit(mapping.dumps(value))


def _j(expr):
    """The JSON string of a text expression."""
    return f"to_json(({expr})::text)::text"


def _date(expr):
    """``mapping.rfc3339`` of a date: midnight in China, as a JSON string."""
    return f"""('"' || to_char({expr}, 'YYYY-MM-DD') || 'T00:00:00+08:00"')"""


def _datetime_text(expr):
    """``mapping.rfc3339`` of an aware datetime (no quotes): China time to the second (truncated)."""
    return f"""(to_char(({expr}) AT TIME ZONE INTERVAL '08:00', 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00')"""


def _money(expr):
    """``mapping.money``: the float written by Python's json is the shortest text that reads back as the amount;
    for a numeric(14, 2), whose text always has two decimals, that is the text without its last zero if it ends
    with one (``120000.00`` → ``120000.0``, ``30000.50`` → ``30000.5``, ``30000.05`` unchanged)."""
    number = f"CASE WHEN right(({expr})::text, 1) = '0' THEN left(({expr})::text, -1) ELSE ({expr})::text END"
    return f"""('{{"amount":' || {number} || ',"currency":"{mapping.CURRENCY}"}}')"""


def _case(expr, labels, default):
    """``labels.get(expr, default)`` with the values as SQL text literals."""
    whens = " ".join(f"WHEN {_lit(key)} THEN {_lit(value)}" for key, value in labels.items())
    return f"(CASE {expr} {whens} ELSE {default} END)"


def _json_case(expr, labels, default="NULL"):
    """``labels.get(expr)`` as a JSON text (the values written as JSON literals)."""
    whens = " ".join(f"WHEN {_lit(key)} THEN {_json_lit(value)}" for key, value in labels.items())
    return f"(CASE {expr} {whens} ELSE {default} END)"


def _party_pieces(table, region_table, kind, key):
    """The texts of the purchaser or organization whose id is ``key``: ``pid``, the party id; ``head``,
    ``{"id":…,"name":…``; ``tail``, the identifier when there is a USCC and the address when a region, then ``}``
    (``mapping._party``); ``ref``, the reference ``{"id":…,"name":…}``. A lateral subquery kept apart by
    ``OFFSET 0``, so that PostgreSQL memoizes it per entity instead of building the texts for every contract."""
    e, g = "e", "g"
    pid = f"(CASE WHEN {e}.uscc <> '' THEN '{mapping.USCC_SCHEME}-' || {e}.uscc ELSE '{kind}-' || {e}.id END)"
    head = f"""'{{"id":' || {_j(pid)} || ',"name":' || {_j(f"{e}.name")}"""
    identifier = (f"""CASE WHEN {e}.uscc <> '' THEN ',"identifier":{{"scheme":"{mapping.USCC_SCHEME}","id":' """
                  f"""|| {_j(f"{e}.uscc")} || ',"legalName":' || {_j(f"{e}.name")} || '}}' ELSE '' END""")
    address = (f"""CASE WHEN {e}.region_id IS NOT NULL THEN ',"address":{{"region":' || {_j(f"{g}.name")} """
               f"""|| ',"countryName":"中国"}}' ELSE '' END""")
    return f"""LATERAL (
            SELECT {pid} AS pid, {head} AS head, {identifier} || {address} || '}}' AS tail, {head} || '}}' AS ref
            FROM {table} e LEFT JOIN {region_table} g ON g.id = e.region_id WHERE e.id = {key} OFFSET 0
        )"""


def _tables():
    return {name: model._meta.db_table for name, model in (
        ("contract", Contract), ("payment", Payment), ("review", PerformanceReview), ("amendment", Amendment),
        ("purchaser", Purchaser), ("organization", Organization), ("region", Region),
        ("payment_history", Payment.history.model), ("review_history", PerformanceReview.history.model))}


def _children(t, today, ids_sql):
    """The texts of a contract's transactions (paid payments), payment milestones (unpaid ones), review
    milestones and amendments, each a comma-separated list in the order of ``ocds.mapping``."""
    day = "'YYYY-MM-DD'"
    transaction = (f"""'{{"id":"payment-' || pm.id || '","date":"' || to_char(pm.paid_on, {day}) """
                   f"""|| 'T00:00:00+08:00","value":' || {_money("pm.amount")} || ',"payer":' || chr(1) """
                   f"""|| ',"payee":' || chr(2) || '}}'""")
    titles = {kind: f"{label}（未拨付）" for kind, label in mapping.PAYMENT_KIND_ZH.items()}
    title = _json_case("pm.kind", titles, _j("pm.kind || '（未拨付）'"))
    payment_milestone = (
        f"""'{{"id":"payment-' || pm.id || '","title":' || {title} || ',"type":"payment","dueDate":"' """
        f"""|| to_char(pm.due_on, {day}) || 'T00:00:00+08:00","description":"应拨付 ' || pm.amount::text """
        f"""|| ' 元","status":' || CASE WHEN pm.due_on >= DATE '{today.isoformat()}' THEN '"scheduled"' """
        f"""ELSE '"notMet"' END || '}}'""")
    reviewer = _case("r.reviewer_kind", mapping.REVIEWER_ZH, "r.reviewer_kind")
    grade = _case("r.grade", mapping.GRADE_ZH, "r.grade")
    description = (f"concat_ws('；', '总分 ' || r.total_score::text, '等级 ' || {grade}, "
                   f"'产出 ' || r.output_score::text, '质量 ' || r.quality_score::text, "
                   f"'满意度 ' || r.satisfaction_score::text, '财务 ' || r.financial_score::text, "
                   f"'服务对象 ' || r.beneficiaries_served::text || ' 人')")
    review_milestone = (
        f"""'{{"id":"review-' || r.id || '","title":' || {_j(f"'绩效评价：' || {reviewer}")} """
        f"""|| ',"type":"assessment","code":' || {_j("r.reviewer_kind")} || ',"description":' """
        f"""|| {_j(description)} || ',"dueDate":' || {_date("r.reviewed_on")} || ',"dateMet":' """
        f"""|| {_date("r.reviewed_on")} || ',"status":"met"}}'""")
    change = ("concat('金额变更 ', a.amount_change::text, ' 元', "
              "'；服务期截止日期改为 ' || to_char(a.new_end_on, 'YYYY-MM-DD'))")
    amendment = (f"""'{{"id":"amendment-' || a.id || '","date":' || {_date("a.signed_on")} || ',"rationale":' """
                 f"""|| {_j("a.reason")} || ',"description":' || {_j(change)} || '}}'""")
    return f"""
        LEFT JOIN (
            SELECT pm.contract_id, bool_or(pm.paid_on IS NOT NULL) AS any_paid,
                   string_agg(CASE WHEN pm.paid_on IS NOT NULL THEN {transaction} END, ','
                              ORDER BY pm.due_on, pm.id) AS txns,
                   string_agg(CASE WHEN pm.paid_on IS NULL THEN {payment_milestone} END, ','
                              ORDER BY pm.due_on, pm.id) AS pms
            FROM {t['payment']} pm WHERE pm.contract_id IN ({ids_sql}) GROUP BY pm.contract_id
        ) pay ON pay.contract_id = c.id
        LEFT JOIN (
            SELECT r.contract_id, string_agg({review_milestone}, ',' ORDER BY r.reviewed_on, r.id) AS ms
            FROM {t['review']} r WHERE r.contract_id IN ({ids_sql}) GROUP BY r.contract_id
        ) rev ON rev.contract_id = c.id
        LEFT JOIN (
            SELECT a.contract_id, string_agg({amendment}, ',' ORDER BY a.signed_on, a.id) AS ams
            FROM {t['amendment']} a WHERE a.contract_id IN ({ids_sql}) GROUP BY a.contract_id
        ) am ON am.contract_id = c.id"""


def release_sql(ids_sql, today):
    """The SELECT of one column, each release's JSON text, for the contracts whose ids ``ids_sql`` selects, in
    id order. ``today`` decides whether an unpaid payment is scheduled or overdue (``timezone.localdate()``)."""
    t = _tables()
    day = "'YYYY-MM-DD'"
    statuses = mapping.STATUS
    contract_status = _case("c.status", {s: v[0] for s, v in statuses.items()}, "NULL")
    award_status = _case("c.status", {s: v[1] for s, v in statuses.items()}, "NULL")
    fixed_tags = {s: v[2] for s, v in statuses.items() if v[2] is not None}
    tag = _case("c.status", fixed_tags,
                "CASE WHEN pay.any_paid OR rev.ms IS NOT NULL THEN 'implementation' "
                "WHEN am.ams IS NOT NULL THEN 'contractAmendment' ELSE 'contract' END")
    paid = "coalesce(pay.any_paid, false)"
    payer = f"""CASE WHEN {paid} THEN ',"payer"' ELSE '' END"""
    payee = f"""CASE WHEN {paid} THEN ',"payee"' ELSE '' END"""
    same = "(bp.pid = bo.pid)"
    parties = (f"""bp.head || ',"roles":["buyer","procuringEntity"' || {payer} """
               f"""|| CASE WHEN {same} THEN ',"supplier"' || {payee} ELSE '' END || ']' || bp.tail """
               f"""|| CASE WHEN {same} THEN '' ELSE ',' || bo.head || ',"roles":["supplier"' || {payee} || ']' """
               f"""|| bo.tail END""")
    method = _json_case("c.procurement_method", mapping.METHOD_ZH)
    ocds_method = _json_case("c.procurement_method", mapping.PROCUREMENT_METHOD)
    category = _json_case("c.service_category", mapping.CATEGORY_ZH, _j("c.service_category"))
    milestones = "NULLIF(concat_ws(',', pay.pms, rev.ms), '')"
    transactions = "replace(replace(pay.txns, chr(1), bp.ref), chr(2), bo.ref)"
    implementation = (f"""CASE WHEN pay.txns IS NOT NULL OR {milestones} IS NOT NULL """
                      f"""THEN ',"implementation":{{' || concat_ws(',', '"transactions":[' || {transactions} || ']', """
                      f"""'"milestones":[' || {milestones} || ']') || '}}' ELSE '' END""")
    changed = "GREATEST(c.updated_at, hp.changed, hr.changed)"
    last_change = {alias: f"""
        LEFT JOIN (
            SELECT h.contract_id, max(h.history_date) AS changed FROM {t[table]} h
            WHERE h.contract_id IN ({ids_sql}) GROUP BY h.contract_id
        ) {alias} ON {alias}.contract_id = c.id""" for alias, table in (("hp", "payment_history"),
                                                                     ("hr", "review_history"))}
    ocid = _lit('"' + mapping.dumps(mapping.prefix())[1:-1] + "-")  # the opening of the ocid's JSON string
    release = (
        f"""'{{"ocid":' || k.ocid || '","id":' || k.ocid || '-' || k.date || '","date":"' || k.date """
        f"""|| '","tag":["' || {tag} || '"],"initiationType":"tender","language":' """
        f"""|| {_json_lit(mapping.LANGUAGE)} || ',"parties":[' || {parties} || '],"buyer":' || bp.ref """
        f"""|| ',"tender":{{"id":' || k.ocid || '-tender","title":' || k.title """
        f"""|| ',"status":"complete","procurementMethodDetails":' || {method} """
        f"""|| ',"mainProcurementCategory":"services","procuringEntity":' || bp.ref """
        f"""|| coalesce(',"procurementMethod":' || {ocds_method}, '') """
        f"""|| '}},"awards":[{{"id":' || k.ocid || '-award","title":' || k.title || ',"status":"' """
        f"""|| {award_status} || '","date":' || k.signed || ',"value":' || k.value || ',"suppliers":[' """
        f"""|| bo.ref || '],"contractPeriod":' || k.period || '}}],"contracts":[{{"id":' || k.ocid """
        f"""|| '-contract","awardID":' || k.ocid || '-award","title":' || k.title || ',"status":"' """
        f"""|| {contract_status} || '","period":' || k.period || ',"value":' || k.value || ',"dateSigned":' """
        f"""|| k.signed || ',"items":[{{"id":"1","description":' || {category} || '}}]' """
        f"""|| CASE WHEN c.description <> '' THEN ',"description":' || {_j("c.description")} ELSE '' END """
        f"""|| {implementation} || coalesce(',"amendments":[' || am.ams || ']', '') || '}}]}}'""")
    return f"""
        SELECT {release}
        FROM (SELECT * FROM {t['contract']} c WHERE c.id IN ({ids_sql}) ORDER BY c.id OFFSET 0) c
        CROSS JOIN {_party_pieces(t['purchaser'], t['region'], "purchaser", "c.purchaser_id")} bp
        CROSS JOIN {_party_pieces(t['organization'], t['region'], "organization", "c.organization_id")} bo{
            last_change["hp"]}{last_change["hr"]}
        CROSS JOIN LATERAL (
            SELECT {ocid} || c.id AS ocid, {_datetime_text(changed)} AS date, {_j("c.title")} AS title,
                   '"' || to_char(c.signed_on, {day}) || 'T00:00:00+08:00"' AS signed,
                   '{{"startDate":"' || to_char(c.start_on, {day}) || 'T00:00:00+08:00","endDate":"'
                       || to_char(c.end_on, {day}) || 'T23:59:59+08:00"}}' AS period,
                   {_money("c.amount")} AS value
            OFFSET 0
        ) k{_children(t, today, ids_sql)}
        ORDER BY c.id"""


def release_texts(queryset, today=None):
    """The JSON text of each release of the published contracts of ``queryset`` (narrowed to the user), in id
    order, written by the database and read through ``COPY … TO STDOUT``; None when the database is not
    PostgreSQL (the caller takes the Python path)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    ids = mapping.published_contracts(queryset).order_by().values("pk")
    ids_sql, params = ids.query.sql_with_params()
    sql = release_sql(ids_sql, today or timezone.localdate())
    return _copy_texts(connection, sql, tuple(params) * sql.count(ids_sql))  # the ids, in each place they are


def _copy_texts(connection, sql, params):
    with connection.cursor() as cursor, connection.wrap_database_errors:
        statement = connection.ops.compose_sql(sql, params)
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT") as copy:
            for row in copy:  # one data message per row, ending with LF; text format doubles every backslash
                text = bytes(row[:-1]).decode()
                yield text.replace("\\\\", "\\") if "\\" in text else text
