"""Read a source folder (publication.yaml + one YAML file per sheet) into the model.

Every value keeps the file, line and column it came from, so that each problem can be
reported where the author typed it. All problems of all files are gathered before giving up.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import checks, outlines, photos
from .diagnostics import ContentError, Problem
from .figures import DrawingError, read_drawing, view_box
from .geometry import MM_PER_INCH, PHOTO_WIDTH, PRINT_MIN_PPI
from .inputs import InputRefused, read_input
from .model import Book, BookSheet, Publication, Sheet, Slug
from .paths import ASSET_FOLDERS, PUBLICATION_FILE

MAX_FILE_BYTES = 1_000_000  # a sheet is a few kB; a megabyte is not a sheet
MAX_DEPTH = 20  # the deepest real structure is about 8 levels
MAX_NODES = 100_000

# The YAML types a sheet is made of; any other tag (!custom, !!python/..., !!binary) is refused.
PLAIN_TAGS = {f"tag:yaml.org,2002:{name}"
              for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}

Location = tuple[int, int]  # 1-based line and column
DataPath = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed YAML file: plain Python data, and where each value stands in the file."""

    path: Path
    data: Any
    where: dict[DataPath, Location] = field(default_factory=dict)
    # values that could not be read (a duplicate key, a date that is none): said, and the
    # rest of the file is read
    problems: list[Problem] = field(default_factory=list)

    def locate(self, data_path: DataPath) -> Location:
        """The location of the deepest value of `data_path` that exists in the file."""
        for end in range(len(data_path), -1, -1):
            if data_path[:end] in self.where:
                return self.where[data_path[:end]]
        return (1, 1)

    def problem(self, data_path: DataPath, message: str, severity: str = "error") -> Problem:
        line, column = self.locate(data_path)
        prefix = f"{format_path(data_path)}: " if data_path else ""
        return Problem(self.path, line, column, prefix + message, severity)


