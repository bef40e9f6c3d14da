"""Two reactions to the same praise at once take turns: the second answers as a repeat
(it takes the first one back, as a second click does), never with an error."""

import pytest
from django.db import connection

from handoffs.domain import reviews
from handoffs.models import PraisePost, PraiseReaction

from .authz import build_world
from .test_import_races import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time anyway (IMMEDIATE transactions)",
    ),
]


def test_the_same_reaction_twice_at_once_ends_as_two_clicks_in_turn(org):
    post_id = build_world(org).praise.pk
    for _round in range(5):
        results = at_once(
            lambda: reviews.toggle_reaction(
                PraisePost.objects.get(pk=post_id), by=org.bob, kind="applause"
            )
        )
        assert all(isinstance(r, bool) for r in results), results
        assert sorted(results) == [False, True]
        assert not PraiseReaction.objects.filter(post_id=post_id, user=org.bob).exists()
