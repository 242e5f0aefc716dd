"""Quotations: paired marks, speakers and cues from the parse, linked to the entities."""

from flows.quotes.extract import QuoteParses, extract_quotes, parse_quotes
from flows.quotes.words import PARSE_HELD_MAX_CHARS

__all__ = ["PARSE_HELD_MAX_CHARS", "QuoteParses", "extract_quotes", "parse_quotes"]
