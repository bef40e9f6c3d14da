"""Where cadences plug into the apps below them (called from CadencesConfig.ready())."""


def register() -> None:
    """Due call and task steps become entries of the nightly call list."""
    from leads.domain import calllists

    from .calllist import due_steps_source

    if due_steps_source not in calllists.entry_sources:
        calllists.entry_sources.append(due_steps_source)
