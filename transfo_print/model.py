"""The typed model of a publication: what a sheet file and publication.yaml may hold.

The pydantic classes are the schema: `transfo-print schema` writes them out as JSON Schema
for editors, and `load` validates every file against them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from .diagnostics import Problem

# Text typed by a person: a real string (not a number), never empty once trimmed.
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-z][0-9a-z-]*$")]
Code = Annotated[
    str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9]{0,5}$")
]


Point = Annotated[list[float], Field(min_length=2, max_length=2)]
# Only a plain file name under figures/: no folder escapes, no URL, nothing but SVG.
DrawingPath = Annotated[
    str, StringConstraints(strict=True, pattern=r"^figures/[A-Za-z0-9][A-Za-z0-9._-]*\.svg$")
]
ImagePath = Annotated[
    str,
    StringConstraints(strict=True, pattern=r"^images/[A-Za-z0-9][A-Za-z0-9._-]*\.(jpe?g|png)$"),
]
WebAddress = Annotated[str, StringConstraints(strict=True, pattern=r"^https?://[^\s<>\"]+$")]
Identifier = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sheet content -----------------------------------------------------------------------


class ListItem(Strict):
    """A list item with a paragraph of its own (`body`) or a nested list (`items`)."""

    text: Text
    body: Text | None = None
    items: Items | None = Field(default=None, min_length=1)


Items = list[ListItem | Text]


class Block(Strict):
    """One block of a part: exactly one of heading, text, caption or list.

    A caption may name the photo it describes (`image`); without one it is set as text.
    """

    heading: Text | None = Field(default=None, description="A sub-heading inside the part.")
    text: Text | None = Field(default=None, description="A paragraph.")
    caption: Text | None = Field(default=None, description="A photo caption, set as a figure.")
    list: Items | None = Field(
        default=None, min_length=1, description="A bulleted list; items may nest."
    )
    image: ImagePath | None = Field(
        default=None, description="With a caption: a photo in the source folder's images/."
    )

    @model_validator(mode="after")
    def _exactly_one_kind(self):
        given = [k for k in self.KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a block holds exactly one of heading, text, caption or list"
                + (f" (found {', '.join(given)})" if given else "")
            )
        if self.image is not None and self.caption is None:
            raise ValueError("`image` goes with a `caption` (the text printed under the photo)")
        return self

    KINDS: ClassVar[tuple[str, ...]] = ("heading", "text", "caption", "list")

    @property
    def kind(self) -> str:
        return next(k for k in self.KINDS if getattr(self, k) is not None)


class Part(Strict):
    blocks: list[Block] = Field(min_length=1)


class Hypothesis(Part):
    lead: Text = Field(description="The car-metaphor sentence set apart, e.g. 'Tenir la route.'")


class Challenge(Strict):
    number: StrictInt | None = Field(default=None, ge=1, le=999)
    text: Text


class Challenges(Strict):
    items: list[Challenge] = Field(min_length=1)


class Testimonial(Strict):
    names: list[Text] = Field(min_length=1)
    role: Text | None = None
    text: Text | None = None
    video: WebAddress | None = Field(
        default=None, description="Address of a video; printed as a QR code with the address."
    )


class Testimonials(Strict):
    items: list[Testimonial] = Field(min_length=1)


class Sections(Strict):
    hypothesis: Hypothesis
    observations: Part
    lessons: Part
    challenges: Challenges
    testimonials: Testimonials | None = None




class Callout(Strict):
    """A reference code on a drawing: a lead line from the code's text to a point."""

    code: Code
    at: Point = Field(description="The point of the drawing the lead line ends on [x, y].")
    text_at: Point = Field(description="Where the code is printed [x, y].")


class Figure(Strict):
    label: Text = Field(description="The figure label, e.g. 'Fig.cc'.")
    drawing: DrawingPath | None = Field(
        default=None, description="An SVG file in the source folder's figures/."
    )
    highlight: Identifier | None = Field(
        default=None, description="Id of the drawing's group to pick out (heavier, hatched)."
    )
    callouts: list[Callout] = Field(default_factory=list)
    alt: Text | None = Field(
        default=None,
        description="The drawing in words, for a listener: what it shows, what is picked "
        "out, what the callouts point at (the PDF's text alternative).",
    )


class LegendEntry(Strict):
    code: Code = Field(description="Reference code, printed as '(cr)'.")
    label: Text


class Sheet(Strict):
    number: StrictInt = Field(ge=1, le=999)
    title: Text
    ticker: Text | None = Field(
        default=None, description="The title as the repeated band spells it, if not as title."
    )
    figures: list[Figure] = Field(default_factory=list)
    legend: list[LegendEntry] = Field(default_factory=list)
    sections: Sections


# --- the publication ---------------------------------------------------------------------


class TitleBlockLabels(Strict):
    owner: Text
    number: Text
    date: Text
    sheet: Text
    page: Text
    title: Text
    type: Text
    language: Text
    revision: Text
    creator: Text
    publication: Text


class Labels(Strict):
    no_model: Text
    sheet: Text = Field(description="With {number} and {count}, e.g. 'Sheet {number} OF {count}'.")
    number: Text = Field(description="Prefix of part numbers, e.g. 'N°.'")
    hypothesis: Text
    observations: Text
    lessons: Text
    challenges: Text
    testimonials: Text
    challenge: Text
    continued: Text
    contents: Text
    parts_list: Text
    colophon: Text
    legend: Text
    code: Text
    designation: Text
    folio: Text
    fonts: Text
    typeset_with: Text
    months: list[Text] = Field(min_length=12, max_length=12)
    title_block: TitleBlockLabels


class Publication(Strict):
    title: Text
    subtitle: Text | None = None
    publisher: Text
    date: datetime.date
    language: Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    output: Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-z0-9-]*$")] = (
        Field(description="Booklet file name, without '.pdf'.")
    )
    document_type: Text
    photos: Literal["colour", "grey"] = Field(
        default="colour", description="Print photos in colour or converted to grey."
    )
    revision: Text = "A"
    creator: Text | None = None
    description: Text | None = None
    keywords: list[Text] = Field(default_factory=list)
    sheets: list[Slug] = Field(
        min_length=1, description="Sheet file names without '.yaml', in order."
    )
    labels: Labels


# --- what `load` hands on ----------------------------------------------------------------


@dataclass(frozen=True)
class BookSheet:
    slug: str  # the file name without '.yaml', also the output's name
    path: Path
    sheet: Sheet


@dataclass(frozen=True)
class Book:
    """A loaded and checked publication: everything the later stages need."""

    folder: Path
    publication: Publication
    sheets: tuple[BookSheet, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def count(self) -> int:
        return len(self.sheets)
