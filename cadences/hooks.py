"""Where cadences plug into the apps below them (called from CadencesConfig.ready())."""


def register() -> None:
    """Due call and task steps become entries of the nightly call list; and the SDR's side
    (register_sdr_side)."""
    from leads.domain import calllists

    from .calllist import due_steps_source

    if due_steps_source not in calllists.entry_sources:
        calllists.entry_sources.append(due_steps_source)
    register_sdr_side()


def register_sdr_side() -> None:
    """Saved audiences enrol their new matches just before the nightly build; call mode puts
    the items of a due call step first and logging the call runs the step; a handoff finishes
    the lead's open enrollment."""
    from handoffs import hooks as handoff_hooks
    from leads import hooks as lead_hooks
    from leads.domain import calllists

    from . import call_mode
    from .domain.audiences import enrol_audiences
    from .domain.enrolment import finish_for_handoff

    if enrol_audiences not in calllists.before_nightly_build:
        calllists.before_nightly_build.append(enrol_audiences)
    if call_mode.part not in lead_hooks.call_parts:
        lead_hooks.call_parts.append(call_mode.part)
    if finish_for_handoff not in handoff_hooks.on_handed_off:
        handoff_hooks.on_handed_off.append(finish_for_handoff)
