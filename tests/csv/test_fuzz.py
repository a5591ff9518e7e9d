"""Property-based tests: generated junk (random bytes, encodings, quotes, NULs, extra cells, huge numbers, bad
dates) thrown at the CSV reader and at the import preview and confirm. Never an unhandled exception or a 500,
never a half-written import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract, Payment
from core import csvio
from organizations.models import Organization
from tests import factories as f

from .test_import import CONTRACT_HEADER, contract_row

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

JUNK_CHARS = st.sampled_from(['"', ",", "\t", "\n", "\r", "\x00", "'", "=", "-", "1", "9", ".", "e", "E", " ", "长",
                              "春", "\ufeff", "\u3000", "年", "/", "\\", "a", "0"])
junk_text = st.lists(JUNK_CHARS, max_size=40).map("".join) | st.text(max_size=30)
number_like = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10 ** 40), max_value=10 ** 40).map(str),
    st.sampled_from(["1e999999999", "-0", "1,000.5", "１２３", "0x10", "NaN", "-Infinity", "1e-999999", "9" * 60]),
)
date_like = st.one_of(
    st.dates().map(str),
    st.sampled_from(["0000-00-00", "9999-12-31", "2025-02-30", "2025年13月1日", "99999-01-01", "20251301", "1-1-1"]),
    junk_text,
)
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]


def encoded(text, encoding, prefix):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="surrogatepass")
    return prefix + data


@FUZZ
@given(st.binary(max_size=3000))
def test_reader_never_raises_anything_but_file_error_on_random_bytes(data):
    try:
        table = csvio.read_table(data, max_rows=1000)
    except csvio.FileError as exc:
        assert str(exc)
        return
    for number, row in table.rows:
        assert number >= 2 and len(row) <= len(table.header) or not any(c.strip() for c in row[len(table.header):])
        assert not any("\x00" in cell for cell in row)


@FUZZ
@given(st.lists(st.lists(junk_text, max_size=6), max_size=12), st.sampled_from(ENCODINGS),
       st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
def test_reader_reports_every_line_it_drops(rows, encoding, prefix):
    text = "\r\n".join(["a,b,c"] + [",".join(row) for row in rows])
    try:
        table = csvio.read_table(encoded(text, encoding, prefix))
    except csvio.FileError:
        return
    numbers = [n for n, _row in table.rows] + [e.row for e in table.errors]
    assert len(numbers) == len(set(numbers))  # no line is both a row and an error, none counted twice
    for error in table.errors:
        assert error.row >= 2 and error.message


def _cell_values():
    return st.fixed_dictionaries({}, optional={
        "reference": junk_text, "title": junk_text, "amount": number_like, "restricted_amount": number_like,
        "signed_on": date_like, "start_on": date_like, "end_on": date_like, "status": junk_text,
        "purchaser_name": junk_text, "region_code": junk_text,
    })


def _contract_file(rows, extra_cells, raw_tail):
    lines = [CONTRACT_HEADER]
    for index, changes in enumerate(rows):
        line = contract_row(**{"reference": f"FZ-{index}", "organization_uscc": "", **changes})
        lines.append(line + extra_cells * index)
    return ("\r\n".join(lines) + raw_tail)


@pytest.fixture
def fuzz_staff(dataset):
    return f.user_with_role("staff", purchasers=[dataset["bureau"]], username="fuzz-staff")


def counts():
    return (Contract.objects.count(), Payment.objects.count(), Organization.objects.count(),
            list(Contract.objects.order_by("pk").values_list("pk", "version", "title", "amount")))


@pytest.mark.django_db
@FUZZ
@given(rows=st.lists(_cell_values(), min_size=1, max_size=6), extra=st.sampled_from(["", ",x", ",\"", "\x00"]),
       tail=junk_text, encoding=st.sampled_from(ENCODINGS), bom=st.booleans())
def test_import_of_junk_never_fails_unhandled_nor_writes_half(dataset, admin, rows, extra, tail, encoding, bom):
    for changes in rows:
        changes.setdefault("purchaser_name", dataset["bureau"].name)
        changes.setdefault("organization_uscc", dataset["sun"].uscc)
    data = encoded(_contract_file(rows, extra, tail), encoding, b"\xef\xbb\xbf" if bom else b"")
    before = counts()
    with transaction.atomic():
        try:
            result = csvio.Importer(csvio.get_spec("contracts"), admin).run(data, commit=True)
        except csvio.FileError:
            result = None
        if result is None or not result.committed:
            assert counts() == before  # refused: nothing written
        else:
            assert not result.errors
            assert Contract.objects.count() == before[0] + result.created
        transaction.set_rollback(True)


@pytest.mark.django_db
@FUZZ
@given(rows=st.lists(_cell_values(), min_size=1, max_size=4), extra=st.sampled_from(["", ",x", ",\"", "\x00"]),
       tail=junk_text, encoding=st.sampled_from(ENCODINGS), meddle=st.booleans())
def test_import_pages_answer_junk_without_500(client, dataset, fuzz_staff, rows, extra, tail, encoding, meddle):
    client.force_login(fuzz_staff)
    url = reverse("contracts:contract_import")
    for changes in rows:
        changes.setdefault("purchaser_name", dataset["bureau"].name)
        changes.setdefault("organization_uscc", dataset["sun"].uscc)
    data = encoded(_contract_file(rows, extra, tail), encoding, b"")
    with transaction.atomic():
        before = counts()
        preview = client.post(url, {"file": SimpleUploadedFile("junk.csv", data, content_type="text/csv")})
        assert preview.status_code in (200, 400)
        assert counts() == before  # a preview writes nothing
        token = preview.context.get("token") if preview.context else None
        if token:
            theirs = None
            if meddle:  # someone creates the first row's contract between preview and confirm
                theirs = f.ContractFactory(reference="FZ-0", purchaser=dataset["bureau"], organization=dataset["sun"],
                                           title="theirs")
            before = counts()
            confirm = client.post(url, {"token": token})
            assert confirm.status_code in (302, 409)
            if confirm.status_code == 409:
                assert counts() == before  # refused: nothing written
            if theirs is not None:  # whatever happened, the contract created meanwhile was not overwritten
                theirs.refresh_from_db()
                assert (theirs.title, theirs.version) == ("theirs", 1)
        transaction.set_rollback(True)
