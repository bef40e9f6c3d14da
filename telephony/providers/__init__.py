"""Provider adapters: how a team's phone system dials out.

An adapter is one module with one class implementing `Provider`; `for_system` picks it by the
team's `PhoneSystem.provider`. To add a provider, write the module, add a choice to
`PhoneSystem.Provider` and a line to `ADAPTERS`. Whatever the provider, calls come back to the
app as the call events of `telephony.domain.record_event` (the provider-neutral webhook, or an
adapter's own callback view that translates into them).
"""

from dataclasses import dataclass
from typing import Protocol

from ..models import PhoneSystem


@dataclass(frozen=True)
class Dial:
    """What the page does to dial: follow `link` (tel:/sip:), or the call was `originated`
    by the provider with this `call_id`."""

    link: str = ""
    call_id: str = ""

    @property
    def originated(self) -> bool:
        return bool(self.call_id)


class DialError(Exception):
    """The provider refused or could not be reached; the message says why."""


class Provider(Protocol):
    def __init__(self, system: PhoneSystem): ...

    def dial(self, *, agent_number: str, to: str, callback_base: str) -> Dial:
        """Starts a call from the SDR (`agent_number`, E.164) to `to` (E.164).

        `callback_base` is the absolute URL prefix of the adapter's callback views. Raises
        DialError when the provider refuses.
        """
        ...


def for_system(system: PhoneSystem) -> Provider:
    from . import link, twilio_voice

    adapters = {
        PhoneSystem.Provider.LINK: link.LinkProvider,
        PhoneSystem.Provider.TWILIO: twilio_voice.TwilioProvider,
    }
    return adapters.get(system.provider, link.LinkProvider)(system)
