from django.contrib import admin

from .models import Account, Activity, Lead, StageChange


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "segment", "size", "industry"]
    list_filter = ["segment"]
    search_fields = ["name", "industry"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "by", "at"]
    can_delete = False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "account", "source", "stage", "owner", "created_at"]
    list_filter = ["stage", "source", "account__segment", "do_not_call"]
    search_fields = ["first_name", "last_name", "email", "phone", "account__name", "external_id"]
    list_select_related = ["account", "owner"]
    raw_id_fields = ["account", "owner"]
    inlines = [StageChangeInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["lead", "sdr", "type", "outcome", "started_at", "duration_seconds"]
    list_filter = ["type", "outcome"]
    list_select_related = ["lead__account", "sdr"]
    raw_id_fields = ["lead", "sdr"]
    date_hierarchy = "started_at"
