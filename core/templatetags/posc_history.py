"""``{% load posc_history %}{% object_history object as entries %}``: an object's change history for its page
(see ``core.history.history_for``); used by ``templates/includes/history.html``."""

from django import template

from core.history import history_for

register = template.Library()


@register.simple_tag
def object_history(obj, limit=None):
    """The change history of ``obj``, newest first."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    return history_for(obj, limit=limit)
