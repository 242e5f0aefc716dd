"""Stories: syndicated copies of one article grouped under one id, and keys for quotations."""

from flows.stories.assign import (
    AssignedStory,
    StoredStory,
    StoryIndex,
    assign_stories,
    index_keys,
    pick_candidates,
)
from flows.stories.fold import quote_key
from flows.stories.signature import sign_story, sign_text
from flows.stories.words import CANDIDATES_PER_STORY

__all__ = [
    "CANDIDATES_PER_STORY",
    "AssignedStory",
    "StoredStory",
    "StoryIndex",
    "assign_stories",
    "index_keys",
    "pick_candidates",
    "quote_key",
    "sign_story",
    "sign_text",
]
