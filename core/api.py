"""API base pieces shared by every app's ``api/`` package.

- ``Pagination``: ``?page=`` and ``?page_size=`` (at most ``max_page_size``).
- ``ModelCleanSerializer``: a ModelSerializer that is exactly as strict as the forms. It builds the model instance
  from the submitted values and runs ``full_clean()`` (field validators, ``clean()``, unique checks and the
  database constraints), turning Django's ``ValidationError`` into field-named DRF errors. Its related-object
  fields offer only what the requesting user may see (``visible_to``), or change (``editable_by``) for the
  fields named in ``editable_relations`` (the parent a new object is attached to).
- ``ScopedModelViewSet``: rows come from ``Model.objects.visible_to(user)``, applied to ``self.queryset`` in
  ``initial()`` before any handler runs (an invisible id answers 404);
  create needs ``Model.user_can_add(user)``, update needs ``obj.user_can_change(user)`` and delete
  ``obj.user_can_delete(user)`` (403 when the object is visible but not changeable). Saves run in a
  transaction through the one write path ``core.writes`` (a saved object must still be changeable by the user,
  with the scope computed afresh; scope-defining fields are administrator-only; a save that changes nothing
  writes nothing); database integrity errors answer 400/409, never 500; models with a ``version`` field get
  optimistic locking (409 on a stale ``version``, checked again at save time by ``core.concurrency``).
"""

import copy
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings
from rest_framework.utils import model_meta

from core import writes
from core.bounds import StrictPrimaryKeyRelatedField
from core.concurrency import ConcurrentEditError
from core.csvio import CsvListMixin  # ?format=csv: the list as the CSV export (all rows, streamed)
from core.pagination import Pagination  # noqa: F401  (re-exported; kept apart from viewsets, see that module)
from core.schema import decimal_schema, non_negative_fields


class Conflict(exceptions.APIException):
    """409: the record changed since it was read, or other records still refer to it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record was changed by someone else since you read it. Read it again and retry.")
    default_code = "conflict"


class ScopedPermission(permissions.BasePermission):
    """Read for every authenticated user (rows are narrowed by ``visible_to``); create needs the model's
    ``user_can_add``; update needs ``user_can_change`` on the object, delete ``user_can_delete``."""

    message = _("Your role does not allow this change.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "POST":  # create (also when OPTIONS asks which actions are offered)
            return view.get_model().user_can_add(request.user)
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "destroy" and hasattr(obj, "user_can_delete"):
            return obj.user_can_delete(request.user)
        return obj.user_can_change(request.user)


def _model_field_names(model):
    return {f.name for f in model._meta.concrete_fields}


def _unique_constraint_fields(model):
    """{violation message: field to name} for the model's UniqueConstraints (the last field of each)."""
    result = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            result[str(constraint.get_violation_error_message())] = constraint.fields[-1]
    return result


def django_errors_to_drf(exc, model=None):
    """``django.core.exceptions.ValidationError`` → ``{field: [messages]}`` with ``non_field_errors``.

    A unique constraint's message (a duplicate contract number for the same purchaser, a second annual report for
    the same year) is put on the constraint's last field, so that a client can show it beside that field.
    """
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    unique_fields = _unique_constraint_fields(model) if model is not None else {}
    result = {}
    for name, messages in exc.message_dict.items():
        for message in messages:
            key = name
            if name == NON_FIELD_ERRORS:
                key = unique_fields.get(message, api_settings.NON_FIELD_ERRORS_KEY)
            result.setdefault(key, []).append(message)
    return result


