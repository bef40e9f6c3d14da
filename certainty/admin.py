from django.contrib import admin

from .models import CertaintySettings, ModelVersion


@admin.register(CertaintySettings)
class CertaintySettingsAdmin(admin.ModelAdmin):
    list_display = ["team", "min_decided", "a_from", "b_from", "pinned"]


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["team", "number", "trained_at", "n_train", "auc", "brier", "active"]
    readonly_fields = ["params", "deciles"]
