"""A checker of the machine-checkable conditions of PDF/UA-1 (Matterhorn Protocol) that
apply to these PDFs, on the written file: it walks the structure tree and the content
streams with pikepdf and returns one line per failure.

What it cannot judge, a person must: the reading order of complex pages, and whether a
text alternative describes its drawing well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from transfo_print.tagging import runs

# ISO 32000-1 14.8.4 standard structure types.
STANDARD = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu",
    "WT", "WP", "Figure", "Formula", "Form",
}
HEADING = re.compile(r"^/H([1-6])$")
# Block-level types (ISO 32000-1 14.8.4.2, 14.8.4.3) that a paragraph or heading, itself a
# block of text, does not hold.
BLOCKS = {"Document", "Part", "Art", "Sect", "Div", "BlockQuote", "TOC", "Index", "P", "H",
          "H1", "H2", "H3", "H4", "H5", "H6", "L", "Table"}


@dataclass
class Element:
    """A structure element as read: its type, children, and what a reader hears of it."""

    obj: object
    tag: str
    page: int | None
    kids: list = field(default_factory=list)  # Elements
    mcids: list = field(default_factory=list)  # (page, mcid), in order
    parent: Element | None = None
    content: list = field(default_factory=list)  # kids and (page, mcid), as a reader meets them

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


class Audit:
    """The reading of one PDF: its tree, its marked content; `problems` lists failures."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.pdf = pikepdf.open(path)
        self.problems: list[str] = []
        self.pages = {p.objgen: i for i, p in enumerate(self.pdf.pages)}
        self.runs = [runs(page) for page in self.pdf.pages]
        self.said = {(i, r.mcid): r.said for i, page in enumerate(self.runs) for r in page
                     if r.mcid is not None}
        self.root = self._read_tree()

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.path.name}: {message}")

    # --- reading --------------------------------------------------------------------------

    def _read_tree(self) -> Element | None:
        tree = self.pdf.Root.get("/StructTreeRoot")
        if tree is None:
            self.fail("no structure tree")
            return None
        root = Element(tree, "StructTreeRoot", None)
        self.reached: dict = {}
        self._read(tree, root, None)
        return root

    def _read(self, obj, element: Element, page) -> None:
        kids = obj.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                element.mcids.append((page, int(kid)))
                element.content.append(element.mcids[-1])
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                where = kid.get("/Pg")
                element.mcids.append((self.pages[where.objgen] if where is not None
                                      else page, int(kid.MCID)))
                element.content.append(element.mcids[-1])
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                continue
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if kid.objgen in self.reached:
                    self.fail(f"structure element {kid.objgen} reached twice")
                    continue
                kid_page = self.pages[kid.Pg.objgen] if "/Pg" in kid else page
                child = Element(kid, str(kid.S)[1:], kid_page, parent=element)
                self.reached[kid.objgen] = child
                if kid.get("/P") is None or kid.P.objgen != obj.objgen:
                    self.fail(f"{child.tag} {kid.objgen}: /P is not its parent")
                element.kids.append(child)
                element.content.append(child)
                self._read(kid, child, kid_page)

    def text(self, element: Element) -> str:
        """What a reader hears of an element: its /Alt, /ActualText, or its content."""
        for key in ("/Alt", "/ActualText"):
            if key in element.obj:
                return str(element.obj[key])
        return "".join(self.text(part) if isinstance(part, Element) else self.said.get(part, "")
                       for part in element.content)

    def elements(self, tag: str | None = None) -> list[Element]:
        if self.root is None:
            return []
        return [e for e in self.root.walk() if e is not self.root and tag in (None, e.tag)]

    # --- the conditions -------------------------------------------------------------------

    def check(self) -> list[str]:
        if self.root is None:
            return self.problems
        self.check_document()
        self.check_marked_content()
        self.check_types()
        self.check_articles()
        self.check_headings()
        self.check_paragraphs()
        self.check_lists()
        self.check_tables()
        self.check_split_pieces()
        self.check_figures()
        self.check_captions()
        self.check_links()
        self.check_hyphens()
        return self.problems

    def check_document(self) -> None:
        catalog = self.pdf.Root
        if not catalog.get("/MarkInfo", {}).get("/Marked"):
            self.fail("MarkInfo /Marked is not true (Matterhorn 01-001)")
        if not str(catalog.get("/Lang", "")).strip():
            self.fail("no document language /Lang (Matterhorn 11-006)")
        if not catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
            self.fail("DisplayDocTitle is not true (Matterhorn 07-002)")
        meta = self.pdf.open_metadata()
        title = str(meta.get("dc:title", "")).strip()
        if not title:
            self.fail("no dc:title (Matterhorn 06-003)")
        if str(self.pdf.docinfo.get("/Title", "")) != title:
            self.fail("the Info /Title is not the dc:title")
        if str(meta.get("pdfuaid:part", "")) != "1":
            self.fail("no PDF/UA identification pdfuaid:part=1 (Matterhorn 06-002)")

    def check_marked_content(self) -> None:
        """Every piece of content is tagged or an artifact; every MCID is in the tree once,
        through the ParentTree; no structure element is left out of the tree."""
        tagged = {}
        for element in self.elements():
            for mark in element.mcids:
                if mark in tagged:
                    self.fail(f"MCID {mark} belongs to two structure elements")
                tagged[mark] = element
        parent_tree = _number_tree(self.pdf.Root.StructTreeRoot.get("/ParentTree"))
        for index, page in enumerate(self.pdf.pages):
            shown = set()
            for run in self.runs[index]:
                if run.tag is None:
                    self.fail(f"page {index + 1}: text outside marked content "
                              f"({run.text[:30]!r}) (Matterhorn 01-005)")
                elif run.tag == "/Artifact":
                    continue
                elif run.mcid is None:
                    self.fail(f"page {index + 1}: {run.tag} sequence without MCID, neither "
                              "tagged nor artifact (Matterhorn 01-005)")
                else:
                    shown.add(run.mcid)
                    if (index, run.mcid) not in tagged:
                        self.fail(f"page {index + 1}: MCID {run.mcid} ({run.said[:40]!r}) "
                                  "is not in the structure tree (Matterhorn 01-005)")
            for page_index, mcid in tagged:
                if page_index == index and mcid not in shown:
                    self.fail(f"page {index + 1}: the tree names MCID {mcid}, not in the page")
            entries = parent_tree.get(int(page.get("/StructParents", -1)))
            for mcid in shown:
                entry = entries[mcid] if entries is not None and mcid < len(entries) else None
                owner = self.reached.get(entry.objgen) if isinstance(
                    entry, pikepdf.Dictionary) else None
                if owner is None or (index, mcid) not in owner.mcids:
                    self.fail(f"page {index + 1}: the ParentTree does not lead MCID {mcid} "
                              "to its structure element")
        for obj in self.pdf.objects:
            if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"
                    and obj.objgen not in self.reached):
                self.fail(f"structure element {obj.get('/S')} {obj.objgen} is not in the tree")

    def check_types(self) -> None:
        role_map = self.pdf.Root.StructTreeRoot.get("/RoleMap", {})
        for element in self.elements():
            if element.tag not in STANDARD and f"/{element.tag}" not in role_map:
                self.fail(f"non-standard structure type {element.tag} (Matterhorn 02-001)")

    def check_articles(self) -> None:
        for art in self.elements("Art"):
            h1 = [e for e in art.walk() if e.tag == "H1"]
            if len(h1) != 1:
                self.fail(f"an article has {len(h1)} H1 (one per sheet)")

    def check_headings(self) -> None:
        level = 0
        for element in self.elements():
            found = HEADING.match(f"/{element.tag}")
            if not found:
                continue
            new = int(found[1])
            if new > level + 1:
                self.fail(f"heading H{new} {self.text(element)[:40]!r} follows H{level} "
                          "(Matterhorn 14-003)")
            level = new
            if not self.text(element).strip():
                self.fail(f"empty heading H{new}")

    def check_paragraphs(self) -> None:
        for element in self.elements():
            if element.tag in ("P", "H") or HEADING.match(f"/{element.tag}"):
                inside = sorted({k.tag for k in element.kids} & BLOCKS)
                if inside:
                    self.fail(f"{element.tag} {self.text(element)[:30]!r} holds "
                              f"{', '.join(inside)}: a block of text holds no other block")

    def check_lists(self) -> None:
        allowed = {"L": {"LI", "Caption"}, "LI": {"Lbl", "LBody"}}
        for tag, kinds in allowed.items():
            for element in self.elements(tag):
                wrong = sorted({k.tag for k in element.kids} - kinds)
                if wrong or element.mcids:
                    self.fail(f"{tag} holds {', '.join(wrong) or 'content'} "
                              "(ISO 32000-1 14.8.4.3.3; Matterhorn 02-004)")
                if tag == "LI" and not any(k.tag == "LBody" for k in element.kids):
                    self.fail(f"LI without LBody: {self.text(element)[:40]!r}")
        for tag, parent in (("LI", "L"), ("LBody", "LI"), ("Lbl", "LI")):
            for element in self.elements(tag):
                if element.parent is None or element.parent.tag != parent:
                    self.fail(f"{tag} outside {parent}")

    def check_tables(self) -> None:
        """Header cells a reader can find for each data cell: a TH has a Scope, or the
        cells' /Headers name TH IDs that the IDTree resolves (Matterhorn 15-003); a table
        has one header row group (a header repeated on each page is read once)."""
        tree = self.pdf.Root.StructTreeRoot
        names = tree.IDTree.Names if "/IDTree" in tree else []
        ids = {str(names[i]): names[i + 1].objgen for i in range(0, len(names), 2)}
        headers = {e.obj.objgen for e in self.elements("TH")}
        for th in self.elements("TH"):
            scope = (th.obj.get("/A") or {}).get("/Scope") if isinstance(
                th.obj.get("/A"), pikepdf.Dictionary) else None
            if scope is None:
                self.fail(f"TH {self.text(th)[:30]!r} has no Scope (Matterhorn 15-003)")
        for td in self.elements("TD"):
            attributes = td.obj.get("/A")
            named = attributes.get("/Headers", []) if isinstance(
                attributes, pikepdf.Dictionary) else []
            for name in named:
                if ids.get(str(name)) not in headers:
                    self.fail(f"TD {self.text(td)[:30]!r} names header {str(name)!r}, which "
                              "the IDTree does not resolve to a TH (Matterhorn 15-003)")
        for table in self.elements("Table"):
            if sum(kid.tag == "THead" for kid in table.kids) > 1:
                self.fail(f"a table holds its header row more than once: "
                          f"{self.text(table)[:40]!r}")

    def check_split_pieces(self) -> None:
        """An element split by a page break is one element: no sibling continues the one
        before it on the next page (a section without heading, a list, a paragraph going
        on mid-sentence)."""
        for element in self.elements():
            for before, after in zip(element.kids, element.kids[1:], strict=False):
                if before.tag != after.tag or before.tag not in ("Art", "Sect", "L", "P"):
                    continue
                last, first = _pages(before), _pages(after)
                if not last or not first or max(last) >= min(first):
                    continue  # not across a page break
                first_kid = after.kids[0] if after.kids else None
                while first_kid is not None and first_kid.tag == "Div" and first_kid.kids:
                    first_kid = first_kid.kids[0]  # a heading row: the heading and its meta
                starts_heading = first_kid is not None and HEADING.match(f"/{first_kid.tag}")
                text = self.text(after).lstrip()
                if (before.tag in ("Art", "Sect") and not starts_heading
                        or before.tag == "L"
                        or before.tag == "P" and text[:1].islower()):
                    self.fail(f"{after.tag} {text[:40]!r} continues the {before.tag} before "
                              "it across a page break (one element per piece)")

    def check_figures(self) -> None:
        for figure in self.elements("Figure"):
            alt = str(figure.obj.get("/Alt", "")).strip()
            if not alt:
                self.fail(f"Figure on page {figure.page} without /Alt (Matterhorn 13-004)")
            elif len(alt.split()) < 4 and not re.match(r"https?://", alt):
                # "Fig.cs" is a label, not a description; a QR code is the address it holds
                self.fail(f"Figure /Alt {alt!r} names the figure, it does not describe it")
            bbox = figure.obj.get("/A", {}).get("/BBox")
            page = self.pdf.pages[figure.page] if figure.page is not None else None
            if bbox is None or page is None:
                self.fail("Figure without /BBox")
                continue
            x1, y1, x2, y2 = (float(v) for v in bbox)
            mx1, my1, mx2, my2 = (float(v) for v in page.MediaBox)
            if not (mx1 <= x1 < x2 <= mx2 and my1 <= y1 < y2 <= my2):
                self.fail(f"Figure /BBox {[x1, y1, x2, y2]} is not on its page")
            elif (x2 - x1) * (y2 - y1) > 0.9 * (mx2 - mx1) * (my2 - my1):
                self.fail("a Figure covers the whole page: page furniture tagged as content")

    def check_captions(self) -> None:
        """A Caption is the first or last kid of the Table or L it names, or stands after
        the Figure (or Formula) it names inside a Div that groups the two. ISO 32000-1 gives
        a figure no caption of its own (14.8.4); a Caption inside the Figure goes unheard,
        since the Figure's /Alt stands for all it holds (14.9.3); a NonStruct groups nothing
        for a reader (14.8.4.2), so a Caption in one stands loose."""
        for caption in self.elements("Caption"):
            parent = caption.parent
            at = next(i for i, kid in enumerate(parent.kids) if kid is caption)
            if (parent.tag in ("Table", "L") and at in (0, len(parent.kids) - 1)
                    or parent.tag == "Div" and any(k.tag in ("Figure", "Formula")
                                                   for k in parent.kids[:at])):
                continue
            self.fail(f"Caption {self.text(caption)[:30]!r} in a {parent.tag}, not with what "
                      "it names (ISO 32000-1 14.8.4)")

    def check_links(self) -> None:
        parent_tree = _number_tree(self.pdf.Root.StructTreeRoot.get("/ParentTree"))
        for index, page in enumerate(self.pdf.pages):
            annotations = [a for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
            if annotations and page.get("/Tabs") != "/S":
                self.fail(f"page {index + 1}: /Tabs is not /S (Matterhorn 28-011)")
            boxes = [(_box(a.Rect), str(a.get("/Dest"))) for a in annotations]
            for (a, dest), (b, other) in ((x, y) for x in boxes for y in boxes if x is not y):
                if dest == other and b[0] - 0.5 <= a[0] and b[1] - 0.5 <= a[1] \
                        and a[2] <= b[2] + 0.5 and a[3] <= b[3] + 0.5:
                    self.fail(f"page {index + 1}: a link annotation inside another to the "
                              "same place (two tab stops for one link)")
            for annotation in annotations:
                owner = parent_tree.get(int(annotation.get("/StructParent", -1)))
                element = self.reached.get(owner.objgen) if isinstance(
                    owner, pikepdf.Dictionary) else None
                holds = element is not None and any(
                    isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                    and k.Obj.objgen == annotation.objgen for k in _kids(element.obj))
                if element is None or element.tag != "Link" or not holds:
                    self.fail(f"page {index + 1}: a link annotation is not in a Link "
                              "element (Matterhorn 28-002)")
                description = str(annotation.get("/Contents", "")).strip()
                target = annotation.get("/Dest")
                if not description or description == str(target) or " " not in description:
                    self.fail(f"page {index + 1}: link described as {description!r}, which "
                              "does not say where it goes (Matterhorn 28-004)")

    def check_hyphens(self) -> None:
        for element in self.elements():
            if "/ActualText" in element.obj:
                continue  # what is heard is the /ActualText
            for mark in element.mcids:
                if "\u2010" in self.said.get(mark, ""):
                    self.fail(f"a hyphenation hyphen in the text: {self.said[mark]!r}")

    # --- for the tests --------------------------------------------------------------------

    def tagged_text(self, element: Element | None = None) -> str:
        """All that is tagged, as a reader hears it."""
        return self.text(element or self.root)

    def title(self) -> str:
        return str(self.pdf.open_metadata().get("dc:title", ""))


def _kids(obj) -> list:
    kids = obj.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _box(rect) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _pages(element: Element) -> set[int]:
    return {page for e in element.walk() for page, _ in e.mcids if page is not None}


def _number_tree(node) -> dict:
    found = {}
    if node is None:
        return found
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums), 2):
            found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        found.update(_number_tree(kid))
    return found


def audit(path: Path) -> list[str]:
    """Every failure of `path` against the checked conditions; empty when it passes."""
    return Audit(path).check()
