from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from community.demo import generate


class Command(BaseCommand):
    help = (
        "Generate a realistic county at scale (COPY on PostgreSQL), for benchmarks: towns, communities, zones, "
        "buildings, households, residents and their residence history, resident units, departments; then each "
        "app's <app>/generate.py adds its own rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--towns", type=int, default=10, help="Towns and subdistricts (default 10).")
        parser.add_argument("--communities", type=int, default=100, help="Communities in all (default 100).")
        parser.add_argument("--households", type=int, default=120_000, help="Households in all (default 120000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed makes the same county.")
        parser.add_argument(
            "--county-code",
            default=generate.DEFAULT_COUNTY_CODE,
            help="Six-digit administrative code, also the region of the ID numbers (default %(default)s).",
        )
        parser.add_argument("--county-name", default="", help="Name of the county (default: a free made-up name).")
        parser.add_argument(
            "--replace", action="store_true", help="Delete the county with this code and everything in it first."
        )
        parser.add_argument(
            "--extra",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="An option for the apps' generate hooks (repeatable), e.g. --extra members=5000.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        try:
            plan = generate.Plan(
                towns=options["towns"],
                communities=options["communities"],
                households=options["households"],
                seed=options["seed"],
                county_code=options["county_code"].strip(),
                county_name=options["county_name"].strip(),
                replace=options["replace"],
                extra=generate.parse_extra(options["extra"]),
            )
            ctx = generate.generate_county(
                plan,
                out=self.stdout.write if options["verbosity"] > 0 else None,
                progress=options["verbosity"] > 0 and not options["no_progress"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    _("County %(name)s (%(code)s) generated: %(towns)d towns, %(communities)d communities.")
                    % {
                        "name": ctx.county.name,
                        "code": ctx.county.code,
                        "towns": len(ctx.towns),
                        "communities": len(ctx.communities),
                    }
                )
            )
        self.stdout.write(ctx.stats.summary())
