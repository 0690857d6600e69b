"""The typed model of a publication: what a sheet file and publication.yaml may hold.

The pydantic classes are the schema: `transfo-print schema` writes them out as JSON Schema
for editors, and `load` validates every file against them.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

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
LanguageCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]


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

    @property
    def leads_in(self) -> bool:
        """A paragraph that announces what follows it (it ends with a colon), to be kept
        with it at a column or page break."""
        return self.text is not None and self.text.rstrip().endswith(":")


class Part(Strict):
    blocks: list[Block] = Field(min_length=1)


class Hypothesis(Part):
    lead: Text = Field(description=(
        "One short sentence set apart in large type at the head of the hypothesis (a long "
        "one is a warning)."))


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
    target: Identifier | None = Field(
        default=None, description="Id of the element of the drawing the code names: `check` "
        "makes sure the lead line ends on it (inside the box around it).",
    )


class Figure(Strict):
    label: Text = Field(description="The figure label, e.g. 'Fig.cc'.")
    drawing: DrawingPath | None = Field(
        default=None, description="An SVG file in the source folder's figures/."
    )
    highlight: Identifier | None = Field(
        default=None, description="Id of the drawing's group to pick out: the drawing in fine "
        "lines, that part solid black in a heavy outline (a key plan)."
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


def _nothing_required(schema: dict) -> None:
    """For the published schema: every label has a default in its language's file."""
    schema.pop("required", None)


class LabelSet(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_nothing_required)


class TitleBlockLabels(LabelSet):
    """The small labels in the corners of the cells of the ISO 7200 title block."""

    owner: Text = Field(description="Cell of the publisher, the legal owner of the document.")
    number: Text = Field(description=(
        "Cell of the drawing's identification number: the label `number` and the sheet's "
        "number, e.g. 'No. 001.001'."))
    date: Text = Field(description="Cell of the date of issue (the publication's `date`).")
    sheet: Text = Field(description=(
        "Cell of the sheet's number out of the count, e.g. '02 / 07'; also the sheet column "
        "of the parts list."))
    page: Text = Field(description="Cell of the page's folio, e.g. '02.3': sheet 02, page 3.")
    title: Text = Field(description="Cell of the sheet's title.")
    type: Text = Field(description="Cell of the publication's `document_type`.")
    language: Text = Field(description="Cell of the publication's `language` code.")
    revision: Text = Field(description="Cell of the publication's `revision`.")
    creator: Text = Field(description="Cell of the publication's `creator` (else publisher).")
    publication: Text = Field(description=(
        "Cell of the publication's title; also names it in the colophon."))


class WebLabels(LabelSet):
    """The words of the web edition (`transfo-print web`) besides those the pages share."""

    skip: Text = Field(description="The skip link, first on every page: to the content.")
    home: Text = Field(description="Link back to the index, in every page's navigation.")
    navigation: Text = Field(description="Name of the site's navigation, for screen readers.")
    sheets: Text = Field(description="Heading of the index's list of sheets.")
    previous: Text = Field(description="Link to the sheet before.")
    next: Text = Field(description="Link to the sheet after.")
    download: Text = Field(description="Heading of a page's PDF downloads.")
    sheet_pdf: Text = Field(description="The sheet's PDF, the download's link text.")
    booklet_pdf: Text = Field(description="The booklet's PDF, the download's link text.")
    page: Text = Field(description="After a page count of one: '1 page'.")
    pages: Text = Field(description="After a page count of more than one: '6 pages'.")
    kilobytes: Text = Field(description="Unit of a file's size under a megabyte: 'kB'.")
    megabytes: Text = Field(description="Unit of a file's size from a megabyte: 'MB'.")
    decimal_separator: Annotated[str, StringConstraints(strict=True, min_length=1,
                                                         max_length=1)] = Field(
        description="Between the units and the decimals of a size: '.' or ','.")
    no_pdf: Text = Field(description=(
        "Said where a PDF would be offered but was not built with the site."))
    figure_codes: Text = Field(description=(
        "Before the reference codes listed under a figure, which link to the legend."))
    edition: Text = Field(description=(
        "Colophon of the PDFs and of the site: the label of the web edition's address."))
    accessibility_statement: Text = Field(description=(
        "Colophon of the site: the web edition's accessibility statement."))


def _heading(what: str):
    return Field(description=f"Heading of {what}.")


