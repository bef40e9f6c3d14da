from django.contrib import admin

from .models import Call, Extension, PhoneSystem


@admin.register(PhoneSystem)
class PhoneSystemAdmin(admin.ModelAdmin):
    list_display = ["team", "provider", "default_region"]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "extension", "number"]
    list_filter = ["team"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["call_id", "team", "direction", "state", "remote_number", "lead", "sdr"]
    list_filter = ["team", "direction", "state"]
    raw_id_fields = ["lead", "sdr", "activity"]
