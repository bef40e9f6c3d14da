from django.contrib import admin

from .models import Capacity, CapacityReduction, Handoff, Opportunity


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = ["lead", "sdr", "ae", "certainty", "status", "created_at", "decided_at"]
    list_filter = ["status", "certainty", "rejection_reason"]
    list_select_related = ["lead__account", "sdr", "ae"]
    raw_id_fields = ["lead", "sdr", "ae"]
    date_hierarchy = "created_at"


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = [
        "handoff",
        "status",
        "amount_at_creation",
        "amount_at_close",
        "created_at",
        "closed_at",
    ]
    list_filter = ["status"]
    list_select_related = ["handoff__lead__account", "handoff__ae"]
    raw_id_fields = ["handoff"]


@admin.register(Capacity)
class CapacityAdmin(admin.ModelAdmin):
    list_display = ["ae", "normal", "segment"]


@admin.register(CapacityReduction)
class CapacityReductionAdmin(admin.ModelAdmin):
    list_display = ["ae", "capacity", "start_date", "end_date", "reason"]
