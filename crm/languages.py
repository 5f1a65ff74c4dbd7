"""Which of the languages a page speaks a customer reads it in: from the tag stored with them
('de-AT') or from their browser's Accept-Language header, English when it speaks none."""

from collections.abc import Container

DEFAULT = "en"


def _base(tag: str) -> str:
    return tag.split(";")[0].strip().split("-")[0].split("_")[0].lower()


def language_of(tag: str | None, spoken: Container[str]) -> str:
    """The language of a stored tag ('de-AT' -> 'de') if ``spoken``, else English."""
    base = _base(tag or "")
    return base if base in spoken else DEFAULT


def browser_language(accept_language: str, spoken: Container[str]) -> str:
    """The first language of an Accept-Language header that is ``spoken``, else English."""
    for entry in accept_language.split(","):
        if (language := _base(entry)) in spoken:
            return language
    return DEFAULT
