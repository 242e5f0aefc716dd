"""The entity stage's word lists: the speaker cue stays its calibrated set, from shared data."""

from __future__ import annotations

from flows import words as shared
from flows.entities import words

# The surface forms the speaker cue was calibrated with (seed and conll dev), before the list was
# derived from the shared lemmas: a change here changes entity labels.
CALIBRATED_FORMS = frozenset(
    """
    acknowledged acknowledges added adds admits admitted argued argues asked asks cautioned
    commented comments complained complains declared declares explained explains insisted
    insists noted notes recalled recalls replied replies said says stated states stressed
    stresses suggested suggests tells told warned warns writes wrote
    """.split()
)


def test_speaker_cue_forms_are_the_calibrated_set() -> None:
    assert words.SPEAKER_VERB_FORMS == CALIBRATED_FORMS


def test_speaker_cue_lemmas_are_reporting_verbs_of_the_quote_stage() -> None:
    assert words.SPEAKER_LEMMAS <= shared.REPORTING_VERBS
    assert "report" not in words.SPEAKER_LEMMAS  # the seed's subjects of "reported" are agencies
