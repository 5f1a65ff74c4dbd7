"""Hostile CSV files through the staff import page and its worker, and the error file it
offers back: row errors or a clear form error, never a server error, and no formula in any
cell a spreadsheet would run."""

import csv
import io
import re

from bench.security.harness import Family, short, wait_until
from bench.security.staff import _signed_in

FORMULAS = [
    '=HYPERLINK("http://evil.example","Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\uff1d1+1",
]
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*|[+-]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _rows(lines: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode()


def _files(big_bytes: int) -> dict[str, bytes]:
    header = ["external_ref", "given_name", "family_name", "email"]
    formula_rows = [
        # A bad e-mail makes each row fail, so the error file carries its formula back.
        [f"CSV-F{n}", formula, formula, f"{formula}not-an-email"]
        for n, formula in enumerate(FORMULAS)
    ]
    formula_ok = [[f"CSV-G{n}", "Ok", formula, ""] for n, formula in enumerate(FORMULAS)]
    latin = "external_ref,family_name\nCSV-L1,Müller\nCSV-L2,Łukasz\n"
    many = 10_000
    cell = "x" * 1_000_000
    big_row = b"CSV-B0,Big," + b"y" * 1_000_000 + b"\r\n"
    big = b"external_ref,given_name,family_name\r\n" + big_row * max(1, big_bytes // len(big_row))
    return {
        "formula prefixes (failing rows)": _rows([header, *formula_rows]),
        "formula prefixes (valid rows)": _rows([header, *formula_ok]),
        "NUL byte in a row": b"external_ref,family_name\r\nCSV-N1,Nu\x00ll\r\nCSV-N2,Fine\r\n",
        "NUL byte in the header": b"external_ref,fam\x00ily_name\r\nCSV-N3,x\r\n",
        "UTF-16 with BOM": "external_ref,family_name\r\nCSV-U1,Zoë\r\n".encode("utf-16"),
        "UTF-16 LE without BOM": "external_ref,family_name\r\nCSV-U2,Zoë\r\n".encode("utf-16-le"),
        "Latin-1": latin.replace("Łukasz", "Lukasz").encode("latin-1"),
        "cp1250": latin.encode("cp1250"),
        "UTF-8 BOM": "\ufeffexternal_ref,family_name\r\nCSV-M1,Bommel\r\n".encode(),
        "CRLF injection in a quoted cell": _rows(
            [["external_ref", "family_name"], ["CSV-C1", "Line\r\nBreak"], ["CSV-C2", "a\rb"]]
        ),
        "bare CR line ends": b"external_ref,family_name\rCSV-C3,Cee\rCSV-C4,Dee\r",
        "unclosed quote": b'external_ref,family_name\r\nCSV-Q1,"never closed\r\nCSV-Q2,x\r\n',
        "very long cell (1 MB)": _rows([["external_ref", "family_name"], ["CSV-V1", cell]]),
        "very long external_ref": _rows([["external_ref", "family_name"], ["R" * 100_000, "x"]]),
        "many blank columns": _rows(
            [["external_ref", "family_name", *[""] * many], ["CSV-W1", "Wide", *["v"] * many]]
        ),
        "many unknown columns": _rows([["external_ref", *[f"c{n}" for n in range(many)]]]),
        "more values than columns": b"external_ref,family_name\r\nCSV-X1,a,b,c,d\r\n",
        "empty file": b"",
        "only blank lines": b"\r\n\r\n\r\n",
        "only a header": b"external_ref,family_name\r\n",
        "header without external_ref": b"family_name\r\nNobody\r\n",
        "semicolons": b"external_ref;family_name\r\nCSV-S1;=1+1\r\n",
        "binary (PNG)": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        f"{big_bytes // 1_000_000} MB file": big,
    }


def _neutralised(text: str) -> list[str]:
    """Cells of a downloaded CSV a spreadsheet would run as a formula."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    return [
        value[:40]
        for row in reader
        for value in row
        if not value.startswith("'")
        and (value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS))
        and not PLAIN_NUMBER.fullmatch(value)
    ]


def csv_imports(port: int, seed, *, big_bytes: int, timeout: float = 300) -> Family:
    from customers.identity.models import ImportJob

    family = Family("hostile CSV imports")
    manager = _signed_in(port, seed.users["manager"])
    for name, content in _files(big_bytes).items():
        before = set(ImportJob.objects.values_list("pk", flat=True))
        response = manager.form_post(
            "/customers/imports/",
            {"kind": "customers", "on_duplicate": "refuse"},
            files={"file": (f"{name}.csv", content, "text/csv")},
        )
        if response.status_code == 200:
            family.case(
                'class="errorlist' in response.text or "error" in response.text.lower(),
                f"{name}: refused without a visible form error",
            )
            continue
        if not family.case(response.status_code == 302, f"{name}: upload {short(response)}", 2):
            continue
        job = ImportJob.objects.exclude(pk__in=before).order_by("-pk").first()
        if not family.case(job is not None, f"{name}: accepted, but no import job"):
            continue
        finished = wait_until(
            lambda job=job: not ImportJob.objects.get(pk=job.pk).in_progress, timeout, 0.3
        )
        job.refresh_from_db()
        family.case(
            bool(finished), f"{name}: import {job.pk} still {job.status} after {timeout:.0f} s", 2
        )
        detail = manager.get(f"/customers/imports/{job.pk}/")
        family.case(detail.status_code == 200, f"{name}: import page {short(detail)}", 2)
        errors = manager.get(f"/customers/imports/{job.pk}/errors.csv")
        if errors.status_code == 200:
            bad = _neutralised(errors.content.decode("utf-8", "replace"))
            family.case(not bad, f"{name}: error file cells run as formulas: {bad[:3]}", 3)
        else:
            family.case(errors.status_code < 500, f"{name}: error file {short(errors)}", 2)
        family.notes.append(
            f"{name}: {job.status}, {job.rows_created} created, {job.rows_failed} failed"
        )
    return family