class ModelCleanSerializer(serializers.ModelSerializer):
    """A ModelSerializer that validates like a model form: ``full_clean()`` on the instance being written.

    Subclasses may list ``editable_relations``: foreign keys whose choices are the objects the user may change
    (``editable_by``); every other foreign key offers the objects the user may see (``visible_to``).
    A ``version`` field, when the model has one, is optional on write: if sent, it must equal the stored version.
    """

    editable_relations: tuple = ()
    serializer_related_field = StrictPrimaryKeyRelatedField  # ids strictly: 8.5 is not purchaser 8

    def get_fields(self):
        fields = super().get_fields()
        user = self._request_user()
        for name, field in fields.items():
            related = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            if isinstance(related, serializers.PrimaryKeyRelatedField) and not related.read_only:
                manager = related.queryset.model._default_manager
                if user is None or not hasattr(manager, "visible_to"):
                    continue
                related.queryset = (manager.editable_by(user) if name in self.editable_relations
                                    else manager.visible_to(user))
        non_negative = non_negative_fields(self.Meta.model)
        for name, field in fields.items():
            if isinstance(field, serializers.DecimalField) and not hasattr(field, "_spectacular_annotation"):
                field._spectacular_annotation = {  # the schema: a digit needed; no sign when never negative
                    "field": decimal_schema(field, non_negative=(field.source or name) in non_negative)}
        return fields

    def build_field(self, field_name, info, model_class, nested_depth):
        """Describe every model field: its help text, or else its verbose name, becomes the field's help text."""
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        if not kwargs.get("help_text"):
            try:
                model_field = model_class._meta.get_field(field_name)
            except FieldDoesNotExist:  # properties and annotations have no model field
                model_field = None
            if model_field is not None and getattr(model_field, "verbose_name", None):
                kwargs["help_text"] = capfirst(model_field.verbose_name)
        return field_class, kwargs

    def _request_user(self):
        request = self.context.get("request")
        if request is None and self.parent is not None:
            request = self.parent.context.get("request")
        return getattr(request, "user", None)

    def get_validators(self):
        # Uniqueness is checked by full_clean() with the model's own (translated) messages.
        return []

    def _writable_model_fields(self):
        names = _model_field_names(self.Meta.model)
        return {f.source for f in self._writable_fields if f.source in names}

    def validation_exclusions(self):
        """Model fields full_clean() skips: those this serializer does not write (like a ModelForm)."""
        return _model_field_names(self.Meta.model) - self._writable_model_fields()

    def build_instance(self, attrs):
        """The instance as it would be saved: a copy of the existing one with the new values, or a new one."""
        model = self.Meta.model
        names = _model_field_names(model)
        values = {k: v for k, v in attrs.items() if k in names}
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in values.items():
            setattr(instance, key, value)
        return instance

    def to_internal_value(self, data):
        """Field errors first (as DRF does); when some fields are invalid, the model rules are still checked on
        the valid ones, so that a client sees every problem at once, as on the form."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict) and isinstance(data, Mapping):  # not for a list or a string
                for key, messages in self._model_errors_besides(data, set(exc.detail)).items():
                    exc.detail.setdefault(key, [serializers.ErrorDetail(m, code="invalid") for m in messages])
            raise

    def _model_errors_besides(self, data, failed):
        """Best effort: the model's errors on the fields that passed their own validation."""
        values = {}
        for field in self._writable_fields:
            if field.field_name in failed:
                continue
            try:
                value = field.run_validation(field.get_value(data))
            except (serializers.ValidationError, DjangoValidationError, SkipField):
                continue
            self.set_value(values, field.source_attrs, value)
        values.pop("version", None)
        exclude = self.validation_exclusions() | {self.fields[name].source for name in failed if name in self.fields}
        try:
            self.build_instance(values).full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
        except DjangoValidationError as error:
            return {k: v for k, v in django_errors_to_drf(error, self.Meta.model).items() if k not in exclude}
        except (ObjectDoesNotExist, AttributeError, TypeError, ValueError):
            return {}  # a rule that needs one of the invalid fields: it is checked once they are fixed
        return {}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self._expected_version = attrs.pop("version", None)
        instance = self.build_instance(attrs)
        try:
            instance.full_clean(exclude=self.validation_exclusions(), validate_unique=True,
                                validate_constraints=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc, self.Meta.model)) from exc
        # clean() may normalise values (upper-case USCC, trimmed reference): keep what it made of them.
        for name in self._writable_model_fields():
            if name in attrs:
                attrs[name] = getattr(instance, name)
        return attrs

    def create(self, validated_data):
        """Create through the one write path (``core.writes.save_object``): the new record must be inside the
        user's scope."""
        user = self._request_user()
        if user is None:
            return super().create(validated_data)
        model = self.Meta.model
        info = model_meta.get_field_info(model)
        many = {name: validated_data.pop(name) for name, relation in info.relations.items()
                if relation.to_many and name in validated_data}
        instance = model(**validated_data)
        writes.save_object(user, instance)
        for name, value in many.items():
            getattr(instance, name).set(value)
        return instance

    def update(self, instance, validated_data):
        """Update through the one write path: a stale ``version`` is refused (409), an administrator-only field
        changed by someone else is refused (400 naming it), nothing is written when no value changes (the version
        stays), and the record must stay inside the user's scope computed afresh (403)."""
        expected = getattr(self, "_expected_version", None)
        user = self._request_user()
        if user is None:
            if expected is not None:
                instance._expected_version = expected
            return super().update(instance, validated_data)
        info = model_meta.get_field_info(instance)
        many = {}
        for name, value in validated_data.items():
            if name in info.relations and info.relations[name].to_many:
                many[name] = value
            else:
                setattr(instance, name, value)
        writes.save_object(user, instance, expected_version=expected)
        for name, value in many.items():
            getattr(instance, name).set(value)
        return instance


