"""Who reaches what of the certainty score: a model version through its team."""

from django.http import Http404

from sdr_ops.access import teams_visible_to
from sdr_ops.models import User

from .models import ModelVersion


def version_for(user: User, pk: int) -> ModelVersion:
    """A model version of a team the user sees; 404 for any other, as if it did not exist."""
    teams = [t.pk for t in teams_visible_to(user)]
    version = ModelVersion.objects.filter(pk=pk, team_id__in=teams).select_related("team").first()
    if version is None:
        raise Http404
    return version