def format_path(data_path: DataPath) -> str:
    text = ""
    for part in data_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _mark(node: yaml.Node) -> Location:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    """Turns a composed YAML node tree into data, refusing what a sheet never needs."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.loader = yaml.SafeLoader("")
        self.seen: set[int] = set()
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, message: str) -> None:
        line, column = _mark(node)
        raise ContentError([Problem(self.doc.path, line, column, message)])

    def convert(self, node: yaml.Node, path: DataPath, depth: int = 0) -> Any:
        # A node met twice is an alias: real sheets never need one, and refusing them
        # outright stops "billion laughs" documents before they expand.
        if id(node) in self.seen:
            self.fail(node, f"{format_path(path)}: YAML aliases (*name) are not allowed in sheets "
                            f"({ALIAS_HINT})")
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            self.fail(node, f"too many values (more than {MAX_NODES}): this is not a sheet")
        if depth > MAX_DEPTH:
            self.fail(node, f"{format_path(path)}: nested deeper than {MAX_DEPTH} levels")
        self.doc.where.setdefault(path, _mark(node))
        if node.tag not in PLAIN_TAGS:
            self.fail(node, f"{format_path(path)}: YAML tag `{node.tag}` is not allowed in sheets")
        if isinstance(node, yaml.MappingNode):
            return self.convert_mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as error:  # e.g. 2020-13-45
            # said, and kept as its text: the rest of the file is still checked
            line, column = _mark(node)
            reason = getattr(error, "problem", None) or str(error)
            if "digits" in reason and node.tag.endswith(":int"):  # Python's own advice
                reason = f"a number of {len(node.value):,} digits is no number a sheet holds"
            self.problems.append(Problem(self.doc.path, line, column,
                                         f"{format_path(path)}: {reason}"))
            return node.value

    def convert_mapping(self, node: yaml.MappingNode, path: DataPath, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "YAML merge keys (<<) are not allowed in sheets")
            key = self.convert(key_node, (*path, "<key>"), depth + 1)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = self.doc.where[(*path, key)]
                line, column = _mark(key_node)
                self.problems.append(Problem(
                    self.doc.path, line, column,
                    f"{format_path((*path, key))}: duplicate key (first given on line "
                    f"{first[0]}); only one value can be kept",
                ))
                continue
            # A key's own position is where an author looks for it.
            self.doc.where[(*path, key)] = _mark(key_node)
            result[key] = self.convert(value_node, (*path, key), depth + 1)
        return result


class _TooBig(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """Composes within the limits, so that nothing is spent on input that is no sheet:
    PyYAML recurses once per level (a few thousand levels, `[[[[…`, would exhaust Python's
    stack) and takes seconds per hundred thousand values."""

    depth = 0
    nodes = 0

    def compose_node(self, parent, index):
        self.depth += 1
        self.nodes += 1
        try:
            if self.depth > MAX_DEPTH + 1:  # the root is level 1, the converter counts from 0
                self._refuse(f"nested deeper than {MAX_DEPTH} levels")
            if self.nodes > MAX_NODES:
                self._refuse(f"too many values (more than {MAX_NODES}): this is not a sheet")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _refuse(self, reason: str):
        raise _TooBig(problem=reason, problem_mark=self.peek_event().start_mark)


ALIAS_HINT = ("a value starting with `*` is read as a YAML alias: put the whole value in quotes, "
              "as in text: \"*word* and more\"")


def _read(path: Path) -> bytes:
    try:
        return read_input(path, path.parent, MAX_FILE_BYTES)
    except InputRefused as error:
        raise ContentError([Problem(path, 1, 1, str(error))]) from None


def read_yaml(path: Path, raw: bytes | None = None) -> Document:
    """Parse one YAML file (whose bytes are `raw`, if already read); raise ContentError
    naming the file, line and column."""
    doc = Document(path, None)
    raw = _read(path) if raw is None else raw
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is harmless: accept it
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContentError([Problem(
            path, line, column,
            f"byte 0x{raw[error.start]:02x} at offset {error.start} is not UTF-8: "
            "save the file as UTF-8",
        )]) from None
    if not text.strip():
        raise ContentError([Problem(path, 1, 1, "file is empty")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _TooBig as error:
        mark = error.problem_mark
        raise ContentError([Problem(path, mark.line + 1, mark.column + 1, error.problem)]) from None
    except yaml.MarkedYAMLError as error:
        alias = error.context == "while scanning an alias" or \
            str(error.problem).startswith("found undefined alias")
        mark = (error.context_mark if alias else None) or error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or error.context or "invalid YAML"
        if "\t" in reason or "'\\t'" in reason or "tab" in reason:
            reason += " (YAML takes spaces here, not tabs)"
        if alias:
            reason += f" ({ALIAS_HINT})"
        raise ContentError([Problem(path, line, column, f"YAML syntax: {reason}")]) from None
    except yaml.reader.ReaderError as error:  # a character YAML refuses, by its offset
        before = text[:error.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        char = chr(error.character) if isinstance(error.character, int) else error.character
        raise ContentError([Problem(path, line, column, f"character U+{ord(char):04X} is not "
                                    "allowed in YAML (a control character?)")]) from None
    except yaml.YAMLError as error:  # pragma: no cover - every other PyYAML error is marked
        raise ContentError([Problem(path, 1, 1, f"YAML syntax: {error}")]) from None
    if node is None:
        raise ContentError([Problem(path, 1, 1, "file is empty")])
    converter = _Converter(doc)
    doc.data = converter.convert(node, ())
    doc.problems = converter.problems
    return doc


# --- validation ---------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    for python_type, name in ((str, "text"), (int, "a number"), (float, "a number"),
                              (list, "a list"), (dict, "a mapping"), (type(None), "nothing")):
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model that holds the key at `loc` (for 'did you mean')."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                continue
            current = info.annotation
        for candidate in getattr(current, "__args__", ()) or ():
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                current = candidate
                break
            for inner in getattr(candidate, "__args__", ()) or ():
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    current = inner
                    break
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _message(error: dict, model: type[BaseModel]) -> str:
    kind, value, loc = error["type"], error.get("input"), error["loc"]
    if kind == "missing" and loc == ("labels",):
        return ("missing required field `labels`: labels are shipped for fr and en only, so "
                "another `language` gives them all (`transfo-print schema` lists them)")
    if kind == "missing":
        return f"missing required field `{loc[-1]}`"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _known_keys(model, loc), n=1, cutoff=0.6)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"unknown key `{loc[-1]}`{hint}"
    if kind == "string_type":
        return f"expected text, found {_kind(value)}"
    if kind == "string_unicode":  # a lone surrogate, written as an escape
        return "text holds a lone surrogate (an escape such as \\ud800), which is no character"
    if kind in ("string_too_short", "too_short") and isinstance(value, str):
        return "text is empty"
    if kind == "too_short":
        return f"needs at least {error['ctx']['min_length']} item(s), found {len(value)}"
    if kind == "too_long":
        return f"takes at most {error['ctx']['max_length']} item(s), found {len(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, found {_kind(value)}"
    if kind == "list_type":
        return f"expected a list, found {_kind(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping, found {_kind(value)}"
    if kind == "string_pattern_mismatch":
        return f"`{value}` does not have the expected form ({error['ctx']['pattern']})"
    if kind.startswith(("date_", "datetime_")):
        return f"expected a date as YYYY-MM-DD, found `{value}`"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return error["msg"]


def _data_path(data: Any, loc: tuple) -> DataPath:
    """The part of a pydantic error location that indexes real data (drops union branch names)."""
    path: list = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and part[:1].islower() \
                and "[" not in part and "-" not in part:
            path.append(part)  # a missing or unknown key: still where the error is
            current = None
            continue
        else:
            continue
        path.append(part)
    return tuple(path)


def validate(doc: Document, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    """Validate parsed data against a model; map each error back to its line."""
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), f"expected a mapping of keys, found {_kind(doc.data)}")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        grouped: dict[DataPath, list[str]] = {}
        for error in exc.errors(include_url=False):
            message = _message(error, model)
            path = _data_path(doc.data, error["loc"])
            if error["type"] == "missing":
                path = path[:-1]  # the message names the field; point at its parent
            messages = grouped.setdefault(path, [])
            if message not in messages:
                messages.append(message)
        return None, [doc.problem(path, " or ".join(msgs)) for path, msgs in grouped.items()]


# --- the whole source folder --------------------------------------------------------------


# Beyond these, a text no longer fits its place on the page (warnings; --strict: errors).
# What the title block (at its smallest size, on as many lines as the paper's title block
# allows), a legend row and a lead line hold.
LIMITS = {"title": 100, "legend": 42, "lead": 70}


def _crosses(a, b, c, d) -> bool:
    """Whether segments ab and cd cross (touching ends do not count)."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def _check_drawing(doc: Document, figure, where: DataPath) -> list[Problem]:
    path = doc.path.parent / figure.drawing
    if not (path.exists() or path.is_symlink()):
        return [doc.problem((*where, "drawing"), f"no file `{figure.drawing}` in {path.parent}")]
    try:
        root = read_drawing(path, doc.path.parent)
    except DrawingError as error:
        return [doc.problem((*where, "drawing"), str(error))]
    if figure.highlight and not any(e.get("id") == figure.highlight for e in root.iter()):
        return [doc.problem((*where, "highlight"),
                            f"`{figure.highlight}` is not the id of a part of {path.name}")]
    return (checks.check_callouts(doc, figure, view_box(root, path.name), where)
            + _check_targets(doc, figure, root, path.name, where))


