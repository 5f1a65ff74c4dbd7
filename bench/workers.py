"""The product's own processes for a benchmark: management commands and real Celery workers,
each in a process of its own with the benchmark's database and broker."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_started = count(1)


def service_env(args) -> dict[str, str]:
    """This process's environment with the benchmark's database (``args.database_url``) and
    broker (``args.broker_url``)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        CELERY_BROKER_URL=args.broker_url,
        CELERY_RESULT_BACKEND=args.broker_url,
        DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"],
    )
    return env


def manage(args, *command: str) -> float:
    """Run a management command of the product in its own process; returns its seconds."""
    started = time.monotonic()
    print(f"$ manage.py {' '.join(command)}", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command],
        cwd=ROOT,
        env=service_env(args),
        check=True,
    )
    return time.monotonic() - started


def queue_purge(app) -> int:
    """Empty the benchmark's queue, and forget tasks a killed worker had taken (acks_late
    messages kombu's Redis transport would deliver again)."""
    purged = app.control.purge() or 0
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index", "unacked_mutex")
    return purged


class Worker:
    """``celery -A crm worker`` with ``args.workers`` prefork processes, in a process group of
    its own (stopped, or killed, with its pool children)."""

    def __init__(self, args, log_path: Path, *, name: str = "bench"):
        self.hostname = f"{name}_{os.getpid()}_{next(_started)}@{socket.gethostname()}"
        self.log_path = log_path
        self.log = log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(args.workers),
            "--loglevel",
            "WARNING",
            "--hostname",
            self.hostname,
            "--without-gossip",
            "--without-mingle",
        ]
        self.command = command
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=service_env(args),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its pool children
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, app, timeout: float = 120) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.alive():
                raise RuntimeError(f"The Celery worker exited with {self.process.returncode}.")
            if app.control.ping(destination=[self.hostname], timeout=1.0):
                return time.monotonic() - started
        raise RuntimeError(f"The Celery worker did not answer a ping within {timeout:.0f} s.")

    def kill(self) -> None:
        """SIGKILL to the whole group, as a crash or the OOM killer would: no warm shutdown,
        the chunk in hand left claimed and unfinished."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 30) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        else:
            # Pool children left behind by a crashed main process.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if not self.log.closed:
            self.log.close()

    def tail(self, lines: int = 40) -> str:
        if not self.log.closed:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
