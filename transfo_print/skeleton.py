"""`transfo-print new`: a complete publication to start from, that builds at once.

The files are the templates of `starter/` with a few words filled in for the language; the
labels are listed (commented out) from the language's defaults, so that every one is in
sight and none has to be typed.
"""

from __future__ import annotations

import datetime
import json
import re
from importlib.resources import files
from pathlib import Path
from string import Template

from .model import LABELS, write_schemas
from .paths import PUBLICATION_FILE

STARTER = files(__package__) / "starter"

WORDS = {
    "en": {
        "sheet": "sheet", "title": "Title of sheet {n}", "subtitle": "A subtitle",
        "publisher": "The publisher", "document_type": "Feedback sheet",
        "plate_label": "What code {plate} names", "bolt_label": "What code {bolt} names",
        "detail_alt": "A bracket bolted to a plate, seen from the side",
        "whole_alt": "The same bracket, its bolt picked out",
        "lead": "One short sentence.", "heading": "A heading inside a part",
        "paragraph": "A paragraph of plain text.",
        "long_paragraph": "A longer paragraph, folded over several lines of the file: "
                          "the lines are joined with spaces.",
        "caption": "The caption of a photo", "item": "A list item",
        "item_with_list": "An item with a nested list", "nested": "A nested item",
        "item_with_body": "An item with a paragraph", "emphasis": "Emphasis",
        "challenge": "Challenge", "question": "A challenge, as a question?",
        "person": "A. Person", "role": "their role", "testimony": "What they said.",
    },
    "fr": {
        "sheet": "planche", "title": "Titre de la planche {n}", "subtitle": "Un sous-titre",
        "publisher": "L'éditeur", "document_type": "Planche de retour d'expérience",
        "plate_label": "Ce que désigne le code {plate}",
        "bolt_label": "Ce que désigne le code {bolt}",
        "detail_alt": "Une équerre boulonnée sur une plaque, vue de côté",
        "whole_alt": "La même équerre, son boulon mis en évidence",
        "lead": "Une phrase courte.", "heading": "Un intertitre dans une partie",
        "paragraph": "Un paragraphe de texte simple.",
        "long_paragraph": "Un paragraphe plus long, replié sur plusieurs lignes du fichier : "
                          "les lignes sont jointes par des espaces.",
        "caption": "La légende d'une photo", "item": "Un élément de liste",
        "item_with_list": "Un élément avec une sous-liste", "nested": "Un sous-élément",
        "item_with_body": "Un élément avec un paragraphe", "emphasis": "Mise en valeur",
        "challenge": "Défi", "question": "Un défi, sous forme de question ?",
        "person": "A. Personne", "role": "son rôle", "testimony": "Ce qu'elle a dit.",
    },
}


class FolderNotEmpty(Exception):
    pass


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "publication"


def _fill(template: str, **values) -> str:
    return Template((STARTER / template).read_text("utf-8")).substitute(values)


def _commented_labels(language: str) -> str:
    lines = (LABELS / f"{language}.yaml").read_text("utf-8").splitlines()
    return "\n".join(f"#   {line}" for line in lines if not line.startswith("#"))


def new(folder: Path, language: str = "en", count: int = 3) -> list[Path]:
    """Write a publication of `count` sheets into `folder` (new or empty); the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FolderNotEmpty(f"{folder} already exists and is not empty")
    words = WORDS[language]
    slugs = [f"{n:02d}-{words['sheet']}-{n}" for n in range(1, count + 1)]
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    written = [folder / PUBLICATION_FILE]
    name = folder.resolve().name
    written[0].write_text(_fill(
        PUBLICATION_FILE, title=json.dumps(name, ensure_ascii=False),
        subtitle=words["subtitle"], publisher=words["publisher"],
        date=datetime.date.today().isoformat(), language=language, output=slug(name),
        document_type=words["document_type"],
        sheets="\n".join(f"  - {s}" for s in slugs), labels=_commented_labels(language),
    ), "utf-8")
    for n, sheet_name in enumerate(slugs, start=1):
        codes = {"plate": f"p{n}", "bolt": f"b{n}"}  # codes are unique across the sheets
        values = {key: text.format(n=n, **codes) for key, text in words.items()}
        path = folder / f"{sheet_name}.yaml"
        path.write_text(_fill("sheet.yaml", number=n, **{**values, **codes}), "utf-8")
        written.append(path)
    drawing = folder / "figures" / "bracket.svg"
    drawing.write_bytes((STARTER / "figures" / "bracket.svg").read_bytes())
    written.append(drawing)
    return written + write_schemas(folder)
