"""Repairs to the tagged PDFs (PDF/UA-1) that WeasyPrint writes, made on the written file
with pikepdf.

WeasyPrint tags the boxes of each page as it lays them out. What it cannot do, and what is
repaired here (the engine issue each repair works around is named where it is made):

- page furniture (the frame, the band, the title block, the "continued" line, crop marks)
  is tagged as content, or as structure elements left out of the tree: it becomes
  pagination artifacts (WeasyPrint ignores aria-hidden, weasyprint#2550, and tags the
  content of margin boxes without putting it in the tree, weasyprint#1836);
- an element split by a page break gives one structure element per page (one article per
  page, a list restarting on the next page), and one split by a column break one per
  column (a paragraph in two, a hyphenated word in halves): the pieces are merged
  (weasyprint#2902, weasyprint#2903);
- list items get their body inside LBody, as ISO 32000-1 14.8.4.3.3 has it;
- an element the markup gives a `data-pdf-tag` is tagged so, where the HTML element the
  engine would tag it by cannot be used without changing the page (the challenges, a
  list of boxes in columns, are paragraphs; a `<ul>` moves them and tags each column a
  list of its own);
- figure bounding boxes are in CSS pixels from the top-left corner: they are put in PDF
  user space (no upstream issue found for WeasyPrint 70);
- a link with nested elements gets a second annotation, in a Span (weasyprint#185), and
  each link's description is the target's id: each link is one Link element, one
  annotation (one tab stop) per line, saying where it leads;
- hyphenation writes the hyphen into the text and line ends carry no space: each line end
  gets an /ActualText with the word whole, or a space (no upstream issue found).

What the layout engine knows and the file does not (which element is furniture, which
piece continues which) is read from the laid-out document before the file is repaired.
Furniture is a child of <body> with a class of FURNITURE_CLASSES or aria-hidden="true", or
the content of a page-margin box; each sheet is one <article>; `data-pdf-tag="L"` (or LI,
Lbl, H1…) on an element tags it so.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

# Classes of the elements of the page furniture: drawn on every page, never read.
FURNITURE_CLASSES = frozenset({"frame", "band", "title-block", "crop-marks"})
HYPHEN = "\u2010"  # what the layout engine sets at a hyphenated line end


# --- what the laid-out document knows ---------------------------------------------------


@dataclass
class Piece:
    """One top-level structure element of a page, as the layout engine made it."""

    element: object  # the HTML element it comes from
    furniture: bool
    first: list = field(default_factory=list)  # HTML elements down the left edge of its boxes
    last: list = field(default_factory=list)  # and down the right edge
    box: object = None  # its laid-out box


def _is_furniture(element) -> bool:
    if element is None:
        return False
    classes = set((element.get("class") or "").split())
    return bool(classes & FURNITURE_CLASSES) or element.get("aria-hidden") == "true"


def _children(box):
    """A box's children as the tagger walks them: line boxes opened, placeholders unwrapped."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if not isinstance(box, boxes.ParentBox):
        return []
    kids = []
    for child in box.children:
        for kid in child.children if isinstance(child, boxes.LineBox) else [child]:
            kids.append(kid._box if isinstance(kid, AbsolutePlaceholder) else kid)
    return kids


def _edge(box, index: int) -> list:
    chain = []
    while box is not None:
        chain.append(box.element)
        kids = _children(box)
        box = kids[index] if kids else None
    return chain


