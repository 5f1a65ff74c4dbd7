"""What every family shares: its tally, an HTTP client for the running server, raw requests,
and the gunicorn server and Celery workers the probe starts."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
API = "/tmf-api/customerManagement/v5"
PARTY_API = "/tmf-api/partyManagement/v5"
INTERACTION_API = "/tmf-api/partyInteraction/v5"
# The root of each partner API by its hub's api name (HubSubscription.Api).
APIS = {
    "customerManagement": API,
    "partyManagement": PARTY_API,
    "partyInteraction": INTERACTION_API,
}
# gunicorn's longest request line (gunicorn.conf.py): a longer one is refused with gunicorn's
# own HTML 414 before Django sees it.
GUNICORN_REQUEST_LINE = 8190


@dataclass
class Family:
    """Cases tried and the failures among them, each with a one-line description; the worst is
    the one of highest severity (3: a leak or another party's data, 2: a server error, 1: a
    wrong answer), the first found among equals."""

    name: str
    tried: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def case(self, ok: bool, description: str, severity: int = 1) -> bool:
        self.tried += 1
        if not ok:
            self.failures.append((severity, description))
        return ok

    def error(self, description: str) -> None:
        """The family could not go on: counted as a failed case."""
        self.case(False, f"probe stopped: {description}", severity=2)

    @property
    def worst(self) -> str:
        if not self.failures:
            return "none"
        return max(self.failures, key=lambda failure: failure[0])[1]


def is_json_error(response) -> bool:
    """A TMF ``Error`` body."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "code" in body and "message" in body


def short(response) -> str:
    text = response.text.replace("\n", " ")
    return f"{response.status_code} {response.headers.get('Content-Type', '')} {text[:120]!r}"


class Http:
    """Requests to the server as one browser or one partner: its cookies kept by hand (they
    are Secure, which requests' jar would not send over plain http), and every request marked
    as arriving over https through the proxy header production trusts."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.base = f"http://127.0.0.1:{port}"
        self.headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, headers=None, **kwargs) -> requests.Response:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD") and "Referer" not in sent:
            sent["Referer"] = self.origin + "/"
        kwargs.setdefault("timeout", 120)
        response = requests.request(
            method, self.base + path, headers=sent, allow_redirects=False, **kwargs
        )
        for cookie in response.cookies:
            if cookie.value in ("", '""'):
                self.cookies.pop(cookie.name, None)
            else:
                self.cookies[cookie.name] = cookie.value
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def api(
        self, method: str, path: str, body=None, *, raw: bytes | None = None, root=API, **kwargs
    ):
        """A partner API call under ``root``; ``body`` as JSON, or ``raw`` bytes as they are."""
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if body is not None or raw is not None:
            headers.setdefault("Content-Type", "application/json")
            kwargs["data"] = raw if raw is not None else json.dumps(body).encode()
        return self.request(method, root + path, headers=headers, **kwargs)

    def csrf_token(self, path: str) -> str:
        """The form token of a page (the cookie's value works as well)."""
        page = self.get(path)
        marker = 'name="csrfmiddlewaretoken" value="'
        if marker in page.text:
            return page.text.split(marker, 1)[1].split('"', 1)[0]
        return self.cookies.get("csrftoken", "")

    def login(self, username: str, password: str, next_url: str | None = None):
        token = self.csrf_token("/login/")
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        query = f"?next={requests.utils.quote(next_url, safe='')}" if next_url else ""
        if next_url:
            data["next"] = next_url
        return self.post(f"/login/{query}", data=data)

    def form_post(self, path: str, data: dict, *, files=None, page: str | None = None):
        """A staff form sent as a browser sends it: with the token of the page it came from."""
        token = self.csrf_token(page or path)
        return self.post(path, data={**data, "csrfmiddlewaretoken": token}, files=files)


def gunicorn_refused_line(response) -> bool:
    """gunicorn's own HTML 414 for a request line over its limit (Django never saw it)."""
    line = len(response.request.method) + len(response.request.path_url) + len(" HTTP/1.1") + 1
    return (
        response.status_code == 414
        and "text/html" in response.headers.get("Content-Type", "")
        and line > GUNICORN_REQUEST_LINE
    )


def raw_request(port: int, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """One request written byte for byte (headers no client library lets through): its status
    and body, or 0 when the server closed the connection without an answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(head + body)
        answer = b""
        while True:
            try:
                piece = connection.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not piece:
                break
            answer += piece
    if not answer.startswith(b"HTTP/"):
        return 0, answer
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn crm.wsgi on a free local port, as bench/bench_api.py starts it."""

    def __init__(self, workers: int, log_path: Path, port: int):
        self.port = port
        self.log_path = log_path
        # gunicorn reads gunicorn.conf.py from its working directory (the repository's root);
        # named as well, so its request-line limit applies wherever the probe is started from.
        self.command = [
            *(sys.executable, "-m", "gunicorn", "crm.wsgi", "--workers", str(workers)),
            *("--config", str(ROOT / "gunicorn.conf.py")),
            *("--bind", f"127.0.0.1:{port}", "--timeout", "120"),
        ]
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=dict(os.environ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if Http(self.port).get(f"{API}/openapi.json").ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    def tracebacks(self) -> list[str]:
        """The exception of each server error the log shows (not the logged 4xx refusals)."""
        if not self.log.closed:
            self.log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        found, error, inside = [], False, False
        for line in lines:
            if "Internal Server Error" in line:
                error = True
            elif line.startswith("Traceback"):
                inside = True
            elif inside and line and not line.startswith((" ", "\t")):
                if error:
                    found.append(line[:200])
                error = inside = False
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def wait_until(condition, timeout: float, pause: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(pause)
    return None
