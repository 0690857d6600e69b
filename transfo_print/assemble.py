"""The booklet put together from finished PDFs, with pikepdf: the front matter, each sheet
as its own process wrote it, the back matter.

The parts are independent files; the booklet must still read as one document:

- one structure tree: the Document element of the first part holds the top-level elements
  of every part (one Art per sheet), each part's ParentTree keys are moved past those of
  the parts before it (the pages' /StructParents and the annotations' /StructParent with
  them), and the role maps are joined;
- one outline: each part's bookmarks, in order, pointing at the booklet's pages;
- one name tree of destinations, which the links (`/Dest (name)`, as WeasyPrint writes
  them) resolve against: a name is taken from the part that holds it, never from a part
  that only links to it (`Part.borrowed`);
- the booklet's page labels;
- for the print shop, blank pages that make the page count a multiple of four, before the
  back cover (`blank_page`);
- the rest of the catalog (language, MarkInfo, viewer preferences, XMP metadata and title,
  the press's output intent) from the first part, which was written as the others were;
- one subset per font: the parts' subsets of a face are joined into one (`join_fonts`),
  so the booklet is about the size of one document laid out whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .booklet import LabelRange, blank_pages, with_blank_pages


@dataclass(frozen=True)
class Part:
    """A finished PDF that goes into the booklet."""

    path: Path
    # Names this part links to but does not hold: its destinations for them are stand-ins.
    borrowed: frozenset[str] = field(default_factory=frozenset)


def _destinations(pdf) -> list[tuple[str, object]]:
    """(name, explicit destination) of the part's /Names /Dests tree."""
    names = pdf.Root.get("/Names", {}).get("/Dests")
    found = []

    def walk(node):
        pairs = node.get("/Names")
        if pairs is not None:
            found.extend((str(pairs[i]), pairs[i + 1]) for i in range(0, len(pairs), 2))
        for kid in node.get("/Kids", []):
            walk(kid)

    if names is not None:
        walk(names)
    return found


def _outline(item, into: list) -> None:
    """The outline items from `item` on (following /Next) as (title, dest, closed, kids)."""
    while item is not None:
        kids: list = []
        _outline(item.get("/First"), kids)
        into.append((item.Title, item.get("/Dest"), int(item.get("/Count", 0)) < 0, kids))
        item = item.get("/Next")


def _write_outline(pdf, items: list, parent) -> int:
    """Outline dictionaries for `items` under `parent`; the number of visible items."""
    import pikepdf

    made = []
    visible = 0
    for title, dest, closed, kids in items:
        entry = pdf.make_indirect(pikepdf.Dictionary(Title=title, Parent=parent))
        if dest is not None:
            entry.Dest = dest
        shown = _write_outline(pdf, kids, entry)
        if kids:
            entry.Count = -shown if closed else shown
        visible += 1 + (0 if closed else shown)
        if made:
            entry.Prev = made[-1]
            made[-1].Next = entry
        made.append(entry)
    if made:
        parent.First, parent.Last = made[0], made[-1]
    return visible


def _top(tree):
    import pikepdf

    return tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K


def _nums(tree) -> list:
    """The ParentTree of a part, flat, as tagging.py rebuilt it."""
    return list(tree.ParentTree.Nums)


def _ids(tree) -> dict:
    """The structure elements of a structure tree's IDTree (one node), by ID."""
    names = tree.IDTree.Names if "/IDTree" in tree else []
    return {bytes(names[index]): names[index + 1] for index in range(0, len(names), 2)}


