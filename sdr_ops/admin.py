from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import StaffingRecord, Team, TeamDayOff, User


class StaffingInline(admin.TabularInline):
    model = StaffingRecord
    extra = 0
    fields = ["team", "role", "start_date", "end_date", "reason"]
    autocomplete_fields = ["team"]


class DayOffInline(admin.TabularInline):
    model = TeamDayOff
    extra = 0
    fields = ["day", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    inlines = [DayOffInline]
    list_display = [
        "name",
        "slug",
        "kind",
        "time_zone",
        "max_talk_minutes",
        "ratio_band_low",
        "ratio_band_high",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [StaffingInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "role")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "role", "password1", "password2"),
            },
        ),
    )


@admin.register(StaffingRecord)
class StaffingRecordAdmin(admin.ModelAdmin):
    list_display = ["person", "team", "role", "start_date", "end_date", "reason"]
    list_filter = ["team", "role"]
    search_fields = ["person__email", "person__first_name", "person__last_name", "reason"]
    autocomplete_fields = ["person", "team"]
    date_hierarchy = "start_date"
