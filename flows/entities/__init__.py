"""Named entities: spaCy NER per block, then document-level clusters, canonical names and ids."""

from flows.entities.extract import extract_entities

__all__ = ["extract_entities"]
