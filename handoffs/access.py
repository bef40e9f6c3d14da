"""Who reaches which handoff, opportunity, capacity, review and praise post. Every page and
API view of handoffs asks here; anything out of reach answers 404 whether or not it exists."""

from django.db.models import Q, QuerySet
from django.http import Http404

from leads.access import lead_for
from leads.models import Lead
from sdr_ops.access import sdr_managed_by, sdrs_managed_by
from sdr_ops.models import Role, Team, User

from .models import CapacityReduction, CoachingNote, Handoff, Opportunity, PraisePost, Review


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def handoffs_visible_to(user: User) -> QuerySet[Handoff]:
    """An SDR sees the handoffs they made, an AE those addressed to them, a manager the
    team's, an admin all; a stakeholder none."""
    handoffs = Handoff.objects.all()
    if user.is_admin:
        return handoffs
    if user.role == Role.SDR:
        return handoffs.filter(sdr=user)
    if user.role == Role.AE:
        return handoffs.filter(ae=user)
    if user.role == Role.MANAGER:
        return handoffs.filter(sdr__in=sdrs_managed_by(user))
    return handoffs.none()


def handoff_for(user: User, pk: int) -> Handoff:
    """A handoff the user may read; 404 otherwise."""
    handoffs = handoffs_visible_to(user).select_related("lead__account", "sdr", "ae")
    return _found(handoffs.filter(pk=pk).first())


def handoff_for_decision(user: User, pk: int) -> Handoff:
    """A handoff addressed to the user, to accept or reject; 404 otherwise (decided or not:
    the decision itself answers "already decided")."""
    handoffs = Handoff.objects.select_related("lead__account", "sdr", "ae")
    return _found(handoffs.filter(pk=pk, ae=user).first())


def lead_to_hand_off(user: User, pk: int) -> Lead:
    """The SDR's own lead, or a lead of the manager's team (an admin: any); 404 otherwise."""
    if user.role == Role.SDR:
        return lead_for(user, pk, write=True)
    if user.has_role(Role.MANAGER):
        return lead_for(user, pk)
    raise Http404


def addressee(pk: int) -> User | None:
    """The active AE a new handoff is addressed to, by id; None for anyone else and for an id
    nobody has, alike, so the answer does not tell which ids exist."""
    return User.objects.filter(pk=pk, role=Role.AE, is_active=True).first()


def valve_team_for(user: User) -> Team:
    """The team whose valve thresholds apply to what the user sees and does: their own, else
    the defaults (an unsaved Team)."""
    return user.current_team or Team()


def opportunities_of(user: User) -> QuerySet[Opportunity]:
    """The AE's own opportunities (none for anyone else)."""
    return Opportunity.objects.filter(handoff__ae=user)


def opportunity_for(user: User, pk: int) -> Opportunity:
    """One of the AE's own opportunities; 404 otherwise."""
    return _found(opportunities_of(user).filter(pk=pk).first())


def opportunity_to_correct(user: User, pk: int) -> Opportunity:
    """An opportunity whose amount at creation the user may correct: the AE's own, one of a
    handoff by an SDR the manager manages, any for an admin; 404 otherwise. (Within or past
    the AE's 24 hours is the domain's to say.)"""
    opportunities = Opportunity.objects.select_related("handoff__lead__account", "handoff__sdr")
    if user.is_admin:
        pass
    elif user.role == Role.AE:
        opportunities = opportunities.filter(handoff__ae=user)
    elif user.role == Role.MANAGER:
        opportunities = opportunities.filter(handoff__sdr__in=sdrs_managed_by(user))
    else:
        return _found(None)
    return _found(opportunities.filter(pk=pk).first())


def ae_capacity_for(user: User, ae_id: int) -> User:
    """An AE whose capacity the user may read and edit: the AE their own, a manager (or an
    admin) anyone's; 404 otherwise."""
    ae = User.objects.filter(pk=ae_id, role=Role.AE).first()
    if ae is None or not (user.pk == ae.pk or user.has_role(Role.MANAGER)):
        raise Http404
    return ae


def reduction_for(ae: User, pk) -> CapacityReduction:
    """A reduction of that AE (reached through ae_capacity_for); 404 otherwise."""
    try:
        return _found(CapacityReduction.objects.filter(pk=int(pk), ae=ae).first())
    except (TypeError, ValueError, OverflowError) as exc:
        raise Http404 from exc


def handoff_to_review(user: User, pk: int) -> Handoff:
    """A handoff of an SDR the user manages (an admin: any), to review; 404 otherwise."""
    handoff = _found(Handoff.objects.select_related("lead__account", "sdr").filter(pk=pk).first())
    sdr_managed_by(user, handoff.sdr_id)
    return handoff


def reviews_visible_to(user: User) -> QuerySet[Review]:
    """A review is visible to the manager who wrote it and the SDR reviewed, nobody else."""
    return Review.objects.filter(Q(manager=user) | Q(handoff__sdr=user))


def review_for(user: User, pk: int) -> Review:
    return _found(reviews_visible_to(user).filter(pk=pk).first())


def reviews_received_by(user: User) -> QuerySet[Review]:
    """The reviews of the user's own handoffs (an SDR's feedback page)."""
    return Review.objects.filter(handoff__sdr=user)


def review_received(user: User, pk: int) -> Review:
    """A review of one of the user's own handoffs (the SDR marks it read); 404 otherwise."""
    return _found(reviews_received_by(user).filter(pk=pk).first())


def reviews_written_about(user: User, sdr: User) -> QuerySet[Review]:
    """The reviews of an SDR's handoffs the user may read on the coaching page: the ones they
    wrote. Feedback is private to its author and the SDR, so an admin reads only their own
    here too, as in the API (reviews_visible_to)."""
    return Review.objects.filter(handoff__sdr=sdr, manager=user)


def coaching_notes_written_about(user: User, sdr: User) -> QuerySet[CoachingNote]:
    """The coaching notes on an SDR that the user wrote: private to the author and the SDR,
    so nobody else reads them here, admins included."""
    return CoachingNote.objects.filter(sdr=sdr, manager=user)


def coaching_notes_received_by(user: User) -> QuerySet[CoachingNote]:
    """The coaching notes written about the user (an SDR's feedback page)."""
    return CoachingNote.objects.filter(sdr=user)


def review_written_by(user: User, pk: int) -> Review:
    """A review the user wrote (to share it later); 404 otherwise, admins included."""
    return _found(
        Review.objects.select_related("handoff__lead__account", "handoff__sdr")
        .filter(pk=pk, manager=user)
        .first()
    )


def praise_post_for(user: User, pk: int) -> PraisePost:
    """A post of the praise feed, which every logged-in person reads; 404 when none."""
    return _found(PraisePost.objects.filter(pk=pk).first())
