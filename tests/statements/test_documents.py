"""The stored documents: a readable HTML page and a real PDF, in the customer's language and
currency, with the same figures."""

import io

from pypdf import PdfReader

from statements import services
from statements.models import Statement
from statements.runs import statement_run_start
from statements.services import statement_file

from .test_runs import run_here


def _statement_of(customer) -> Statement:
    run_here(statement_run_start(period="2026-11"))
    return Statement.objects.get(customer=customer, period="2026-11")


def test_the_pdf_is_a_real_pdf_with_the_customer_number_and_figures(seeded):
    statement = _statement_of(seeded)

    content = statement_file(statement, "pdf").read()
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert seeded.number in text
    assert "Kontoauszug" in text
    assert "41,25" in text and "€" in text
    assert "INV-SEED-11" in text


def test_the_html_speaks_the_customers_language_with_the_same_figures(seeded):
    statement = _statement_of(seeded)

    html = statement_file(statement, "html").read().decode()
    assert '<html lang="de">' in html
    assert "Kontoauszug" in html and "Schlusssaldo" in html
    assert "55,50\xa0€" in html  # opening balance, German separators
    assert "41,25\xa0€" in html
    assert "INV-SEED-11" in html and "PAY-SEED-11" in html
    assert "<script" not in html


def test_a_language_the_statements_do_not_speak_falls_back_to_english(customer_with):
    customer = customer_with(language="pt", currency="GBP")

    html = statement_file(_statement_of(customer), "html").read().decode()

    assert "Account statement" in html and "£0.00" in html


def test_french_and_spanish_statements_have_their_own_words(customer_with):
    french = customer_with(language="fr")
    spanish = customer_with(language="es-MX")

    run_here(statement_run_start(period="2026-11"))

    assert "Relevé de compte" in _html(french)
    assert "Extracto de cuenta" in _html(spanish)


def _html(customer) -> str:
    statement = Statement.objects.get(customer=customer)
    return statement_file(statement, "html").read().decode()


def test_a_statement_without_itemising_shows_totals_only(seeded):
    Statement.objects.all().delete()
    seeded.preferences.itemised_statement = False
    seeded.preferences.save()

    html = statement_file(_statement_of(seeded), "html").read().decode()

    assert "41,25" in html and "INV-SEED-11" not in html


def test_a_file_no_longer_stored_is_gone_not_an_error(seeded):
    statement = _statement_of(seeded)
    services.statement_files_delete(customer_ids=[seeded.pk])
    statement.refresh_from_db()

    for kind in ("html", "pdf"):
        try:
            statement_file(statement, kind)
        except services.StatementFileGone:
            continue
        raise AssertionError(f"the {kind} is still there")
    assert statement.closing_balance == 41.25  # the figures stay
