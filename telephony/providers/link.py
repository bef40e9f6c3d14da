"""No provider: the number becomes a tel: or sip: link that the SDR's softphone dials; the
PBX reports the call through the call-events webhook."""

from urllib.parse import quote

from ..models import PhoneSystem
from . import Dial


def link_for(system: PhoneSystem | None, e164: str) -> str:
    if system is not None and system.link_scheme == PhoneSystem.Scheme.SIP and system.sip_domain:
        return f"sip:{quote(e164)}@{system.sip_domain}"
    return f"tel:{e164}"


class LinkProvider:
    def __init__(self, system: PhoneSystem):
        self.system = system

    def dial(self, *, agent_number: str, to: str, callback_base: str) -> Dial:
        return Dial(link=link_for(self.system, to))
