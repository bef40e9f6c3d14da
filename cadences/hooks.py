"""Where cadences plug into the apps below them (registered from CadencesConfig.ready())."""


def register() -> None:
    """Nothing yet; the call-list source is added with the steps in the SDR's day."""
