"""Request checks made before any view or session code runs (the 400 for a NUL in a header or cookie)."""

from django.core.exceptions import SuspiciousOperation


class NullCharacterInRequest(SuspiciousOperation):
    """A header or cookie holds a NUL character (answered 400 by ``core.errors.bad_request``)."""


class RejectNulMiddleware:
    """Refuse (400) a request whose headers or cookies hold a NUL character. PostgreSQL cannot store or compare
    text with NUL, so a session cookie or an API token holding one (a cookie can carry it as the octal escape
    ``"\\000"``) would otherwise fail in the database lookup with a server error. Query parameters and bodies
    are checked by the forms, FilterSets and the API parser, which name the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul(request):
            # Forget the credentials, so that the error page renders for an anonymous visitor without a lookup.
            request.COOKIES = {}
            request.META.pop("HTTP_AUTHORIZATION", None)
            raise NullCharacterInRequest("Null character in a request header or cookie.")
        return self.get_response(request)

    @staticmethod
    def has_nul(request):
        headers = (value for key, value in request.META.items() if key.startswith("HTTP_"))
        return any(isinstance(value, str) and "\x00" in value
                   for value in (*headers, *request.COOKIES.keys(), *request.COOKIES.values()))
