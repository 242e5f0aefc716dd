"""Quotations: paired marks, speakers and cues from the parse, linked to the entities."""

from flows.quotes.extract import extract_quotes

__all__ = ["extract_quotes"]
