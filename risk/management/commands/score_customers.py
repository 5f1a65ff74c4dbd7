from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crm.jobs.kinds import job_kind
from crm.jobs.services import job_chunks_pending, job_run_here
from risk import runs
from risk.models import ScoringRun


class Command(BaseCommand):
    help = (
        "Score every customer (churn, credit, fraud, influence, value) here, chunk by chunk, "
        "with a progress bar; --resume continues a run that was cut off. Celery workers do the "
        "same work in parallel for the nightly run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=20_000)
        parser.add_argument("--resume", type=int, metavar="RUN_ID")
        parser.add_argument(
            "--if-never-run",
            action="store_true",
            help="Do nothing when a run has finished before (for start-up scripts).",
        )

    def handle(self, *args, chunk_size, resume, if_never_run, verbosity, **options):
        if chunk_size < 100:
            raise CommandError("--chunk-size must be at least 100.")
        if if_never_run and ScoringRun.objects.filter(status=ScoringRun.Status.DONE).exists():
            self.stdout.write("Customers were scored before; nothing to do.")
            return
        kind = job_kind(runs.KIND)
        if resume:
            run = ScoringRun.objects.filter(pk=resume).first()
            if run is None:
                raise CommandError(f"There is no scoring run {resume}.")
        else:
            try:
                run = runs.scoring_run_start(actor="command score_customers", chunk_size=chunk_size)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        pending = job_chunks_pending(kind, run_id=run.pk)
        with tqdm(
            total=run.chunks_total,
            initial=run.chunks_total - len(pending),
            unit="chunk",
            disable=verbosity < 1,
        ) as bar:

            def progress(current):
                bar.update(current.chunks_done - bar.n)
                bar.set_postfix(customers=current.customers_scored)

            job_run_here(kind, run=run, on_chunk=progress)
        run.refresh_from_db()
        self.stdout.write(
            f"Scoring run {run.pk}: {run.get_status_display().lower()}, "
            f"{run.customers_scored} customers scored."
        )
        if run.status == ScoringRun.Status.FAILED:
            raise CommandError(run.error or "The run failed.")