def _check_targets(doc: Document, figure, root, name: str, where: DataPath) -> list[Problem]:
    """A lead line ends on the part its code names (inside the box around it), not on a
    casing beside it."""
    problems = []
    for i, callout in enumerate(figure.callouts):
        if callout.target is None:
            continue
        place = (*where, "callouts", i)
        found = outlines.box(root, callout.target)
        if found is None:
            problems.append(doc.problem(
                (*place, "target"), f"`{callout.target}` is not the id of a drawn element "
                f"of {name}"))
            continue
        (x, y), (x0, y0, x1, y1) = callout.at, found
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            problems.append(doc.problem(
                (*place, "at"), f"the lead line of `{callout.code}` ends at [{x:g}, {y:g}], "
                f"off the part it names, `{callout.target}` (x from {x0:.1f} to {x1:.1f}, "
                f"y from {y0:.1f} to {y1:.1f} in {name})"))
    return problems


def _check_photo(doc: Document, image: str, where: DataPath) -> list[Problem]:
    path = doc.path.parent / image
    if not (path.exists() or path.is_symlink()):
        return [doc.problem((*where, "image"), f"no file `{image}` in {path.parent}")]
    try:
        width = photos.inspect(path, doc.path.parent).width
    except photos.PhotoError as error:
        return [doc.problem((*where, "image"), str(error))]
    dpi = width / (PHOTO_WIDTH / MM_PER_INCH)
    if dpi < PRINT_MIN_PPI:  # it prints soft: worth a warning
        return [doc.problem(
            (*where, "image"),
            f"`{image}` is {width} pixels wide: {dpi:.0f} dpi at its printed width of "
            f"{PHOTO_WIDTH} mm, under the {PRINT_MIN_PPI} dpi print needs", "warning")]
    return []


