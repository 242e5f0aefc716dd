"""Word lists and thresholds shared by several stages, each defined once with its calibration.

Stage packages keep their own in their `words.py`; what two stages need lives here, in the lowest
layer, so no stage imports another's data.
"""

from __future__ import annotations

# --- decoding (flows.decode) ----------------------------------------------------------------------

# Bytes looked at for NUL bytes and characters looked at for control noise: 64 KiB tell binary
# data from text on every fixture and cost nothing next to parsing.
SNIFF_BYTES = 65_536
# Charset detection reads a prefix: its cost grows with the input, and 64 KiB give a stable
# verdict on every legacy-encoded fixture (French and English cp1252, latin-1) and aeb page.
DETECT_BYTES = 65_536
# How much language fit a unit of mess is worth. On our French fixtures cp1252 must beat cp1257
# (coherence 0.79 vs 0.71 at chaos 0.044 vs 0) and cp775 (0.565 at chaos 0 vs 0.619 at 0.052):
# any weight between 1.04 and 1.9 does both; 1.5 sits in the middle.
CHAOS_WEIGHT = 1.5
# C0 control characters other than tab/newline/CR/form feed are rare in real text; above this
# share of the decoded characters the bytes are binary data that happened to decode.
MAX_CONTROL_SHARE = 0.01
# UTF-16 without a BOM: Latin-script text has a NUL in (nearly) every other byte and almost none
# in the others; binary data with NULs does not show that pattern.
UTF16_NUL_SHARE = 0.4
UTF16_OTHER_NUL_SHARE = 0.05
