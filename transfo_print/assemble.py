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
- the rest of the catalog (language, MarkInfo, viewer preferences, XMP metadata and title,
  the press's output intent) from the first part, which was written as the others were.

Each part keeps its own font subsets: the booklet is larger than one document laid out as
a whole (see BENCHMARKS.md), the price of laying the sheets out in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .booklet import LabelRange


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


def assemble(parts: list[Part], labels: list[LabelRange]) -> bytes:
    """The booklet made of `parts`, in order, labelled with `labels`.

    The same parts give the same bytes."""
    import io

    import pikepdf

    booklet = pikepdf.open(parts[0].path)
    opened = [booklet] + [pikepdf.open(part.path) for part in parts[1:]]
    tree = booklet.Root.get("/StructTreeRoot")
    document = _top(tree) if tree is not None else None
    nums = _nums(tree) if tree is not None else []
    next_key = int(tree.ParentTreeNextKey) if tree is not None else 0
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
    if tree is not None:
        tree.ParentTree = booklet.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
        tree.ParentTreeNextKey = next_key

    root = booklet.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    root.Count = _write_outline(booklet, outline, root)
    booklet.Root.Outlines = root
    names = pikepdf.Array()
    for name in sorted(destinations):  # a name tree is sorted
        names.extend([pikepdf.String(name), destinations[name]])
    booklet.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=names))
    booklet.Root.PageLabels = page_labels(labels)
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
        label = pikepdf.Dictionary(S=pikepdf.Name(r.style), St=r.start)
        if r.prefix:
            label.P = pikepdf.String(r.prefix)
        numbers.extend([r.first, label])
    return pikepdf.Dictionary(Nums=numbers)
