"""manage.py train_certainty [--team SLUG] [--seed N] [--score]"""

from django.core.management.base import BaseCommand, CommandError

from sdr_ops.models import Team

from ... import domain


class Command(BaseCommand):
    help = (
        "Trains a new version of each SDR team's certainty model (or one team's) and keeps it; "
        "it is used only when at least as good on the recent held-out handoffs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team", help="the team's slug (default: every SDR team)")
        parser.add_argument("--seed", type=int, default=domain.TRAINING_SEED)
        parser.add_argument(
            "--score", action="store_true", help="then store the scores of the open leads"
        )

    def handle(self, *args, team=None, seed=domain.TRAINING_SEED, score=False, **options):
        teams = Team.objects.filter(kind=Team.Kind.SDR).order_by("pk")
        if team:
            teams = teams.filter(slug=team)
            if not teams.exists():
                raise CommandError(f"no SDR team {team!r}")
        for t in teams:
            version = domain.train_team(t, seed=seed)
            if version is None:
                self.stdout.write(f"{t.slug}: too few decided handoffs, the prior stays")
            else:
                state = "in use" if version.active else "kept, not in use"
                auc = f"{version.auc:.3f}" if version.auc is not None else "-"
                self.stdout.write(
                    f"{t.slug}: v{version.number} ({state}); n={version.n_train}, "
                    f"AUC {auc}, Brier {version.brier:.4f} (before {version.previous_brier:.4f})"
                )
            if score:
                self.stdout.write(f"{t.slug}: {domain.store_scores(t)} open leads scored")
