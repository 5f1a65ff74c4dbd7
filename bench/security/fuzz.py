"""schemathesis against the TMF629 OpenAPI document, with the options and the hook of
.ci/schemathesis (read from that script, so both stay one)."""

import re
import subprocess
import tempfile
from pathlib import Path

from bench.security.harness import API, ROOT, Family

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)


def _ci_hook() -> str:
    """The hostile-strings hook .ci/schemathesis writes (lone surrogates and NULs in bodies)."""
    script = (ROOT / ".ci" / "schemathesis").read_text()
    start = script.index('cat >"$work/hostile_strings.py" <<\'EOF\'\n')
    body = script[start:].split("\n", 1)[1]
    return body[: body.index("\nEOF\n") + 1]


def _config(seed) -> str:
    customers = ", ".join(f'"{c.number}"' for c in seed.customers_a)
    hubs = ", ".join(f'"{h}"' for h in seed.hubs[seed.partner_a.name])
    return f"""[cache]
enabled = false

[dictionaries.customers]
values = [{customers}]

[dictionaries.hubs]
values = [{hubs}]

[generation]
allow-x00 = true

[parameters]
"path.customer_id" = {{ dictionary = "customers", probability = 0.7 }}
"path.hub_id" = {{ dictionary = "hubs", probability = 0.7 }}
"""


def schemathesis_run(port: int, seed, *, max_examples: int, seed_value: int = 42) -> Family:
    family = Family("schemathesis")
    work = Path(tempfile.mkdtemp(prefix="bench-security-schemathesis-"))
    (work / "schemathesis.toml").write_text(_config(seed))
    (work / "hostile_strings.py").write_text(_ci_hook())
    command = [
        str(ROOT / ".venv" / "bin" / "schemathesis"),
        *("--config-file", str(work / "schemathesis.toml")),
        *("run", f"http://127.0.0.1:{port}{API}/openapi.json"),
        *("--header", f"Authorization: Bearer {seed.tokens['a']}"),
        *("--header", "X-Forwarded-Proto: https"),
        *("--checks", CHECKS),
        *("--max-examples", str(max_examples)),
        *("--seed", str(seed_value)),
        *("--generation-database", "none", "--request-timeout", "30", "--no-color"),
    ]
    run = subprocess.run(
        command,
        cwd=work,
        env={**__import__("os").environ, "SCHEMATHESIS_HOOKS": "hostile_strings"},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    output = run.stdout + run.stderr
    (work / "output.txt").write_text(output)
    family.notes.append(f"output: {work / 'output.txt'}")
    match = re.search(r"Test cases:\s*\n\s*(\d+) generated(.*)", output)
    if not match:
        family.error(f"no summary in its output (exit {run.returncode}): {output[-300:]!r}")
        return family
    generated = int(match.group(1))
    rest = match.group(2)
    unique = re.search(r"found (\d+) unique failure", rest)
    with_failures = re.search(r"(\d+) found", rest)
    errored = re.search(r"(\d+) errored", rest)
    failing = int(with_failures.group(1)) if with_failures else 0
    family.tried = generated
    titles = _failure_titles(output)
    for n in range(failing):
        family.failures.append((2, titles[n % len(titles)] if titles else "a failed check"))
    if errored:
        for _ in range(int(errored.group(1))):
            family.failures.append((1, "a case errored (see the output)"))
    if unique:
        family.notes.append(f"{unique.group(1)} unique failures: {'; '.join(titles)}")
    if run.returncode != 0 and not family.failures:
        family.error(f"exit {run.returncode} without a counted failure: {output[-300:]!r}")
    return family


def _failure_titles(output: str) -> list[str]:
    """'METHOD /path: check' for each unique failure the report lists."""
    titles, operation = [], ""
    for line in output.splitlines():
        heading = re.match(r"_+ (\w+ /\S*) _+$", line.strip())
        if heading:
            operation = heading.group(1)
        elif line.startswith("- ") and operation:
            titles.append(f"{operation}: {line[2:].strip()}")
    return titles