def version_field():
    """The optional ``version`` field of models with optimistic locking."""
    return serializers.IntegerField(
        required=False, min_value=1,
        help_text=_("Version of the record as read; on update, send it back to be refused (409) if someone "
                    "else changed the record in the meantime. Increases by one on every change."),
    )


def name_field(source, nullable=False):
    """A read-only readable name of a related object (``purchaser_name`` beside ``purchaser``)."""
    return serializers.CharField(source=source, read_only=True, allow_null=nullable,
                                 help_text=_("Readable name of the related object (read-only)."))


class ThrottleFirstMixin:
    """Count a request against the throttle before the permission check, so that anonymous clients (refused
    with 401) are throttled too, and so is a bad token (counted as anonymous, by address: guessing tokens runs
    into 429). Otherwise the same steps as ``APIView.initial`` (watched by ``core.compat``)."""

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        try:
            self.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)
            raise
        self.check_throttles(request)
        self.check_permissions(request)
        paginator = getattr(self, "paginator", None)
        if paginator is not None and hasattr(paginator, "check_query"):
            paginator.check_query(request)  # page and page_size as the schema types them, whatever the format


class ScopedModelViewSet(CsvListMixin, ThrottleFirstMixin, viewsets.ModelViewSet):
    """List, retrieve, create, update and delete within the user's scope (see the module docstring).

    Subclasses set ``queryset`` (used for its model and any ``select_related``), ``serializer_class``,
    ``filterset_class`` and ``ordering_fields``.
    """

    # Token first: an anonymous client gets 401 with a ``WWW-Authenticate: Token`` header.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ScopedPermission]
    ordering_fields = ()
    integrity_message = _("The record could not be saved because it conflicts with existing data.")
    out_of_scope_message = _("You may not create or move a record outside your own scope.")

    def get_model(self):
        return self.queryset.model

    def initial(self, request, *args, **kwargs):
        """After authentication, throttling and the permission check, and before any handler runs: narrow
        ``self.queryset`` to the rows the user may see (NetBox's way), so that ``get_queryset()``, lists, CSV,
        retrieve and the object fetched for a change all start from restricted rows (an invisible id answers
        404; a visible one the user may not change answers 403 from ``ScopedPermission``)."""
        super().initial(request, *args, **kwargs)
        self.queryset = type(self).queryset.all().visible_to(request.user)

    def _save(self, serializer):
        """Save through the serializer, which writes through ``core.writes`` (the one write path), and turn its
        refusals into API answers: 409 for a stale version, 400 naming the field for a validation error (an
        administrator-only field included), 403 with the reason for a record out of the user's scope."""
        try:
            with transaction.atomic():
                obj = serializer.save()
        except ConcurrentEditError as exc:
            raise Conflict() from exc
        except writes.OutOfScope as exc:
            raise exceptions.PermissionDenied(exc.message) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc, self.get_model())) from exc
        except IntegrityError as exc:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [self.integrity_message]}) \
                from exc
        # Answer with the row as a list would show it (annotations such as a contract's paid total included).
        serializer.instance = self.get_queryset().get(pk=obj.pk)
        return obj

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def perform_destroy(self, instance):
        try:
            writes.delete_object(self.request.user, instance)  # deletable with a fresh scope, in a transaction
        except writes.OutOfScope as exc:
            raise exceptions.PermissionDenied(exc.message) from exc
        except (ProtectedError, RestrictedError) as exc:
            blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
            names = sorted({str(o._meta.verbose_name_plural) for o in blocking if isinstance(o, models.Model)})
            raise Conflict(_("This record cannot be deleted while other records refer to it: %(names)s.")
                           % {"names": ", ".join(names) or "—"}) from exc
        except IntegrityError as exc:
            raise Conflict(self.integrity_message) from exc


def describe_actions(model):
    """Class decorator: OpenAPI descriptions of the standard operations of a model's endpoint."""
    plural = model._meta.verbose_name_plural
    texts = {
        "list": _("List the {plural} you may see, filtered, ordered and paginated."),
        "retrieve": _("One of the {plural} you may see (404 when it is outside your scope)."),
        "create": _("Create one of the {plural} (403 when your role may not)."),
        "update": _("Replace one of the {plural} you may change (403 when you may only see it)."),
        "partial_update": _("Change some fields of one of the {plural} you may change."),
        "destroy": _("Delete one of the {plural} you may change (409 while other records refer to it)."),
    }
    return extend_schema_view(**{action: extend_schema(description=format_lazy(text, plural=plural))
                                 for action, text in texts.items()})
