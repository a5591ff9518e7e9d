"""Validation of OCDS output against the official 1.1.5 schemas and codelists copied into tests/fixtures/ocds/."""

import csv
import functools
import json
import re
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ocds"
RFC3339_CHINA = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
DATE_KEYS = {"date", "startDate", "endDate", "dateSigned", "dueDate", "dateMet", "publishedDate"}


def _load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@functools.cache
def validator(package_schema):
    """A Draft 4 validator of ``package_schema`` whose reference to the release schema resolves to the local
    copy (no network)."""
    release = _load("release-schema.json")
    registry = Registry().with_resource(release["id"], Resource.from_contents(release,
                                                                              default_specification=DRAFT4))
    schema = _load(package_schema)
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, registry=registry)


def schema_errors(package, package_schema):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(package_schema).iter_errors(package)]


def assert_valid_release_package(package):
    errors = schema_errors(package, "release-package-schema.json")
    assert not errors, errors[:10]
    for release in package["releases"]:
        assert_release_conventions(release)


def assert_valid_record_package(package):
    errors = schema_errors(package, "record-package-schema.json")
    assert not errors, errors[:10]
    for record in package["records"]:
        for release in record["releases"]:
            assert_release_conventions(release)


@functools.cache
def codelist(name):
    with (FIXTURES / "codelists" / f"{name}.csv").open(encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def codelist_values(release):
    """(codelist, value) for every codelist-governed value of ``release`` that the export fills."""
    yield "releaseTag", release["tag"][0]
    yield "initiationType", release["initiationType"]
    tender = release.get("tender", {})
    if "procurementMethod" in tender:
        yield "method", tender["procurementMethod"]
    yield "tenderStatus", tender["status"]
    yield "procurementCategory", tender["mainProcurementCategory"]
    for party in release["parties"]:
        for role in party["roles"]:
            yield "partyRole", role
    for award in release["awards"]:
        yield "awardStatus", award["status"]
    for contract in release["contracts"]:
        yield "contractStatus", contract["status"]
        for milestone in contract.get("implementation", {}).get("milestones", []):
            yield "milestoneType", milestone["type"]
            yield "milestoneStatus", milestone["status"]
        for document in contract.get("documents", []) + contract.get("implementation", {}).get("documents", []):
            yield "documentType", document["documentType"]
    for currency in _values_of(release, "currency"):
        yield "currency", currency


def _values_of(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            else:
                yield from _values_of(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values_of(item, key)


def assert_release_conventions(release):
    """One tag; codelist values in their codelists; every date RFC 3339 with +08:00; Chinese; money in CNY."""
    assert len(release["tag"]) == 1
    assert release["language"] == "zh"
    for name, value in codelist_values(release):
        assert value in codelist(name), (name, value)
    for key in DATE_KEYS:
        for value in _values_of(release, key):
            assert RFC3339_CHINA.match(value), (key, value)
    assert set(_values_of(release, "currency")) == {"CNY"}
    for party in release["parties"]:
        if "identifier" in party:
            assert party["identifier"]["scheme"] == "CN-USCC"