def _check_sheet(doc: Document, sheet: Sheet) -> list[Problem]:
    problems = []
    for part in ("hypothesis", "observations", "lessons"):
        for i, block in enumerate(getattr(sheet.sections, part).blocks):
            if block.image:
                problems += _check_photo(doc, block.image, ("sections", part, "blocks", i))
    seen: dict[str, int] = {}
    for i, entry in enumerate(sheet.legend):
        if entry.code in seen:
            problems.append(doc.problem(
                ("legend", i, "code"),
                f"reference code `{entry.code}` already used by legend[{seen[entry.code]}]",
            ))
        seen.setdefault(entry.code, i)
        if len(entry.label) > LIMITS["legend"]:
            problems.append(doc.problem(
                ("legend", i, "label"),
                f"legend label of {len(entry.label)} characters overflows its line "
                f"(at most {LIMITS['legend']})", "warning"))
    if len(sheet.title) > LIMITS["title"]:
        problems.append(doc.problem(
            ("title",), f"title of {len(sheet.title)} characters does not fit the title block "
            f"(at most {LIMITS['title']})", "warning"))
    if len(sheet.sections.hypothesis.lead) > LIMITS["lead"]:
        problems.append(doc.problem(
            ("sections", "hypothesis", "lead"),
            f"lead sentence of {len(sheet.sections.hypothesis.lead)} characters is too long "
            f"to be set apart (at most {LIMITS['lead']})", "warning"))

    labels: dict[str, int] = {}
    called: set[str] = set()
    for i, figure in enumerate(sheet.figures):
        if figure.label in labels:
            problems.append(doc.problem(
                ("figures", i, "label"), f"figure `{figure.label}` already given"))
        labels.setdefault(figure.label, i)
        if figure.drawing:
            problems += _check_drawing(doc, figure, ("figures", i))
            if figure.alt is None:
                problems.append(doc.problem(
                    ("figures", i), f"figure `{figure.label}` has no `alt`: a screen reader "
                    "hears only its label and legend", "warning"))
        if figure.callouts and not figure.drawing:
            problems.append(doc.problem(
                ("figures", i, "callouts"), "callouts need a `drawing` to stand on"))
        lines = []
        for j, callout in enumerate(figure.callouts):
            where = ("figures", i, "callouts", j)
            if callout.code not in seen:
                problems.append(doc.problem(
                    (*where, "code"), f"callout `{callout.code}` has no entry in the legend"))
            called.add(callout.code)
            for k, (a, b) in enumerate(lines):
                if _crosses(a, b, callout.text_at, callout.at):
                    problems.append(doc.problem(
                        where, f"lead line of `{callout.code}` crosses the lead line of "
                        f"`{figure.callouts[k].code}`"))
            lines.append((callout.text_at, callout.at))
    if any(figure.drawing for figure in sheet.figures):
        for i, entry in enumerate(sheet.legend):
            if entry.code not in called:
                problems.append(doc.problem(
                    ("legend", i, "code"),
                    f"legend code `{entry.code}` has no callout on any figure"))
    return problems


def _check_codes_across(doc: Document, sheet: Sheet, codes: dict) -> list[Problem]:
    """A code names one part in the whole publication (its parts list has a line per sheet):
    the same code for another designation on another sheet is a warning naming both places.
    `codes` gathers each code's first designation and place, sheet after sheet."""
    problems = []
    for i, entry in enumerate(sheet.legend):
        line, column = doc.locate(("legend", i, "code"))
        first = codes.setdefault(entry.code, (entry.label, f"{doc.path}:{line}:{column}"))
        if first[0] != entry.label and not first[1].startswith(f"{doc.path}:"):
            problems.append(doc.problem(
                ("legend", i, "code"),
                f"reference code `{entry.code}` names `{entry.label}` here and `{first[0]}` at "
                f"{first[1]}: give one of them another code", "warning"))
    return problems


def _asset_stamps(folder: Path) -> tuple:
    """What the checks of a sheet read besides its file: the drawings and photos."""
    stamps = []
    for name in ASSET_FOLDERS:
        for path in sorted((folder / name).glob("*")):
            try:
                status = path.stat()
            except OSError:
                continue
            stamps.append((path.name, status.st_ino, status.st_mtime_ns, status.st_size))
    return tuple(stamps)


# Each sheet file as last read and checked, with what it was read from: `watch` reloads
# the publication at every save, and reads again only the sheets that changed.
_last_read: dict[Path, tuple[tuple, tuple]] = {}


