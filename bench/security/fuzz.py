"""schemathesis against the OpenAPI document of each partner API (TMF629, TMF632, TMF683), with
the options and the hook of .ci/schemathesis (read from that script, so both stay one)."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

from bench.security.harness import APIS, ROOT, Family

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)


def _ci_hook() -> str:
    """The hostile-strings hook .ci/schemathesis writes (lone surrogates and NULs in bodies)."""
    script = (ROOT / ".ci" / "schemathesis").read_text()
    start = script.index("cat >\"$work/hostile_strings.py\" <<'EOF'\n")
    body = script[start:].split("\n", 1)[1]
    return body[: body.index("\nEOF\n") + 1]


def _config(seed) -> str:
    from customers.models import Interaction

    def quoted(values) -> str:
        return ", ".join(f'"{value}"' for value in values)

    customers = quoted(c.number for c in seed.customers_a)
    parties = quoted(c.party_id for c in seed.customers_a)
    interactions = quoted(
        Interaction.objects.filter(customer__partner=seed.partner_a)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    hubs = quoted(hub for api in seed.api_hubs.values() for hub in api.get(seed.partner_a.name, []))
    return f"""[cache]
enabled = false

[dictionaries.customers]
values = [{customers}]

[dictionaries.parties]
values = [{parties}]

[dictionaries.interactions]
values = [{interactions}]

[dictionaries.hubs]
values = [{hubs}]

[generation]
allow-x00 = true

[parameters]
"path.customer_id" = {{ dictionary = "customers", probability = 0.7 }}
"path.party_id" = {{ dictionary = "parties", probability = 0.7 }}
"path.interaction_id" = {{ dictionary = "interactions", probability = 0.7 }}
"path.hub_id" = {{ dictionary = "hubs", probability = 0.7 }}
"""


def schemathesis_run(
    port: int,
    seed,
    *,
    max_examples: int,
    seed_value: int = 42,
    parallel: bool = False,
    phases: str | None = None,
) -> Family:
    """One schemathesis run per API, as .ci/schemathesis loops over them (all three at once
    with ``parallel``; only ``phases`` when given); the family counts the test cases of all
    three."""
    family = Family("schemathesis")
    work = Path(tempfile.mkdtemp(prefix="bench-security-schemathesis-"))
    (work / "schemathesis.toml").write_text(_config(seed))
    (work / "hostile_strings.py").write_text(_ci_hook())
    runs = {}
    for api, root in APIS.items():
        command = [
            str(ROOT / ".venv" / "bin" / "schemathesis"),
            *("--config-file", str(work / "schemathesis.toml")),
            *("run", f"http://127.0.0.1:{port}{root}/openapi.json"),
            *("--header", f"Authorization: Bearer {seed.tokens['a']}"),
            *("--header", "X-Forwarded-Proto: https"),
            *("--checks", CHECKS),
            *("--max-examples", str(max_examples)),
            *("--seed", str(seed_value)),
            *("--generation-database", "none", "--request-timeout", "30", "--no-color"),
            *(("--phases", phases) if phases else ()),
        ]
        output = open(work / f"{api}.txt", "w")  # noqa: SIM115 (closed below)
        runs[api] = (
            subprocess.Popen(
                command,
                cwd=work,
                env={**os.environ, "SCHEMATHESIS_HOOKS": "hostile_strings"},
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            ),
            output,
        )
        if not parallel:
            runs[api][0].wait(timeout=3600)
    for api, (process, output) in runs.items():
        process.wait(timeout=3600)
        output.close()
        _counted(family, api, process.returncode, (work / f"{api}.txt").read_text())
    family.notes.append(f"output: {work}/<api>.txt")
    return family


def _counted(family: Family, api: str, returncode: int, output: str) -> None:
    match = re.search(r"Test cases:\s*\n\s*(\d+) generated(.*)", output)
    if not match:
        family.error(f"{api}: no summary in its output (exit {returncode}): {output[-300:]!r}")
        return
    generated = int(match.group(1))
    rest = match.group(2)
    unique = re.search(r"found (\d+) unique failure", rest)
    with_failures = re.search(r"(\d+) found", rest)
    errored = re.search(r"(\d+) errored", rest)
    failing = int(with_failures.group(1)) if with_failures else 0
    failures_before = len(family.failures)
    family.tried += generated
    titles = _failure_titles(output)
    for n in range(failing):
        family.failures.append(
            (2, f"{api} {titles[n % len(titles)]}" if titles else f"{api}: a failed check")
        )
    if errored:
        for _ in range(int(errored.group(1))):
            family.failures.append((1, f"{api}: a case errored (see the output)"))
    if unique:
        family.notes.append(f"{api}: {unique.group(1)} unique failures: {'; '.join(titles)}")
    family.notes.append(f"{api}: {generated} test cases, exit {returncode}")
    if returncode != 0 and len(family.failures) == failures_before:
        family.error(f"{api}: exit {returncode} without a counted failure: {output[-300:]!r}")


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
