from django.contrib import admin

from .models import Threshold


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ["indicator", "direction", "amber", "red", "source", "updated_at"]
    search_fields = ["indicator", "source"]
