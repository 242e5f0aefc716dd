"""Small made-up articles and the syndicated copies an outlet would run of them.

Two originals about the same people and the same council vote, written apart: they share names,
places and a few phrases, but not their sentences, so they must never be one story. The copies
add a credit line and a byline, restyle the headline, trim the ending, append a note, change the
quote marks, or wrap the article in a web page.
"""

from __future__ import annotations

import html

BUDGET = (
    "Harbor City Council Approves Budget After Long Night",
    [
        "The Harbor City Council approved a $412 million budget early on Wednesday after a "
        "session that ran past midnight, ending weeks of argument over police overtime and the "
        "future of the public library branches on the east side of the city.",
        "Mayor Elena Vasquez, who had threatened to veto any plan that closed a library, said "
        "the final version “keeps every branch open and every promise we made in the spring.” "
        "Council member Robert Okafor called the overtime cuts “a gamble with public safety.”",
        "The vote was seven to four. Two members who had opposed the plan in committee changed "
        "their votes after a late amendment moved three million dollars from a planned parking "
        "garage to road repairs along the waterfront.",
        "Residents filled the chamber for most of the evening, and more than sixty people signed "
        "up to speak. Many of them were parents who asked the council to restore weekend hours "
        "at the libraries, which were cut two years ago during the last budget shortfall.",
        "Finance director Amara Lindqvist told the council that the budget assumes sales tax "
        "receipts will grow by two percent next year, a forecast she described as “cautious "
        "but not pessimistic” given the slowdown at the port.",
        "The plan also sets aside money for a new fire station in the Northgate neighborhood, "
        "a project that has been delayed three times since it was first proposed in 2019, and "
        "raises the fee for residential parking permits by ten dollars a year.",
        "Okafor said he would bring the overtime question back to the public safety committee "
        "next month. “We will revisit this before the summer, when calls always go up,” he "
        "said after the meeting, adding that he expected the chief to testify.",
        "The budget takes effect on July 1. The mayor is expected to sign it on Friday at a "
        "ceremony at the central library, her office said in a statement late on Wednesday.",
    ],
)

PROFILE = (
    "Vasquez and Okafor: Two Paths to City Hall",
    [
        "Elena Vasquez and Robert Okafor grew up four blocks apart in Harbor City, went to the "
        "same high school and now sit on opposite sides of almost every argument at City Hall.",
        "Vasquez, a former school principal, won the mayor's office three years ago on a promise "
        "to expand after-school programs. Okafor, a retired police sergeant, has represented the "
        "fourth district since 2017 and chairs the public safety committee.",
        "Their fights over money are well known, but friends of both say the two still have "
        "lunch once a month at a diner near the harbor. “We disagree about nearly everything "
        "except the pie,” Okafor said in an interview this week.",
        "The mayor describes her approach as patient. “You do not win a city by winning every "
        "vote,” she said, sitting in an office decorated with drawings from students at the "
        "school she once ran. She keeps a list of promises on the wall behind her desk.",
        "Okafor's supporters say he speaks for neighborhoods that feel forgotten by downtown. "
        "His critics say he has blocked housing projects that the city badly needs, including "
        "two apartment buildings near the new rail station.",
        "Both are expected to seek another term next year. Neither would say whether they plan "
        "to run against each other, though Okafor laughed when asked and said that the diner "
        "would need a bigger table if they did.",
        "Political scientists at Harbor State University say the rivalry has made council "
        "meetings longer but has also brought more residents to them, with attendance up by "
        "nearly half since Vasquez took office.",
    ],
)

CREDIT = "Coastline Wire Service"
NOTE = "This story was first published by the Harbor Ledger and is republished with permission."
_STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def original(article: tuple[str, list[str]]) -> str:
    title, paragraphs = article
    return "\n\n".join([title, *paragraphs]) + "\n"


def with_credit_and_byline(article: tuple[str, list[str]], byline: str) -> str:
    title, paragraphs = article
    return "\n\n".join([CREDIT, title, f"By {byline}", *paragraphs]) + "\n"


def trimmed(article: tuple[str, list[str]], keep: int) -> str:
    """The first `keep` paragraphs, under a restyled headline."""
    title, paragraphs = article
    return "\n\n".join([title.upper(), *paragraphs[:keep]]) + "\n"


def with_note_and_straight_quotes(article: tuple[str, list[str]]) -> str:
    title, paragraphs = article
    text = "\n\n".join([title, *paragraphs, NOTE]) + "\n"
    return text.translate(_STRAIGHT)


def as_page(article: tuple[str, list[str]], site: str) -> str:
    title, paragraphs = article
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)} | {site}"
        f"</title><meta property='og:site_name' content='{site}'></head><body><nav><a href='/'>"
        f"Home</a> <a href='/local'>Local</a></nav><main><article><h1>{html.escape(title)}</h1>"
        f"{body}</article></main><footer><p>Copyright {site}. All rights reserved.</p></footer>"
        "</body></html>"
    )