class Labels(LabelSet):
    """Every word the layout prints besides the data. Each has a default for the languages
    shipped (transfo_print/labels/LANGUAGE.yaml: fr, en): give only those that differ."""

    no_model: Text = Field(description=(
        "The patent-drawing mention that no model was filed with the drawing, '( No Model )': "
        "printed in the heading band, on the cover, on the cards and before each part's "
        "number."))
    sheet: Text = Field(description=(
        "Which sheet out of how many, in the heading band: {number} and {count} are replaced "
        "by two-digit numbers, e.g. 'Sheet {number} OF {count}' gives 'Sheet 02 OF 07'."))
    number: Text = Field(description=(
        "Before a part's identification number, sheet then part, e.g. 'No.' in "
        "'No. 001.002' (headings, contents, band and title block)."))
    hypothesis: Text = _heading("the first part of a sheet, its hypothesis")
    observations: Text = _heading("the part telling what was observed")
    lessons: Text = _heading("the part telling what was learnt")
    challenges: Text = _heading("the list of challenges; also the cards' document title")
    testimonials: Text = _heading("the testimonials")
    challenge: Text = Field(description=(
        "Before a challenge's number, e.g. 'Challenge 001', on the sheet and the cards."))
    continued: Text = Field(description=(
        "After a part's title at the top of a page the part runs onto, in brackets."))
    contents: Text = _heading("the table of contents")
    parts_list: Text = _heading("the parts list: every legend code of every sheet")
    colophon: Text = _heading("the colophon: publication, owner, date, typefaces, software")
    legend: Text = _heading("a sheet's legend of reference codes")
    code: Text = Field(description="Parts list column: the reference code.")
    designation: Text = Field(description="Parts list column: what the code names.")
    folio: Text = Field(description="Parts list column: the page where the code appears.")
    fonts: Text = Field(description="Colophon: the typefaces used.")
    typeset_with: Text = Field(description=(
        "Colophon: the software that laid out the pages, followed by "
        "'transfo-print 0.1.0, WeasyPrint 70.0'."))
    months: list[Text] = Field(
        min_length=12, max_length=12, description="Month names, January first, for dates.")
    mentions_language: LanguageCode = Field(description=(
        "The language `no_model` and `sheet` are written in (the patent drawings' English "
        "mentions): a screen reader reads them in it when it is not the publication's."))
    accessibility: Text = Field(
        description="Colophon: the heading of the accessibility statement.")
    accessibility_statement: Text = Field(description=(
        "Colophon: the accessibility statement: what conforms, what does not, and how to get "
        "an accessible version."))
    title_block: TitleBlockLabels
    web: WebLabels | None = Field(default=None, description=(
        "The words of the web edition. Shipped for fr and en; another language gives them "
        "to build the web edition or to name its address (`web_address`)."))

    @field_validator("sheet")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            value.format(number="01", count="01")
        except (KeyError, IndexError, ValueError):
            raise ValueError(
                "only {number} and {count} may stand in braces (double a brace to print it)"
            ) from None
        return value


LABELS = files(__package__) / "labels"


def default_labels(language: str) -> dict | None:
    """The labels shipped for a language code such as 'fr' or 'en-GB' (None if none)."""
    path = LABELS / f"{language.split('-')[0]}.yaml"
    return yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None


def _merged(defaults: dict, given: dict) -> dict:
    """`given` over `defaults`, key by key, mappings inside mappings too."""
    result = dict(defaults)
    for key, value in given.items():
        inner = result.get(key)
        result[key] = (_merged(inner, value) if isinstance(inner, dict)
                       and isinstance(value, dict) else value)
    return result


def _labels_optional(schema: dict) -> None:
    schema["required"].remove("labels")


class Publication(Strict):
    title: Text
    subtitle: Text | None = None
    publisher: Text
    date: datetime.date
    language: LanguageCode
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
    web_address: WebAddress | None = Field(default=None, description=(
        "Where the web edition (`transfo-print web`) is published, e.g. "
        "'https://example.org/field-guide/': named in the colophon of the PDFs and the site."))
    sheets: list[Slug] = Field(
        min_length=1, description="Sheet file names without '.yaml', in order."
    )
    labels: Labels = Field(description=(
        "The words printed on the pages. Defaults exist for fr and en: give only the labels "
        "that differ. Another language gives them all."))

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_labels_optional)

    @model_validator(mode="before")
    @classmethod
    def _default_labels(cls, data):
        if not isinstance(data, dict) or not isinstance(data.get("language"), str):
            return data
        defaults = default_labels(data["language"])
        given = data.get("labels") or {}
        if defaults is None or not isinstance(given, dict):
            return data
        return {**data, "labels": _merged(defaults, given)}


def write_schemas(folder: Path) -> list[Path]:
    """The JSON Schemas of the two kinds of file, for editors (`transfo-print schema`), in
    `folder`, made if need be."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in (("sheet", Sheet), ("publication", Publication)):
        path = folder / f"{name}.schema.json"
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written


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