def _read_sheet(path: Path, assets: tuple) -> tuple[Document | None, Sheet | None,
                                                      list[Problem]]:
    """One sheet file read and checked on its own: its document, its sheet (None if it
    cannot be made), and the problems found."""
    try:
        raw = _read(path)
    except ContentError as error:
        return None, None, error.problems
    key = (raw, assets)
    if path in _last_read and _last_read[path][0] == key:
        return _last_read[path][1]
    try:
        doc = read_yaml(path, raw)
    except ContentError as error:
        return None, None, error.problems
    if doc.problems:
        return None, None, doc.problems
    sheet, problems = None, checks.check_sizes(doc)
    if not problems:
        sheet, problems = validate(doc, Sheet)
    if sheet is not None:
        problems += checks.check_model(doc, sheet) + checks.check_sheet(doc, sheet)
        problems += _check_sheet(doc, sheet)
    _last_read[path] = key, (doc, sheet, problems)
    return doc, sheet, problems


def _listed_sheets(pub_doc: Document) -> list[str]:
    """The sheets `publication.yaml` lists, when that field is right and another is not."""
    from pydantic import TypeAdapter, ValidationError

    data = pub_doc.data if isinstance(pub_doc.data, dict) else {}
    try:
        return TypeAdapter(list[Slug]).validate_python(data.get("sheets"))
    except ValidationError:
        return []


def load(folder: Path) -> Book:
    """Load and check a whole publication; raise ContentError with every problem found."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ContentError([Problem(folder, 1, 1, "source folder does not exist")])
    pub_doc = read_yaml(folder / PUBLICATION_FILE)
    sizes = checks.check_sizes(pub_doc)
    if sizes:
        raise ContentError(sizes)
    publication, found = validate(pub_doc, Publication)
    def field_at(problem: Problem) -> tuple:
        return problem.line, problem.message.partition(": ")[0]

    unreadable = {field_at(p) for p in pub_doc.problems}  # said once, not again
    problems += pub_doc.problems + [p for p in found if field_at(p) not in unreadable]
    if pub_doc.problems:
        publication = None
    if publication is not None:
        problems += checks.check_model(pub_doc, publication)
        problems += checks.check_templates(pub_doc, publication)
        if publication.web_address and publication.labels.web is None:
            problems.append(pub_doc.problem(
                ("web_address",), "the colophon names the web edition with the label "
                "`labels.web.edition`, and none is shipped for language "
                f"`{publication.language}`: give `labels.web`"))
    # With another field of the publication wrong, its sheets are still checked, so that
    # every problem is said at once.
    names = publication.sheets if publication is not None else _listed_sheets(pub_doc)

    listed = {name: i for i, name in enumerate(names)}
    for position, name in enumerate(names):
        if name in names[:position]:
            problems.append(pub_doc.problem(
                ("sheets", position), f"sheet `{name}` is listed twice"))
    on_disk = {p.stem for p in folder.glob("*.yaml")} - {Path(PUBLICATION_FILE).stem}
    for name in sorted(on_disk - set(listed)):
        problems.append(Problem(
            folder / f"{name}.yaml", 1, 1,
            f"sheet file is not listed in {PUBLICATION_FILE} `sheets` (add it, or remove the file)",
        ))

    sheets: list[BookSheet] = []
    codes: dict[str, tuple[str, str]] = {}
    assets = _asset_stamps(folder)
    unique = list(dict.fromkeys(names))  # a sheet listed twice is reported above
    for position, name in enumerate(unique):
        path = folder / f"{name}.yaml"
        if not path.exists():
            problems.append(pub_doc.problem(
                ("sheets", names.index(name)), f"no file `{path.name}`"))
            continue
        doc, sheet, found = _read_sheet(path, assets)
        problems += found
        if sheet is None:
            continue
        problems += _check_codes_across(doc, sheet, codes)
        if sheet.number != position + 1 and len(unique) == len(names):
            problems.append(doc.problem(
                ("number",),
                f"sheet number is {sheet.number} but the file is number {position + 1} "
                f"in {PUBLICATION_FILE} `sheets`",
            ))
        sheets.append(BookSheet(slug=name, path=path, sheet=sheet))

    errors = [p for p in problems if p.severity == "error"]
    if errors or publication is None:
        raise ContentError(errors)
    warnings = tuple(p for p in problems if p.severity == "warning")
    return Book(folder=folder, publication=publication, sheets=tuple(sheets), warnings=warnings)
