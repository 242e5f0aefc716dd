"""Named entities: spaCy NER per block, then document-level clusters, canonical names and ids."""

from flows.entities.extract import extract_entities, find_entity_mentions

__all__ = ["extract_entities", "find_entity_mentions"]
