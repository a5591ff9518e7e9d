from core.roles import get_scope


def roles(request):
    """Expose the user's scope (role and memberships) to templates as ``scope``."""
    user = getattr(request, "user", None)
    return {"scope": get_scope(user)}
