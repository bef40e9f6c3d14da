from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStorage(CompressedManifestStaticFilesStorage):
    """The production storage, except that a JavaScript file's source-map comment is left as
    it is: the vendored Chart.js names a .map file that the asset build does not copy."""

    patterns = tuple(p for p in CompressedManifestStaticFilesStorage.patterns if p[0] != "*.js")