def assemble(parts: list[Part], labels: list[LabelRange],
             blank_page: Callable | None = None) -> bytes:
    """The booklet made of `parts`, in order, labelled with `labels`; with
    `blank_page(pdf, like)`, which makes a blank page of the size and boxes of the page
    `like`, padded with such pages to a multiple of four (`booklet.blank_pages`).

    The same parts give the same bytes."""
    import io

    import pikepdf

    from .tagging import name_tree

    booklet = pikepdf.open(parts[0].path)
    opened = [booklet] + [pikepdf.open(part.path) for part in parts[1:]]
    tree = booklet.Root.get("/StructTreeRoot")
    document = _top(tree) if tree is not None else None
    nums = _nums(tree) if tree is not None else []
    next_key = int(tree.ParentTreeNextKey) if tree is not None else 0
    ids = _ids(tree) if tree is not None else {}  # the header cells' IDs (tagging._fix_tables)
    outline: list = []
    destinations: dict[str, object] = {}
    for part, pdf in zip(parts, opened, strict=True):
        first = len(booklet.pages) if pdf is not booklet else 0
        if pdf is not booklet:
            booklet.pages.extend(pdf.pages)
        page_of = {page.objgen: booklet.pages[first + index].obj
                   for index, page in enumerate(pdf.pages)}

        def moved(dest, page_of=page_of):
            if not isinstance(dest, pikepdf.Array) or not len(dest):
                return dest
            return pikepdf.Array([page_of[dest[0].objgen], *list(dest)[1:]])

        for name, dest in _destinations(pdf):
            if name not in part.borrowed and name not in destinations:
                destinations[name] = moved(dest)
        if "/Outlines" in pdf.Root:
            items: list = []
            _outline(pdf.Root.Outlines.get("/First"), items)

            def remap(items, moved=moved):
                return [(t, moved(d), c, remap(k)) for t, d, c, k in items]

            outline += remap(items)
        if pdf is booklet or tree is None:
            continue
        # Its structure: the keys of its ParentTree after those of the parts before it.
        theirs = pdf.Root.StructTreeRoot
        top = booklet.copy_foreign(_top(theirs))
        for kid in list(top.get("/K", [])):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                document.K.append(kid)
                kid.P = document
        their_nums = booklet.copy_foreign(theirs.ParentTree).Nums
        for index in range(0, len(their_nums), 2):
            nums += [int(their_nums[index]) + next_key, their_nums[index + 1]]
        for page in booklet.pages[first:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + next_key
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + next_key
        for key in ("/RoleMap", "/ClassMap"):
            if key in theirs:
                if key not in tree:
                    tree[key] = pikepdf.Dictionary()
                for name, value in theirs[key].items():
                    tree[key][name] = booklet.copy_foreign(value) if isinstance(
                        value, pikepdf.Dictionary) and value.is_indirect else value
        next_key += int(theirs.ParentTreeNextKey)
        if "/IDTree" in theirs:
            ids.update(_ids(pikepdf.Dictionary(IDTree=booklet.copy_foreign(theirs.IDTree))))
    if tree is not None:
        tree.ParentTree = booklet.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
        tree.ParentTreeNextKey = next_key
        if ids:
            tree.IDTree = booklet.make_indirect(name_tree(ids))

    if blank_page is not None:
        where, count = blank_pages(len(booklet.pages))
        for _ in range(count):
            booklet.pages.insert(where, blank_page(booklet, booklet.pages[-1].obj))
        labels = with_blank_pages(labels, where, count)
    root = booklet.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    root.Count = _write_outline(booklet, outline, root)
    booklet.Root.Outlines = root
    booklet.Root.Names = pikepdf.Dictionary(Dests=name_tree(destinations))
    booklet.Root.PageLabels = page_labels(labels)
    join_fonts(booklet)
    out = io.BytesIO()
    # Saved before the parts are closed: copied streams are read from them while saving.
    booklet.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for pdf in opened:
        pdf.close()
    return out.getvalue()


def page_labels(labels: list[LabelRange]):
    import pikepdf

    numbers = pikepdf.Array()
    for r in labels:
        label = pikepdf.Dictionary(St=r.start)
        if r.style:
            label.S = pikepdf.Name(r.style)
        if r.prefix:
            label.P = pikepdf.String(r.prefix)
        numbers.extend([r.first, label])
    return pikepdf.Dictionary(Nums=numbers)


# --- one subset per font ------------------------------------------------------------------
#
# Each part embeds a subset of each font it uses. WeasyPrint subsets keeping the glyph ids
# of the font (retain-gids, CIDToGIDMap /Identity), so the subsets of one face agree glyph
# for glyph: they are joined into one, which every part's text then uses.


def _widths(array) -> dict[int, float]:
    """A CIDFont's /W array as {cid: width}."""
    import pikepdf

    widths: dict[int, float] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            for offset, width in enumerate(items[index + 1]):
                widths[first + offset] = float(width)
            index += 2
        else:
            for cid in range(first, int(items[index + 1]) + 1):
                widths[cid] = float(items[index + 2])
            index += 3
    return widths


def _width_array(widths: dict[int, float]):
    import pikepdf

    array = pikepdf.Array()
    run: list[float] = []
    start = previous = None
    for cid in sorted(widths):
        if previous is not None and cid != previous + 1:
            array.extend([start, pikepdf.Array(run)])
            run, start = [], None
        if start is None:
            start = cid
        run.append(widths[cid])
        previous = cid
    if run:
        array.extend([start, pikepdf.Array(run)])
    return array


def _to_unicode(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap for two-byte codes."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <ffff>", "endcodespacerange"]
    codes = sorted(mapping)
    for block in range(0, len(codes), 100):  # at most 100 entries a block
        chunk = codes[block:block + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04x}> <{mapping[code].encode('utf-16-be').hex()}>"
                  for code in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


def _has_outline(font, name: str) -> bool:
    if "glyf" in font:
        return font["glyf"][name].numberOfContours != 0
    charstring = font["CFF "].cff.topDictIndex[0].CharStrings[name]
    charstring.decompile()
    return any(op in charstring.program for op in ("rmoveto", "hmoveto", "vmoveto"))


# The font-wide bounds each subset states hold for its glyphs, so their union holds for the
# joined font: (table, field, least or greatest).
_BOUNDS = [("head", "xMin", min), ("head", "yMin", min), ("head", "xMax", max),
           ("head", "yMax", max), ("hhea", "advanceWidthMax", max),
           ("hhea", "minLeftSideBearing", min), ("hhea", "minRightSideBearing", min),
           ("hhea", "xMaxExtent", max)]
# and the most any glyph needs (TrueType outlines)
_MAXP = ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
         "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
         "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
         "maxComponentElements", "maxComponentDepth")