def _top_level(box):
    """The boxes that become the top-level structure elements of a page (as the tagger
    does it: page, html and body boxes are passed through, margin boxes left out)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.PageBox) or box.element_tag in ("html", "body"):
        if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
            for child in box.children:
                yield from _top_level(child)
            return
    yield box


def pieces(document) -> list[list[Piece]]:
    """For each page, its top-level structure elements as the layout made them."""
    return [[Piece(box.element, _is_furniture(box.element), _edge(box, 0), _edge(box, -1), box)
             for box in _top_level(page._page_box)] for page in document.pages]


def foreign_texts(document, language: str) -> list[dict[str, str]]:
    """For each page, the texts set in another language than the document's (an element's
    `lang` attribute), with their language: {text: language}."""
    from weasyprint.formatting_structure import boxes

    found = []

    def walk(box, texts):
        if isinstance(box, boxes.TextBox):
            lang = (box.style["lang"] or "").lower()
            if lang and lang.split("-")[0] != language.lower().split("-")[0]:
                texts[" ".join(box.text.split())] = lang
        for child in getattr(box, "children", ()):
            walk(child, texts)

    for page in document.pages:
        texts: dict[str, str] = {}
        walk(page._page_box, texts)
        found.append(texts)
    return found


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def link_targets(document) -> dict[str, str]:
    """For each element id, words saying what is there: its heading, after the heading of
    the article it belongs to ("Poser un cadre expérimental — L’hypothèse")."""
    roots = []
    for page in document.pages:
        for box in page._page_box.children:
            if box.element is not None and box.element_tag == "html" and not any(
                    box.element is r for r in roots):
                roots.append(box.element)
    targets = {}
    for root in roots:
        parents = {child: parent for parent in root.iter() for child in parent}
        title = root.find(".//title")
        document = _text(title).strip() if title is not None else ""
        for element in root.iter():
            anchor = element.get("id")
            if not anchor:
                continue
            words = _heading(element)
            ancestor = parents.get(element)
            while ancestor is not None:
                if ancestor.tag in ("article", "section") and _heading(ancestor):
                    if _heading(ancestor) != words:
                        words = f"{_heading(ancestor)} — {words}" if words else _heading(
                            ancestor)
                    break
                ancestor = parents.get(ancestor)
            else:
                # a part of the front or back matter: say whose it is ("Colophon — La Transfo")
                if words and document and document != words:
                    words = f"{words} — {document}"
            targets[anchor] = words or _text(element)[:80]
    return targets


def _heading(element) -> str:
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        found = element if element.tag == tag else element.find(f".//{tag}")
        if found is not None:
            # The bookmark label is the heading's words alone, without what it is set with.
            return found.get("data-bookmark") or _text(found)
    return ""


# --- the structure tree ------------------------------------------------------------------


def _is_element(obj) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _set_kids(element, kids: list) -> None:
    import pikepdf

    element.K = pikepdf.Array(kids)
    for kid in kids:
        if _is_element(kid):
            kid.P = element


def _with_page(kids: list, page) -> list:
    """Marked-content ids of `page` as references that keep their page when moved."""
    import pikepdf

    if page is None:
        return kids
    return [pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=k)
            if isinstance(k, int) else k for k in kids]


def _merge(a, b, last: list, first: list, depth: int) -> None:
    """Make `b`, the continuation of `a` on a later page, part of `a` (weasyprint#2902).

    Their edge children are merged in turn when they too are one HTML element split by the
    page break. A table's header row, repeated at the top of the continuation, is heard
    once: the repeat leaves the tree (its marked content becomes an artifact, `repair`).
    """
    a_kids = _with_page(_kids(a), a.get("/Pg"))
    b_kids = _with_page(_kids(b), b.get("/Pg"))
    if a.S == "/Table":
        b_kids = _without_repeated_head(a_kids, b_kids)
    if (depth + 1 < min(len(last), len(first)) and last[depth + 1] is not None
            and last[depth + 1] is first[depth + 1] and a_kids and b_kids
            and _is_element(a_kids[-1]) and _is_element(b_kids[0])
            and a_kids[-1].S == b_kids[0].S):
        _merge(a_kids[-1], b_kids[0], last, first, depth + 1)
        b_kids = b_kids[1:]
    _set_kids(a, a_kids + b_kids)


def _cells(element, kind: str) -> list:
    return [e for e in _walk(element) if e.S == kind]


def _without_repeated_head(a_kids: list, b_kids: list) -> list:
    """`b_kids` without the header row the engine repeats on each page a table runs onto;
    its cells' /Headers then name the first header's cells (column by column)."""
    heads = [k for k in a_kids if _is_element(k) and k.S == "/THead"]
    repeats = [k for k in b_kids if _is_element(k) and k.S == "/THead"]
    if not heads or not repeats:
        return b_kids
    renamed = {}
    for repeat in repeats:
        renamed.update(zip((str(th.get("/ID")) for th in _cells(repeat, "/TH")),
                           (th.get("/ID") for th in _cells(heads[0], "/TH")), strict=False))
    kept = [k for k in b_kids if not (_is_element(k) and k.S == "/THead")]
    for kid in kept:
        for cell in _cells(kid, "/TD") if _is_element(kid) else []:
            attributes = cell.get("/A")
            if attributes is not None and "/Headers" in attributes:
                attributes.Headers = [renamed.get(str(h), h) for h in attributes.Headers]
    return kept


def _fix_tables(pdf, tree, top) -> None:
    """Header cells a reader can find: each TH's scope, and the IDTree by which its cells'
    /Headers name it (the engine writes the IDs, not the tree; Matterhorn 15-003)."""
    import pikepdf

    ids = {}
    for element in _walk(top):
        if element.S != "/TH":
            continue
        attributes = element.get("/A")
        if isinstance(attributes, pikepdf.Dictionary) and "/Scope" not in attributes:
            attributes.Scope = pikepdf.Name.Column  # the headers are a table's top row
        if "/ID" in element:
            ids[bytes(element.ID)] = element
    if ids:
        tree.IDTree = pdf.make_indirect(name_tree(ids))


def name_tree(entries: dict):
    """A name tree of one node (ISO 32000-1 7.9.6): `entries`' keys (all str or all bytes)
    in order, each with its value."""
    import pikepdf

    names = pikepdf.Array()
    for key in sorted(entries):
        names.extend([pikepdf.String(key), entries[key]])
    return pikepdf.Dictionary(Names=names)


def _repair_inside(box, element, tags: dict) -> None:
    """Within one page's piece of the text, walking its boxes and elements together.

    The columns of a multi-column box as one element (weasyprint#2902
    again: the tagger makes a Div of each column box, so a paragraph that runs on into the
    next column is two paragraphs, a word hyphenated at a column's foot two halves). The
    columns are merged into the first, an element split across them into one, as `_merge`
    does across pages. And an element inside the text that is aria-hidden (a sign such as
    the challenges' ☛) leaves the tree, as the furniture does (weasyprint#2550).

    The tag each element's `data-pdf-tag` asks for is noted in `tags`, by structure
    element, for `_retag` (on the element's own box: not on the anonymous boxes, such as
    column boxes, that it makes inside itself).

    The structure elements follow the boxes one for one here; where the tagger made an
    element otherwise (a list item's body, a table), its kids are left as they are."""
    from weasyprint.pdf.tags import _get_pdf_tag

    boxes, kids = _children(box), _kids(element)
    if len(boxes) != len(kids):
        return
    columns, dropped = [], set()
    for child, kid in zip(boxes, kids, strict=True):
        if not _is_element(kid) or kid.S != f"/{_get_pdf_tag(child.element_tag)}":
            continue
        if _is_furniture(child.element) and child.element is not box.element:
            dropped.add(kid.objgen)  # a sign beside the text, aria-hidden: an artifact
            continue
        tag = child.element.get("data-pdf-tag") if child.element is not None else None
        if tag and child.element is not box.element:
            tags[kid.objgen] = tag
        _repair_inside(child, kid, tags)
        if getattr(child, "is_column", False):
            columns.append((child, kid))
    if len(columns) > 1:
        (previous, first) = columns[0]
        for column, kid in columns[1:]:
            _merge(first, kid, _edge(previous, -1), _edge(column, 0), 0)
            dropped.add(kid.objgen)
            previous = column
    if dropped:
        _set_kids(element, [k for k in kids if not (_is_element(k) and k.objgen in dropped)])


def _retag(element, tags: dict) -> None:
    """Each element noted in `tags` (`_repair_inside`) given its tag, its kids first.

    A list (L) takes its items out of the Divs of its column boxes; a list item (LI) has
    its label (Lbl) first, then what it says, which `_fix_lists` puts in its LBody.

    And a paragraph is one P: the tagger makes one of each box a `display: table`
    paragraph lays out (wrapper, table, rows), each in the one before, and one of a flex
    box inside it (a contents title that wraps, hanging from its label); what such a P
    holds goes into the P around it (no upstream issue found for WeasyPrint 70)."""
    import pikepdf

    kids = _kids(element)
    for kid in kids:
        if _is_element(kid):
            _retag(kid, tags)
    if element.S == "/P" and any(_is_element(kid) and kid.S == "/P" for kid in kids):
        kids = [inner for kid in kids for inner in (
            _with_page(_kids(kid), kid.get("/Pg")) if _is_element(kid) and kid.S == "/P"
            else [kid])]
        _set_kids(element, kids)
    tag = tags.get(element.objgen)
    if tag is None:
        return
    element.S = pikepdf.Name(f"/{tag}")
    if tag == "L":
        items = []
        for kid in kids:
            items += (_with_page(_kids(kid), kid.get("/Pg"))
                      if _is_element(kid) and kid.S == "/Div" else [kid])
        _set_kids(element, items)
    elif tag == "LI":
        labels = [k for k in kids if _is_element(k) and k.S == "/Lbl"]
        _set_kids(element, labels + [k for k in kids if not (_is_element(k) and k.S == "/Lbl")])


def _fix_lists(pdf, element) -> None:
    """Lists as ISO 32000-1 has them: L holds LI; LI holds Lbl and LBody; what the item
    says (paragraphs, nested lists) is inside its LBody."""
    import pikepdf

    kids = _kids(element)
    for kid in kids:
        if _is_element(kid):
            _fix_lists(pdf, kid)
    if element.S == "/L":
        items = []
        for kid in kids:
            if (_is_element(kid) and kid.S == "/L" and items and _is_element(items[-1])
                    and items[-1].S == "/LI"):
                _body(items[-1]).K.append(kid)  # a nested list belongs to its item
                kid.P = _body(items[-1])
            else:
                items.append(kid)
        _set_kids(element, items)
    elif element.S == "/LI":
        labels = [k for k in kids if _is_element(k) and k.S == "/Lbl"]
        rest = [k for k in kids if not (_is_element(k) and k.S == "/Lbl")]
        bodies = [k for k in rest if _is_element(k) and k.S == "/LBody"]
        if len(bodies) == 1 and len(rest) == 1:
            return
        body = bodies[0] if bodies else pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, K=pikepdf.Array()))
        inside = []
        for kid in rest:
            if _is_element(kid) and kid.S == "/LBody":
                inside += _with_page(_kids(kid), kid.get("/Pg"))
            else:
                inside.append(kid)
        if "/Pg" in element:
            body.Pg = element.Pg
        inside = _with_page(inside, element.get("/Pg"))
        _set_kids(body, inside)
        _set_kids(element, labels + [body])


def _body(item):
    for kid in _kids(item):
        if _is_element(kid) and kid.S == "/LBody":
            return kid
    raise ValueError("list item without a body")


def _walk(element):
    yield element
    for kid in _kids(element):
        if _is_element(kid):
            yield from _walk(kid)


# --- content streams ----------------------------------------------------------------------


def _unicode_map(font) -> dict[int, str]:
    """Character codes to text, from a font's ToUnicode CMap (bfchar and bfrange)."""
    if "/ToUnicode" not in font:
        return {}
    data = font.ToUnicode.read_bytes().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, text in re.findall(
                r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(text, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


@dataclass
class Run:
    """A marked-content sequence of a page: its tag, MCID, text and text position."""

    tag: str
    mcid: int | None
    text: str = ""
    y: float | None = None
    size: float = 0.0
    actual: str | None = None  # its /ActualText, if it has one

    @property
    def said(self) -> str:
        """What a screen reader says for it."""
        return self.text if self.actual is None else self.actual


def runs(page) -> list[Run]:
    """The marked-content sequences of a page's content stream, outermost first, in order;
    text shown outside any sequence is a run with tag None."""
    import pikepdf

    fonts = page.Resources.get("/Font", {})
    maps: dict = {}
    found: list[Run] = []
    stack: list[Run] = []
    loose = Run(None, None)
    codes, size = {}, 0.0
    for operands, operator in pikepdf.parse_content_stream(page, "BDC BMC EMC Tf Tm Tj TJ ' \""):
        op = str(operator)
        if op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" and len(operands) > 1 else {}
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            run = Run(str(operands[0]), None if mcid is None else int(mcid))
            if isinstance(props, pikepdf.Dictionary) and "/ActualText" in props:
                run.actual = str(props.ActualText)
            if not stack:
                found.append(run)
            stack.append(run)
        elif op == "EMC" and stack:
            stack.pop()
        elif op == "Tf":
            name = operands[0]
            if name not in maps:
                maps[name] = _unicode_map(fonts[name]) if name in fonts else {}
            codes, size = maps[name], float(operands[1])
        elif op == "Tm":
            (stack[-1] if stack else loose).y = float(operands[5])
        elif op in ("Tj", "TJ", "'", '"'):
            shown = operands[-1]
            strings = [s for s in shown if isinstance(s, pikepdf.String)] if op == "TJ" \
                else [shown]
            raw = b"".join(bytes(s) for s in strings)
            text = "".join(codes.get(int.from_bytes(raw[i:i + 2], "big"), "")
                           for i in range(0, len(raw) - 1, 2))
            target = stack[0] if stack else None
            if target is None:
                found.append(Run(None, None, text))
            else:
                target.text += text
                target.size = max(target.size, size)
                if target.y is None and stack[-1].y is not None:
                    target.y = stack[-1].y
    return found


def _actual_texts(page_runs: list[Run]) -> dict[int, str]:
    """/ActualText for the line ends of a page: a hyphenated word whole, and a space
    between the last word of a line and the first of the next (none after a hyphen or a
    slash typed in the text, where a compound word or an address was broken). And for the
    space between two inline elements ("*agents* *publics*"), which the engine marks as
    a Span but draws as nothing."""
    actual, before = {}, ""
    for run in page_runs:
        if run.tag == "/Span" and run.mcid is not None and not run.text and before \
                and not before[-1].isspace():
            actual[run.mcid] = " "
        before = run.text or before
    texts = [r for r in page_runs if r.mcid is not None and r.text and r.y is not None]
    for index, run in enumerate(texts):
        following = texts[index + 1] if index + 1 < len(texts) else None
        next_line = following is None or abs(following.y - run.y) > 0.6 * max(run.size, 1)
        if not next_line:
            continue
        if run.text.endswith(HYPHEN):
            actual[run.mcid] = run.text[:-1]
        elif not run.text[-1].isspace() and run.text[-1] not in "-/":
            actual[run.mcid] = run.text + " "
    return actual


_TAGGED = re.compile(rb"/(\w+)\s*<</MCID (\d+)>>\s*BDC")


def _rewrite(page, artifacts: set[int]) -> None:
    """Marked content of furniture as pagination artifacts.

    The content stream is edited as bytes: WeasyPrint writes each tagged sequence as
    `/Tag <</MCID n>> BDC`, and parsing every operator of a page costs seconds.
    """
    artifact = b"/Artifact <</Type /Pagination>> BDC"

    def replace(found: re.Match) -> bytes:
        return artifact if int(found[2]) in artifacts else found[0]

    page.contents_coalesce()
    page.Contents.write(_TAGGED.sub(replace, page.Contents.read_bytes()))


# --- the repair -------------------------------------------------------------------------


def repair(data: bytes, document, title: str | None = None,
           elsewhere: dict[str, str] | None = None) -> bytes:
    """The tagged PDF `data`, written by WeasyPrint from `document`, repaired.

    `elsewhere` describes the ids its links lead to in other documents of the booklet
    (the contents page leads into the sheets), as `link_targets` gives them."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    tree = pdf.Root.StructTreeRoot
    top = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
    laid_out = [piece for page in pieces(document) for piece in page]
    kids = _kids(top)
    if len(kids) != len(laid_out):
        raise RuntimeError(f"the structure tree has {len(kids)} top-level elements, "
                           f"the layout {len(laid_out)}: cannot repair its tags")
    old_parents = _parent_entries(tree)

    # Furniture out of the tree; pieces of one element split by columns, then by pages,
    # back into one.
    kept, previous, tags = [], None, {}
    for piece, kid in zip(laid_out, kids, strict=True):
        if piece.furniture:
            continue
        _repair_inside(piece.box, kid, tags)
        if previous is not None and piece.element is previous[0].element:
            _merge(previous[1], kid, previous[0].last, piece.first, 0)
            previous = (piece, previous[1])
            continue
        kept.append(kid)
        previous = (piece, kid)
    _set_kids(top, kept)
    _retag(top, tags)
    _fix_lists(pdf, top)
    _fix_tables(pdf, tree, top)

    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    _fix_figures(pdf, top, pages)
    _fix_links(pdf, top, old_parents, {**(elsewhere or {}), **link_targets(document)})
    # What a listener hears of some marked content: its language, its words whole.
    # Set on the structure element (not in the content stream), so that text extraction
    # still sees the hyphen that joins the two halves of a word.
    marked = {mark for mark, _, _ in _marks(top, pages)}
    foreign = foreign_texts(document, str(pdf.Root.get("/Lang", "")))
    all_runs = [runs(page) for page in pdf.pages]
    wanted: dict[tuple[int, int], dict] = {}
    for index, page_runs in enumerate(all_runs):
        page_runs = [r for r in page_runs if (index, r.mcid) in marked]
        for run in page_runs:
            lang = foreign[index].get(" ".join(run.text.split()))
            if lang:
                wanted.setdefault((index, run.mcid), {})["/Lang"] = lang
        for mcid, text in _actual_texts(page_runs).items():
            wanted.setdefault((index, mcid), {})["/ActualText"] = text
    _annotate(pdf, top, pages, wanted)
    marked_by_page = _rebuild_parent_tree(pdf, tree, top, pages)
    for index, page in enumerate(pdf.pages):
        shown = {r.mcid for r in all_runs[index] if r.mcid is not None}
        _rewrite(page, shown - marked_by_page.get(index, set()))
    if title:
        _set_title(pdf, title)
    out = io.BytesIO()
    # The engine writes uncompressed (Renderer.write): compressed once, here.
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _parent_entries(tree) -> dict[int, object]:
    """The ParentTree as WeasyPrint writes it (a flat /Nums array)."""
    nums = tree.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _fix_figures(pdf, top, pages) -> None:
    """Figure /BBox from CSS pixels, top-left origin, to PDF user space."""
    import pikepdf

    for element in _walk(top):
        if element.S != "/Figure" or "/A" not in element or "/BBox" not in element.A:
            continue
        page = element.get("/Pg")
        height = float(page.MediaBox[3]) if page is not None else 0
        x1, y1, x2, y2 = (float(v) * 0.75 for v in element.A.BBox)  # CSS px to points
        element.A.BBox = pikepdf.Array([round(x1, 3), round(height - y2, 3),
                                        round(x2, 3), round(height - y1, 3)])


def _fix_links(pdf, top, old_parents: dict, targets: dict[str, str]) -> None:
    """Each link annotation in a Link element, described by where it leads."""
    import pikepdf

    parents = {e.objgen: e for e in _walk(top)}
    for page in pdf.pages:
        dropped = set()
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            destination = annotation.get("/Dest")
            if destination is None and "/A" in annotation:
                destination = annotation.A.get("/D") or annotation.A.get("/URI")
            name = str(destination) if isinstance(destination, pikepdf.String) else ""
            annotation.Contents = pikepdf.String(targets.get(name, name))
            owner = old_parents.get(int(annotation.get("/StructParent", -1)))
            if owner is None or owner.objgen not in parents:
                continue
            if owner.S == "/Link" and _is_element(_link_above(owner)):
                # A link laid out as a flex box (a contents title that wraps) hands its
                # link to the anonymous box around its text: a Link in the Link. What it
                # holds goes into the element around it.
                link, siblings = _link_above(owner), _kids(owner.P)
                at = next(i for i, k in enumerate(siblings) if k.objgen == owner.objgen)
                _set_kids(owner.P, siblings[:at] + _with_page(_kids(owner), owner.get("/Pg"))
                          + siblings[at + 1:])
                owner = owner.P
            elif owner.S != "/Link":
                # A link whose text is in a nested span hands an annotation to the span
                # (weasyprint#185); the Link element is the nearest one above it.
                link = _link_above(owner)
                if not _is_element(link):
                    owner.S = pikepdf.Name.Link
                    continue
            else:
                continue
            reference = [k for k in _kids(owner) if _refers_to(k, annotation)]
            _set_kids(owner, [k for k in _kids(owner) if not _refers_to(k, annotation)])
            if any(_within(annotation, k.Obj) for k in _kids(link) if _refers_to(k, None)):
                dropped.add(annotation.objgen)  # the link's own area holds it: one tab stop
                continue
            link.K.append(reference[0] if reference else pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page)))
        if dropped:
            page.Annots = pikepdf.Array(
                [a for a in page.Annots if a.objgen not in dropped])


def _link_above(element):
    """The nearest Link element above `element`, if any."""
    above = element.get("/P")
    while _is_element(above) and above.S != "/Link":
        above = above.get("/P")
    return above


def _within(inner, outer) -> bool:
    """Whether annotation `inner` lies inside `outer` and leads to the same place."""
    if inner.objgen == outer.objgen or inner.get("/Dest") != outer.get("/Dest"):
        return False
    a, b = _box(inner.Rect), _box(outer.Rect)
    return (b[0] - 0.5 <= a[0] and b[1] - 0.5 <= a[1] and a[2] <= b[2] + 0.5
            and a[3] <= b[3] + 0.5)


def _box(rect) -> tuple[float, float, float, float]:
    """A rectangle as left, bottom, right, top (WeasyPrint writes top before bottom)."""
    x1, y1, x2, y2 = (float(v) for v in rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _marks(top, pages):
    """(page index, MCID), position among the kids, element: each marked-content
    reference of the tree."""
    import pikepdf

    for element in list(_walk(top)):
        page = element.get("/Pg")
        for position, kid in enumerate(_kids(element)):
            if isinstance(kid, int) and page is not None:
                yield (pages[page.objgen], kid), position, element
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                yield (pages[kid.get("/Pg", page).objgen], int(kid.MCID)), position, element


def _annotate(pdf, top, pages, wanted: dict[tuple[int, int], dict]) -> None:
    """Set properties (/Lang, /ActualText) on the Span holding each marked content, or on
    a new Span around it. WeasyPrint writes only the document's language (Matterhorn
    11-001 asks for each change of language)."""
    import pikepdf

    for mark, position, element in list(_marks(top, pages)):
        if mark not in wanted:
            continue
        properties = {key: pikepdf.String(value) for key, value in wanted[mark].items()}
        if element.S == "/Span" and len(_kids(element)) == 1:
            for key, value in properties.items():
                element[key] = value
            continue
        kid = element.K[position]
        span = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Span, P=element,
            K=pikepdf.Array([kid]), **{k[1:]: v for k, v in properties.items()}))
        if isinstance(kid, int):
            span.Pg = element.Pg
        element.K[position] = span


def _refers_to(kid, annotation) -> bool:
    """Whether `kid` is an object reference to `annotation` (to any annotation: None)."""
    import pikepdf

    return (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
            and (annotation is None or kid.Obj.objgen == annotation.objgen))


def _rebuild_parent_tree(pdf, tree, top, pages) -> dict[int, set[int]]:
    """The ParentTree anew from the tree as it now is; the MCIDs it holds, by page."""
    import pikepdf

    by_page: dict[int, dict[int, object]] = {}
    annotations: list[tuple[object, object]] = []
    for element in _walk(top):
        page = element.get("/Pg")
        for kid in _kids(element):
            if isinstance(kid, int):
                by_page.setdefault(pages[page.objgen], {})[kid] = element
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                kid_page = kid.get("/Pg", page)
                by_page.setdefault(pages[kid_page.objgen], {})[int(kid.MCID)] = element
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                annotations.append((kid.Obj, element))
    nums = pikepdf.Array()
    for index, page in enumerate(pdf.pages):
        page.StructParents = index
        entries = by_page.get(index, {})
        array = pikepdf.Array([entries.get(m) for m in range(max(entries, default=-1) + 1)])
        nums.extend([index, pdf.make_indirect(array)])
    key = len(pdf.pages)
    for annotation, element in annotations:
        annotation.StructParent = key
        nums.extend([key, element])
        key += 1
    tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree.ParentTreeNextKey = key
    return {index: set(entries) for index, entries in by_page.items()}


def _set_title(pdf, title: str) -> None:
    import pikepdf

    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
    pdf.docinfo["/Title"] = pikepdf.String(title)
