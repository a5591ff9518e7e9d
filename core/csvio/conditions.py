"""Check and unique constraints evaluated in Python for an import, so that one file's rows are checked without a
query per row: ``eval_q`` reads a constraint's ``Q`` with SQL's three-valued logic (unknown passes a CHECK, as in
the database), and ``Unsupported`` tells the caller to let the database judge an expression this does not know."""

import re

from django.db.models import F, Q, Value
from django.db.models.expressions import CombinedExpression


class Unsupported(Exception):
    pass


def _eval_expr(expr, values):
    if isinstance(expr, F):
        return values[expr.name]
    if isinstance(expr, Value):
        return expr.value
    if isinstance(expr, CombinedExpression):
        lhs, rhs = _eval_expr(expr.lhs, values), _eval_expr(expr.rhs, values)
        if lhs is None or rhs is None:
            return None
        ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
        if expr.connector not in ops:
            raise Unsupported
        return ops[expr.connector](lhs, rhs)
    if hasattr(expr, "resolve_expression"):
        raise Unsupported
    return expr


_LOOKUPS = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "regex": lambda a, b: re.search(b, str(a)) is not None,
    "startswith": lambda a, b: str(a).startswith(b),
}


def eval_q(q, values):
    """Evaluate a check constraint's ``Q`` against field values in Python with SQL's three-valued logic
    (True, False or None = unknown, which a CHECK accepts). Raises ``Unsupported`` for expressions it cannot
    evaluate; the caller then asks the database."""
    if not isinstance(q, Q):
        raise Unsupported
    results = []
    unsupported = False
    for child in q.children:
        try:
            if isinstance(child, Q):
                results.append(eval_q(child, values))
                continue
            if not isinstance(child, tuple):
                raise Unsupported
            path, rhs = child
            name, _sep, lookup = path.partition("__")
            lookup = lookup or "exact"
            lhs = values[name]
            if lookup == "isnull":
                results.append((lhs is None) == bool(rhs))
                continue
            if lookup == "in":
                results.append(None if lhs is None else lhs in rhs)
                continue
            if lookup not in _LOOKUPS or "__" in lookup:
                raise Unsupported
            rhs = _eval_expr(rhs, values)
            if lookup == "exact" and rhs is None:
                results.append(lhs is None)
            elif lhs is None or rhs is None:
                results.append(None)
            else:
                results.append(_LOOKUPS[lookup](lhs, rhs))
        except (Unsupported, KeyError, TypeError):
            unsupported = True
    if q.connector == Q.AND:
        if False in results:
            value = False
        elif unsupported:
            raise Unsupported
        else:
            value = None if None in results else True
    else:
        if True in results:
            value = True
        elif unsupported:
            raise Unsupported
        else:
            value = None if None in results else False
    if q.negated:
        value = None if value is None else not value
    return value


def q_fields(q):
    """Field names a condition refers to, in order of appearance."""
    names = []
    if not isinstance(q, Q):
        if hasattr(q, "flatten"):
            names.extend(node.name for node in q.flatten() if isinstance(node, F))
        return list(dict.fromkeys(names))
    for child in q.children:
        if isinstance(child, tuple):
            names.append(child[0].split("__", 1)[0])
        else:
            names.extend(q_fields(child))
    return list(dict.fromkeys(names))