def _union_bounds(base, fonts: list) -> None:
    """Set `base`'s font-wide bounds and limits to hold for the glyphs of all `fonts`."""
    for table, name, pick in _BOUNDS:
        setattr(base[table], name, pick(getattr(font[table], name) for font in fonts))
    if "glyf" in base and base["maxp"].tableVersion == 0x00010000:
        for name in _MAXP:
            setattr(base["maxp"], name, max(getattr(font["maxp"], name) for font in fonts))
    if "CFF " in base:
        boxes = [font["CFF "].cff.topDictIndex[0].FontBBox for font in fonts]
        base["CFF "].cff.topDictIndex[0].FontBBox = [
            min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _join_font_files(files: list[tuple[bytes, set[int]]]) -> bytes | None:
    """One font holding the glyphs of every subset in `files` (each with the glyph ids its
    text uses), or None if they do not agree glyph for glyph (then each part keeps its own).

    Glyphs are matched by id: a subset names a glyph after the characters it maps, which
    differ from subset to subset."""
    import copy
    import io

    from fontTools.ttLib import TTFont

    # the same subsets give the same bytes: no time stamp. Bounds are not measured again
    # over every glyph slot (most of the time here): _union_bounds gives them.
    fonts = [(TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False), used)
             for data, used in files]
    base = max((font for font, _ in fonts), key=lambda font: len(font.getGlyphOrder()))
    order = base.getGlyphOrder()
    cff = "CFF " in base
    if cff:
        top = base["CFF "].cff.topDictIndex[0]
        if hasattr(top, "FDArray"):
            return None  # CID-keyed: glyphs may use different private dictionaries
        private = top.Private
    drawn: dict[str, bool] = {}  # whether a glyph of the base has an outline, as it grows
    for other, used in fonts:
        if other is base:
            continue
        theirs = other.getGlyphOrder()
        if len(theirs) > len(order) or ("CFF " in other) != cff:
            return None
        if cff:
            their_private = other["CFF "].cff.topDictIndex[0].Private
            if any(getattr(private, key, None) != getattr(their_private, key, None)
                   for key in ("nominalWidthX", "defaultWidthX")):
                return None
        wanted = sorted(gid for gid in used if gid < len(theirs))
        while wanted:
            gid = wanted.pop()
            name, mine = theirs[gid], order[gid]
            # the base's answer first, and kept: most glyphs are in it already
            if mine not in drawn:
                drawn[mine] = _has_outline(base, mine)
            if drawn[mine] or not _has_outline(other, name):
                continue
            drawn[mine] = True
            if cff:  # desubroutinized: a charstring stands alone
                charstring = base["CFF "].cff.topDictIndex[0].CharStrings[mine]
                charstring.program = list(
                    other["CFF "].cff.topDictIndex[0].CharStrings[name].program)
                charstring.bytecode = None  # compiled again from the program
            else:
                glyph = copy.deepcopy(other["glyf"][name])
                for component in getattr(glyph, "components", []):
                    component_id = other.getGlyphID(component.glyphName)
                    component.glyphName = order[component_id]
                    wanted.append(component_id)  # a composite brings its components
                base["glyf"][mine] = glyph
            base["hmtx"][mine] = other["hmtx"][name]
    _union_bounds(base, [font for font, _ in fonts])
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def join_fonts(pdf) -> None:
    """Every Type0 font of `pdf` that is a subset of the same face made one."""
    import pikepdf

    from .tagging import _unicode_map

    groups: dict[tuple[str, str], list] = {}
    for obj in pdf.objects:
        if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                and obj.get("/Subtype") == "/Type0" and "/DescendantFonts" in obj):
            cid_font = obj.DescendantFonts[0]
            if cid_font.get("/CIDToGIDMap", pikepdf.Name.Identity) != "/Identity":
                continue
            groups.setdefault((str(obj.BaseFont), str(cid_font.Subtype)), []).append(obj)
    chosen: dict = {}
    for fonts in groups.values():
        if len(fonts) < 2:
            continue
        key = "/FontFile2" if "/FontFile2" in fonts[0].DescendantFonts[0].FontDescriptor \
            else "/FontFile3"
        streams = [f.DescendantFonts[0].FontDescriptor.get(key) for f in fonts]
        if any(s is None for s in streams):
            continue
        font_widths = [_widths(font.DescendantFonts[0].get("/W", [])) for font in fonts]
        used: dict[bytes, set[int]] = {}  # the glyphs each distinct subset's text uses
        for widths, stream in zip(font_widths, streams, strict=True):
            used.setdefault(stream.read_bytes(), set()).update(widths)
        joined = _join_font_files(list(used.items())) if len(used) > 1 else next(iter(used))
        if joined is None:
            continue
        first = fonts[0]
        cid_font = first.DescendantFonts[0]
        streams[0].write(joined)
        if key == "/FontFile2":
            streams[0].Length1 = len(joined)
        joined_widths: dict[int, float] = {}
        text: dict[int, str] = {}
        for font, widths in zip(fonts, font_widths, strict=True):
            joined_widths |= widths
            text |= _unicode_map(font)
        cid_font.W = _width_array(joined_widths)
        first.ToUnicode = pdf.make_stream(_to_unicode(text))
        for font in fonts[1:]:
            chosen[font.objgen] = first
    if not chosen:
        return
    for obj in list(pdf.objects):
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        resources = obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for name in list(fonts.keys()):
            font = fonts[name]
            if font.is_indirect and font.objgen in chosen:
                fonts[name] = chosen[font.objgen]
