"""The OpenAPI schema made exact at the base, for every endpoint of every app (``SPECTACULAR_SETTINGS``).

``exact_schema`` is a post-processing hook run after drf-spectacular's own; it:

- documents the answers every operation can give besides its 2xx: 400 (the field-error shape), 401, 403, 404 (on
  a path with an id), 409 (changes and deletes), 413 (bodies), 429 and 503, all with the one ``Error`` component;
- documents ``text/csv`` as the alternative media type of the operations that offer ``?format=csv`` (lists and
  indicators), and types ``format`` as the enum of the formats really served (any other value answers 400);
- keeps only JSON request bodies (nested payments and nulls cannot be sent as a form);
- types the filters as the code validates them (``core.bounds``): years are integers 1990–2100, amounts and other
  numbers non-negative decimals within ``MAX_NUMBER``; ``page`` and ``page_size`` are bounded integers;
- keeps names in English whatever the request language: component and enum names come from the code, never from
  translated labels (titles and descriptions only are translated);
- describes the token scheme with its ``Token`` prefix.

``decimal_schema`` gives a serializer's decimal field a pattern that needs a digit and, when the field refuses
negative values, no minus sign (drf-spectacular's own allows ``""`` and ``-1``).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from core import bounds

ERROR_COMPONENT = "Error"
CSV_MEDIA_TYPE = "text/csv"
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
FORMATS_WITH_CSV = ["json", "csv", "xlsx"]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def non_negative_fields(model):
    """Names of the model's fields that a check constraint keeps at or above zero (``Q(amount__gt=0)``,
    ``Q(restricted_amount__gte=0) & ...``)."""
    names = set()
    stack = [c.condition for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    while stack:
        node = stack.pop()
        if isinstance(node, Q):
            if not node.negated and node.connector == Q.AND:
                stack.extend(node.children)
        elif isinstance(node, tuple) and len(node) == 2:
            lookup, value = node
            name, _sep, op = lookup.rpartition("__")
            if op in {"gt", "gte"} and isinstance(value, int | Decimal) and value >= 0:
                names.add(name)
    return names


def decimal_schema(field, non_negative=False):
    """The OpenAPI schema of a DRF ``DecimalField`` sent as a string: at least one digit; no sign when the field
    is never negative (its ``min_value``, or a check constraint)."""
    whole = field.max_whole_digits if field.max_whole_digits is not None else 30
    non_negative = non_negative or (field.min_value is not None and field.min_value >= 0)
    sign = "" if non_negative else "-?"
    integer = "0" if whole == 0 else fr"\d{{1,{whole}}}"
    fraction = fr"(?:\.\d{{1,{field.decimal_places}}})?" if field.decimal_places else ""
    return {"type": "string", "format": "decimal", "pattern": f"^{sign}{integer}{fraction}$"}


def _error_component():
    return {
        "type": "object",
        "description": _("An error. Most answers have a detail message; a refused body or filter (400) names each "
                         "invalid field or parameter with its messages instead (non_field_errors for the record as "
                         "a whole; a nested list, such as payments, has the same shape per item)."),
        "properties": {
            "detail": {"type": "string", "description": _("What went wrong, in the request language.")},
            "non_field_errors": {"type": "array", "items": {"type": "string"},
                                 "description": _("Errors about the record as a whole.")},
        },
        "additionalProperties": {"description": _("Messages about the field or parameter of this name.")},
    }


def _error_responses(path, method, operation):
    ref = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    responses = {
        "400": _("Invalid parameters or body: each invalid field or parameter with its messages."),
        "401": _("Not authenticated: send the header Authorization: Token <key>."),
        "403": _("Your role or scope does not allow this."),
        "429": _("Too many requests: wait and retry (see the Retry-After header)."),
        "503": _("The service or its database is unavailable: retry later."),
    }
    if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
        responses["404"] = _("No such record within your scope (or no such page of a list).")
    if method in {"put", "patch", "delete"}:
        responses["409"] = _("Conflict: the record changed since you read it, or other records still refer to it.")
    if "requestBody" in operation:
        responses["413"] = _("The request body is too large.")
    return {status: {"description": text, "content": ref} for status, text in responses.items()}


def _bounded_parameter(parameter):
    """Type a query parameter as the code validates it."""
    name = parameter.get("name", "")
    schema = parameter.get("schema", {})
    schema.pop("title", None)  # a translated label: client generators would name classes after it
    if isinstance(schema.get("items"), dict):
        schema["items"].pop("title", None)
    if parameter.get("in") != "query":
        return
    if name in {"page", "page_size"}:
        schema.update({"type": "integer", "minimum": 1})
        schema.pop("format", None)  # page_size above the maximum is cut to it, not refused
    elif schema.get("type") in {"number", "integer"} and "year" in name:
        schema.clear()
        schema.update({"type": "integer", "minimum": bounds.MIN_YEAR, "maximum": bounds.MAX_YEAR})
    elif schema.get("type") == "integer":  # an id (a related object): strictly 1..MAX_ID
        schema.update({"minimum": 1, "maximum": bounds.MAX_ID})
    elif schema.get("type") == "number":
        schema.clear()
        schema.update({"type": "number", "minimum": 0, "maximum": float(bounds.MAX_NUMBER)})


def _offers_csv(operation):
    return any(p.get("name") == "format" and p.get("in") == "query" for p in operation.get("parameters", []))


def _csv_operation(operation_id):
    return operation_id.endswith(("_list", "_retrieve")) or "indicator" in operation_id


def exact_schema(result, generator, request, public):
    """Post-processing hook (see the module docstring)."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = _error_component()
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            body = operation.get("requestBody")
            if body:
                body["content"] = {k: v for k, v in body["content"].items() if k == "application/json"}
                body["required"] = True if method != "patch" else body.get("required", False)
            if _offers_csv(operation):
                csv = _csv_operation(operation.get("operationId", ""))
                for parameter in operation["parameters"]:
                    if parameter.get("name") == "format" and parameter.get("in") == "query":
                        parameter["schema"] = {"type": "string", "enum": FORMATS_WITH_CSV if csv else ["json"]}
                        parameter["description"] = str(
                            _("Response format: json (the default), or csv for a list: every matching row (not "
                              "paginated), UTF-8 with BOM so that Excel opens it; xlsx: the same rows as an Excel "
                              "workbook.") if csv
                            else _("Response format: json (the only one for this operation)."))
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if CSV_MEDIA_TYPE in content or (status.startswith("2") and _offers_csv(operation)
                                                 and _csv_operation(operation.get("operationId", ""))):
                    if _offers_csv(operation) and _csv_operation(operation.get("operationId", "")):
                        content[CSV_MEDIA_TYPE] = {"schema": {"type": "string"}}
                        content[XLSX_MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}
                    else:
                        content.pop(CSV_MEDIA_TYPE, None)
                        content.pop(XLSX_MEDIA_TYPE, None)
            for parameter in operation.get("parameters", []):
                _bounded_parameter(parameter)
            responses = operation.setdefault("responses", {})
            for status, response in _error_responses(path, method, operation).items():
                responses.setdefault(status, response)
            for status, response in responses.items():
                if status >= "400" and not response.get("content"):  # documented by a view, without its body
                    response["content"] = {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values() if isinstance(schema, dict) else ():
            if prop.get("format") == "decimal" and prop.get("pattern", "").startswith("^-?\\d{0,"):
                prop["pattern"] = prop["pattern"].replace("{0,", "{1,")  # at least one digit (not "")
    token = components.get("securitySchemes", {}).get("tokenAuth")
    if token is not None:
        token.update({"type": "apiKey", "in": "header", "name": "Authorization",
                      "description": _('Send the header "Authorization: Token <key>": the word Token, a space, '
                                       "then your key (create one on your account page).")})
    return result
