"""The user's profile page: who they are, what their role lets them see, and their API token.

A user has at most one token. It is shown once, in the response to the request that creates it; afterwards the
page only says that a token exists (and since when), and offers to revoke it or to replace it with a new one.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View
from rest_framework.authtoken.models import Token

from core.roles import get_scope


class ProfileView(LoginRequiredMixin, View):
    """GET shows the profile; POST ``action=create`` (or ``regenerate``) makes a new token and shows it once,
    POST ``action=revoke`` deletes it."""

    template_name = "account/profile.html"

    def get(self, request):
        return self.render(request)

    def post(self, request):
        action = request.POST.get("action")
        if action in ("create", "regenerate"):
            with transaction.atomic():
                Token.objects.filter(user=request.user).delete()
                token = Token.objects.create(user=request.user)
            return self.render(request, new_key=token.key)
        if action == "revoke":
            deleted, _rows = Token.objects.filter(user=request.user).delete()
            if deleted:
                messages.success(request, _("Your API token has been revoked; programs using it can no longer "
                                            "sign in."))
            return redirect("profile")
        return redirect("profile")

    def render(self, request, new_key=None):
        token = Token.objects.filter(user=request.user).first()
        context = {"token": token, "new_key": new_key, "scope": get_scope(request.user)}
        response = render(request, self.template_name, context)
        if new_key:
            response["Cache-Control"] = "no-store"
        return response
