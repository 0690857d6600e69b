"""`make bench`: how fast transfo-print is against the plain-text floor, measured in the
same run, and whether the goals of the speed work are met. Writes BENCHMARKS.md.

Everything is driven through the command line (`python -m transfo_print build|watch`), as a
user runs it, and measured as whole processes (start-up included): CPU time of the process
and its workers, wall time, and the summed memory (PSS) of its process tree (measure.py).
Every series is run BENCH_RUNS times; the report gives the minimum and the median, and a
goal is met only if the median meets it. The floor and the builds take turns, so that the
load of a shared machine weighs on both; the load average is noted before and after each
series.

Settings (environment):
  BENCH_RUNS=3     runs of each series on the shipped sheets
  BENCH_EDITS=9    edits saved under `watch` (a few seconds each, and the noisiest series)
  BENCH_LARGE=70   sheets of the generated publication for the cores and memory goals
  BENCH_LARGE_RUNS=1  runs of each `-j` setting on it
  BENCH_HUGE=200   also build a publication of that many sheets once (off by default)
  BENCH_OUT=PATH   where to write the report (default: BENCHMARKS.md)
`python -m benchmarks.run --report-only` rewrites the report from the last measurements.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import floor
from benchmarks.measure import (
    COMPILER_OR_LINKER,
    Run,
    TreeSampler,
    adopt_orphans,
    reap_leftovers,
    run,
    tree_cpu_seconds,
)

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ROOT / "sheets"
PYTHON = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", 3))
EDITS = int(os.environ.get("BENCH_EDITS", 9))
LARGE = int(os.environ.get("BENCH_LARGE", 70))
LARGE_RUNS = int(os.environ.get("BENCH_LARGE_RUNS", 1))
HUGE = int(os.environ.get("BENCH_HUGE", 0))
REPORT = Path(os.environ.get("BENCH_OUT", ROOT / "BENCHMARKS.md"))
CORES = os.cpu_count() or 1
JOBS = min(2, CORES)  # the cores goal compares one process with two
EDITED_SHEET = "02-passer-en-mode-pluridisciplinaire"
EDITED_WORDS = "expérimentés."  # a word of its body text, edited in place by the watch series
WATCH_TIMEOUT = 600  # seconds to wait for watch to write an update

GOALS = {  # from the speed issue; each judged on medians
    "floor": 2.0,  # cold build CPU per page, at most this × the plain-text floor's
    "watch_sheet": 0.15,  # saved edit to sheet PDF, at most this × a cold build
    "watch_booklet": 0.30,  # saved edit to booklet
    "cores": 1.6,  # -j 2 at least this × faster than -j 1 on the large publication
    "mib_per_page": 4.0,  # summed PSS per booklet page on the large publication
    "huge_mib": 2048,  # summed PSS of the huge publication
    "huge_per_page": 1.1,  # its wall time per page, at most this × the seven sheets'
    "unchanged": 0.05,  # an up-to-date build, at most this × a cold build
}

# The previous design's figures (layout in one process, writers forked after it, the
# booklet one WeasyPrint document), as measured before this bench: from issue 13 (2 cores,
# CPU time, alternating runs) and from the BENCHMARKS.md of 2026-11-25.
PREVIOUS = {  # key: (what, figure, where it comes from)
    "cold_cpu_per_page": ("cold build `-j 1`, CPU s/page", 0.245,
                          "issue 13: 0.24–0.25, 26 pages"),
    "floor_ratio": ("cold build / plain-text floor, CPU per page", 3.6,
                    "issue 13 (its floor: 16 pages, 0.066–0.070 s/page)"),
    "watch_booklet": ("edit under watch / cold build", 0.39,
                      "issue 13: 0.36–0.42, sheet and booklet together"),
    "speedup_seven": ("`-j 1` / `-j 2`, seven sheets", 1.10, "issue 13: medians"),
    "speedup_large": ("`-j 1` / `-j 2`, 70 sheets", 1.3, "issue 13: idle machine"),
    "large_mib": ("summed PSS at 70 sheets, `-j 2` (MiB)", 1449, "issue 13"),
    "mib_per_page": ("summed PSS per booklet page, 70 sheets, `-j 2` (MiB)", 5.9, "issue 13"),
    "large_wall_per_page": ("70 sheets, `-j 2`, wall s/page", 0.449,
                            "BENCHMARKS.md of 2026-11-25, 241 pages"),
    "startup": ("start-up spent running gcc and ldconfig (s)", 0.45,
                "issue 13: cffi's find_library"),
    "booklet_bytes": ("booklet size (B)", 475_099,
                      "main at 5794285 (one WeasyPrint document), 20 pages"),
}


# --- publications ------------------------------------------------------------------------


def synthetic(count: int, folder: Path) -> Path:
    """A publication of `count` sheets: the seven repeated, renumbered."""
    folder.mkdir(parents=True)
    shutil.copytree(SHEETS / "figures", folder / "figures")
    originals = sorted(SHEETS.glob("0*.yaml"))
    names = []
    for number in range(1, count + 1):
        original = originals[(number - 1) % len(originals)]
        name = f"{number:03d}-{original.stem[3:]}"
        text = re.sub(r"^number: \d+", f"number: {number}", original.read_text("utf-8"),
                      count=1, flags=re.M)
        (folder / f"{name}.yaml").write_text(text, "utf-8")
        names.append(name)
    publication = (SHEETS / "publication.yaml").read_text("utf-8")
    listing = "sheets:\n" + "".join(f"  - {n}\n" for n in names)
    publication = re.sub(r"sheets:\n(  - .*\n)+", listing, publication)
    (folder / "publication.yaml").write_text(publication, "utf-8")
    return folder


def booklet_of(out: Path) -> Path:
    """The booklet: the one PDF at the top of the output folder."""
    pdfs = sorted(out.glob("*.pdf"))
    if len(pdfs) != 1:
        raise SystemExit(f"expected one booklet in {out}, found {[p.name for p in pdfs]}")
    return pdfs[0]


def pages_of(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def cli(*args: object) -> list[str]:
    return [PYTHON, "-m", "transfo_print", *map(str, args)]


def build(source: Path, out: Path, jobs: int) -> Run:
    return run(cli("build", source, "--out", out, "--force", "-j", jobs, "--quiet"), ROOT)


# --- series ------------------------------------------------------------------------------


class Series:
    """Runs of one measure, with the machine's load before and after them."""

    def __init__(self, results: dict, name: str, **facts):
        self.record = results.setdefault("series", {}).setdefault(
            name, {"wall": [], "cpu": [], "peak_mib": [], "sample_interval": [], **facts})
        self.record["load"] = [os.getloadavg()[0], None]

    def add(self, measured: Run) -> Run:
        self.record["wall"].append(measured.wall)
        self.record["cpu"].append(measured.cpu)
        self.record["peak_mib"].append(measured.peak_mib)
        self.record["sample_interval"].append(measured.sample_interval)
        names = set(self.record.get("processes", [])) | set(measured.processes)
        self.record["processes"] = sorted(names)
        return measured

    def done(self) -> None:
        self.record["load"][1] = os.getloadavg()[0]


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(work: Path, results: dict) -> dict:
    """Every series, into `results` as they are measured (kept if a later one fails)."""
    results.update({"cores": CORES, "runs": RUNS, "edits": EDITS, "large": LARGE,
                    "large_runs": LARGE_RUNS,
                    "huge": HUGE, "date": time.strftime("%Y-%m-%d %H:%M"),
                    "python": sys.version.split()[0]})
    adopt_orphans()
    results["weasyprint"] = importlib.metadata.version("weasyprint")  # not imported here

    step("start-up")
    version = Series(results, "version")
    engine = Series(results, "import-engine")
    for _ in range(RUNS):
        version.add(run(cli("--version"), ROOT))
        engine.add(run([PYTHON, "-c", "import weasyprint"], ROOT))
    version.done()
    engine.done()
    # A one-sheet build with the audit hooks on: every program started, however short.
    log = work / "spawned.log"
    log.touch()
    run([PYTHON, str(ROOT / "benchmarks" / "spawn_probe.py"), str(log), "build",
         synthetic(1, work / "one"), "--out", work / "probe", "--force", "-j", JOBS,
         "--quiet"], ROOT)
    results["spawned"] = sorted(set(log.read_text().splitlines()))

    step("a first build of the seven sheets (not timed: it fills the file caches)")
    build(SHEETS, work / "first", JOBS)
    booklet = booklet_of(work / "first")
    results["pages"] = pages_of(booklet)
    results["booklet_bytes"] = booklet.stat().st_size
    sheet_pdfs = list((work / "first").glob("sheets/*.pdf"))
    results["sheet_bytes"] = sum(p.stat().st_size for p in sheet_pdfs)
    results["pdfs"] = len(sheet_pdfs) + 1

    documents = {"weasyprint": work / "floor.html"}
    documents["weasyprint"].write_text(floor.html_document(SHEETS), "utf-8")
    if importlib.util.find_spec("typst") is not None:
        documents["typst"] = work / "floor.typ"
        documents["typst"].write_text(floor.typst_document(SHEETS), "utf-8")
    plain_text = {engine: Series(results, f"plain-{engine}") for engine in documents}
    cold = {jobs: Series(results, f"cold-j{jobs}") for jobs in sorted({1, JOBS})}
    step(f"the plain-text floor and cold builds of the seven sheets, in turn, {RUNS} runs")
    for index in range(RUNS):
        for engine, document in documents.items():
            pdf = work / f"floor-{engine}.pdf"
            plain_text[engine].add(run([PYTHON, str(ROOT / "benchmarks" / "typeset_plain.py"),
                                        engine, str(document), str(pdf), str(floor.FONTS)],
                                       ROOT))
            plain_text[engine].record["pages"] = pages_of(pdf)
        for jobs, series in cold.items():
            series.add(build(SHEETS, work / f"cold-j{jobs}-{index}", jobs))
            series.record["pages"] = results["pages"]
    for series in (*plain_text.values(), *cold.values()):
        series.done()

    step("an up-to-date build (nothing changed)")
    unchanged = Series(results, "unchanged")
    command = cli("build", SHEETS, "--out", work / "first", "--quiet")
    for _ in range(RUNS):
        unchanged.add(run(command, ROOT))
    unchanged.done()

    step(f"one sheet edited under `watch -j {JOBS}`, {EDITS} edits")
    measure_watch(work, results)

    step(f"{LARGE} sheets, cold builds `-j 1` and `-j {JOBS}`, {LARGE_RUNS} run(s) each")
    source = synthetic(LARGE, work / "large")
    large = {jobs: Series(results, f"large-j{jobs}") for jobs in sorted({1, JOBS})}
    for index in range(LARGE_RUNS):
        for jobs, series in large.items():
            out = work / f"large-j{jobs}-{index}"
            series.add(build(source, out, jobs))
            series.record["pages"] = pages_of(booklet_of(out))
            shutil.rmtree(out)
    for series in large.values():
        series.done()

    if HUGE:
        step(f"{HUGE} sheets, one cold build `-j {JOBS}`")
        source = synthetic(HUGE, work / "huge")
        huge = Series(results, "huge")
        huge.add(build(source, work / "huge-out", JOBS))
        huge.record["pages"] = pages_of(booklet_of(work / "huge-out"))
        huge.done()

    return results


def _stamp(path: Path) -> tuple | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


def _settled(out: Path, quiet: float, timeout: float = WATCH_TIMEOUT) -> None:
    """Wait until no file under `out` has changed for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = {p: _stamp(p) for p in out.rglob("*") if p.is_file()}
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)
    raise SystemExit(f"watch: {out} still changing after {timeout:.0f} s")


def measure_watch(work: Path, results: dict) -> None:
    """Save an edit to one sheet while `watch` runs; time until the sheet's PDF, then the
    booklet, are replaced (a new file or a new modification time)."""
    source, out = work / "watch-src", work / "watch-out"
    shutil.copytree(SHEETS, source)
    sheet = source / f"{EDITED_SHEET}.yaml"
    original = sheet.read_text("utf-8")
    if EDITED_WORDS not in original:
        raise SystemExit(f"benchmarks/run.py: {EDITED_WORDS!r} is no longer in {sheet.name}; "
                         "choose another word of its body text to edit")
    process = subprocess.Popen(cli("watch", source, "--out", out, "-j", JOBS), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               stdin=subprocess.DEVNULL)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in process.stdout:
            lines.append((time.monotonic(), line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sampler = TreeSampler(os.getpid()).start()  # the watch and anything it leaves behind
    sheet_series = Series(results, "watch-sheet")
    booklet_series = Series(results, "watch-booklet")
    updates = results["watch_lines"] = []
    try:
        deadline = time.monotonic() + WATCH_TIMEOUT
        while not (out / "sheets" / f"{EDITED_SHEET}.pdf").exists() or not list(
                out.glob("*.pdf")):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("watch: no first build\n" + "\n".join(t for _, t in lines))
            time.sleep(0.1)
        _settled(out, quiet=2.0)
        sheet_pdf, booklet = out / "sheets" / f"{EDITED_SHEET}.pdf", booklet_of(out)
        for index in range(EDITS):
            before = {p: _stamp(p) for p in (sheet_pdf, booklet)}
            sampler.reset()
            cpu_before = tree_cpu_seconds(process.pid)
            seen = len(lines)
            edited = EDITED_WORDS.replace(".", f" ({index + 1}).")  # each save a new text
            sheet.write_text(original.replace(EDITED_WORDS, edited), "utf-8")
            saved = time.monotonic()
            replaced: dict[Path, float] = {}
            while len(replaced) < 2:
                for path in (sheet_pdf, booklet):
                    if path not in replaced and _stamp(path) != before[path]:
                        replaced[path] = time.monotonic() - saved
                if process.poll() is not None or time.monotonic() - saved > WATCH_TIMEOUT:
                    raise SystemExit("watch: the edit was not written\n"
                                     + "\n".join(t for _, t in lines))
                time.sleep(0.01)
            _settled(out, quiet=1.0)
            cpu = tree_cpu_seconds(process.pid) - cpu_before
            for series, path in ((sheet_series, sheet_pdf), (booklet_series, booklet)):
                series.add(Run(replaced[path], cpu, sampler.peak_kib / 1024,
                               sorted(sampler.names), sampler.interval, "", ""))
            updates.extend(text for _, text in lines[seen:])
    finally:
        sampler.stop()
        process.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reap_leftovers()  # so that none is counted in the next measure
        sheet.write_text(original, "utf-8")
    sheet_series.done()
    booklet_series.done()


# --- report ------------------------------------------------------------------------------


def _stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def _judge(median_meets: bool, fastest_meets: bool | None = None) -> str:
    if median_meets:
        return "met"
    if fastest_meets:
        return "**not met** (the fastest run alone would be)"
    return "**not met**"


def report(r: dict) -> str:
    s = r["series"]
    pages = r["pages"]

    def wall(name: str) -> tuple[float, float]:
        return _stats(s[name]["wall"])

    def cpu(name: str) -> tuple[float, float]:
        return _stats(s[name]["cpu"])

    def per_page(name: str, of=cpu) -> tuple[float, float]:
        low, mid = of(name)
        return low / s[name]["pages"], mid / s[name]["pages"]

    rows: list[tuple[str, str, str, str]] = []
    verdicts: dict[str, str] = {}

    def goal(key: str, name: str, value: str, target: str, median_meets: bool,
             fastest_meets: bool | None = None) -> None:
        verdicts[key] = _judge(median_meets, fastest_meets)
        rows.append((name, value, target, verdicts[key]))

    # Per page, against the plain-text floor: CPU time, whole processes.
    floor_min, floor_mid = per_page("plain-weasyprint")
    cold_min, cold_mid = per_page("cold-j1")
    goal("floor", "**Per page**: cold build `-j 1`, CPU s/page (whole process, "
         f"{pages} booklet pages, {r.get('pdfs', 8)} PDFs) / plain-text floor "
         f"({s['plain-weasyprint']['pages']} pages)",
         f"{cold_mid:.3f} / {floor_mid:.3f} = **{cold_mid / floor_mid:.2f} ×** "
         f"(fastest runs: {cold_min / floor_min:.2f} ×)", f"≤ {GOALS['floor']} ×",
         cold_mid / floor_mid <= GOALS["floor"], cold_min / floor_min <= GOALS["floor"])
    if "plain-typst" in s:
        typst_min, typst_mid = per_page("plain-typst")
        rows.append(("  reference: Typst, same text, CPU s/page "
                     f"({s['plain-typst']['pages']} pages)",
                     f"{typst_mid:.4f} = {typst_mid / floor_mid:.2f} × the floor", "", ""))
    else:
        rows.append(("  reference: Typst, same text", "not measured (`typst` is not "
                     "installed in this environment)", "", ""))

    # Edit loop, against a cold build with the same number of processes as watch.
    cold_wall_min, cold_wall = wall(f"cold-j{JOBS}")
    for key, name in (("watch_sheet", "sheet PDF"), ("watch_booklet", "booklet")):
        low, mid = wall(f"watch-{key[6:]}")
        goal(key, f"**Edit loop**: saved edit to {name} replaced, `watch -j {JOBS}` / "
             f"cold build `-j {JOBS}`, wall",
             f"{mid:.2f} s / {cold_wall:.2f} s = **{mid / cold_wall:.2f} ×** "
             f"(fastest: {low / cold_wall_min:.2f} ×)", f"≤ {GOALS[key]} ×",
             mid / cold_wall <= GOALS[key], low / cold_wall_min <= GOALS[key])

    # Cores.
    seven = wall("cold-j1")[1] / cold_wall
    rows.append((f"  cores, seven sheets: `-j 1` / `-j {JOBS}`, wall medians",
                 f"{seven:.2f} × faster", "", ""))
    large_pages = s["large-j1"]["pages"]
    j1_min, j1 = wall("large-j1")
    jn_min, jn = wall(f"large-j{JOBS}")
    at_goal_size = "" if r["large"] == 70 else " (**the goal is set at 70**)"
    goal("cores", f"**Cores**: {r['large']} sheets ({large_pages} pages){at_goal_size}, "
         f"cold `-j 1` / `-j {JOBS}`, wall, {r['large_runs']} run(s) each",
         f"{j1:.1f} s / {jn:.1f} s = **{j1 / jn:.2f} ×**", f"≥ {GOALS['cores']} ×",
         j1 / jn >= GOALS["cores"], j1_min / jn_min >= GOALS["cores"])

    # Memory: the worse of the two -j settings.
    per_jobs = {jobs: statistics.median(s[f"large-j{jobs}"]["peak_mib"])
                for jobs in sorted({1, JOBS})}
    worst = max(per_jobs.values())
    goal("mib_per_page", f"**Memory**: {r['large']} sheets{at_goal_size}, peak of the summed "
         "PSS of all the build's processes per booklet page (the worse `-j`)",
         ", ".join(f"`-j {j}` {m:.0f} MiB" for j, m in per_jobs.items())
         + f" = **{worst / large_pages:.2f} MiB/page**", f"≤ {GOALS['mib_per_page']} MiB",
         worst / large_pages <= GOALS["mib_per_page"])
    if "huge" in s:
        huge = s["huge"]
        huge_mib = statistics.median(huge["peak_mib"])
        goal("huge_mib", f"  {r['huge']} sheets ({huge['pages']} pages), summed PSS, `-j {JOBS}`",
             f"{huge_mib:.0f} MiB", f"≤ {GOALS['huge_mib']} MiB", huge_mib <= GOALS["huge_mib"])
        huge_page = statistics.median(huge["wall"]) / huge["pages"]
        seven_page = cold_wall / pages
        goal("huge_per_page", f"  {r['huge']} sheets: wall s/page / seven sheets', `-j {JOBS}`",
             f"{huge_page:.3f} / {seven_page:.3f} = **{huge_page / seven_page:.2f} ×**",
             f"≤ {GOALS['huge_per_page']} ×", huge_page / seven_page <= GOALS["huge_per_page"])
        # The seven shipped sheets are not the generated ones: the same generator at two
        # sizes shows how the cost of a page grows with the publication alone.
        rows.append((f"  {r['huge']} sheets / {r['large']} sheets, the same generated "
                     f"sheets: wall s/page, `-j {JOBS}`",
                     f"{huge_page:.3f} / {jn / large_pages:.3f} = "
                     f"**{huge_page / (jn / large_pages):.2f} ×**", "(reference)", ""))
    else:
        rows.append(("  200 sheets: memory and time per page", "not measured (run with "
                     "`BENCH_HUGE=200 make bench`)", "≤ 2 GiB; ≤ 1.1 × s/page at 7", ""))

    # Start-up.
    def names(series: list[str]) -> list[str]:
        return sorted({name for key in series for name in s[key].get("processes", [])})

    # transfo-print's own processes; the floor and plain `import weasyprint` are references.
    seen = names([key for key in s if key != "import-engine" and not key.startswith("plain-")])
    compilers = sorted(set(seen) & COMPILER_OR_LINKER)
    spawned = r.get("spawned", [])
    version = wall("version")[1]
    engine = wall("import-engine")[1]
    goal("startup", "**Start-up**: `--version`, wall; programs a one-sheet build starts "
         "(audit hook); compilers or linkers seen in the process trees of every "
         "transfo-print command measured",
         f"{version:.2f} s; started: {', '.join(spawned) or 'none'}; "
         f"compiler or linker seen: {', '.join(compilers) or 'none'}",
         "no compiler, no linker search", not compilers and not any(
             Path(line.split("\t")[-1]).name in COMPILER_OR_LINKER for line in spawned))
    reference = sorted(set(names(["import-engine"])) & COMPILER_OR_LINKER)
    rows.append(("  reference: plain `python -c \"import weasyprint\"`, wall; compilers or "
                 "linkers seen", f"{engine:.2f} s; {', '.join(reference) or 'none seen'}",
                 "", ""))

    size = r.get("booklet_bytes")  # not in measurements of an older bench
    if size:
        rows.append(("Size: the booklet; the sheet PDFs together",
                     f"{size:,} B ({size / pages / 1024:.0f} KiB/page); "
                     f"{r['sheet_bytes']:,} B", "", ""))

    unchanged = wall("unchanged")[1] / wall("cold-j1")[1]
    goal("unchanged", "Nothing changed: up-to-date build / cold build `-j 1`, wall",
         f"{unchanged:.3f} ×", f"≤ {GOALS['unchanged']} ×", unchanged <= GOALS["unchanged"])

    reduced = r["runs"] < 3 or r["large"] != 70
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` ({r['date']}, {r['cores']} cores, Python {r['python']}, "
        f"WeasyPrint {r['weasyprint']}; BENCH_RUNS={r['runs']}, "
        f"BENCH_EDITS={r.get('edits', r['runs'])}, BENCH_LARGE={r['large']}, "
        f"BENCH_LARGE_RUNS={r['large_runs']}"
        + (f", BENCH_HUGE={r['huge']}" if r["huge"] else "") + ").",
        "",
    ]
    if reduced:
        lines += ["> **A reduced run** (fewer runs or a smaller publication than the defaults): "
                  "a check that the bench works, not figures to quote.", ""]
    lines += [
        "Every figure is a whole process (start-up included) driven through the command "
        "line; CPU time counts the process and every worker it waited for; memory is the "
        "largest sum of PSS over the build's process tree, sampled every 50 ms or more "
        "rarely when a sample costs more than 5 % of a core (benchmarks/measure.py). "
        "1-minute load averages are given for each series. A goal is "
        "met only if the **median** meets it; the fastest runs are shown beside. Ratios "
        "are between series measured in the same run, the floor and the builds in turn. "
        f"The large publication is built {r['large_runs']} time(s) per `-j` setting (so "
        "its median is that run), to keep `make bench` within about 15 minutes on 2 cores.",
        "",
        "The **plain-text floor** is plain WeasyPrint (same version, same vendored fonts, "
        "EB Garamond) laying out and writing the sheets' words — every part, headings as "
        "paragraphs, no furniture, no figures — body 10 pt, A4, margins 20 mm left and "
        "10 mm elsewhere, justified and hyphenated, each sheet starting a page "
        "(benchmarks/floor.py).",
        "",
        "## Goals",
        "",
        "| measure | value (medians) | goal | |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "## Series",
        "",
        "| series | runs | wall min / median (s) | CPU min / median (s) | peak PSS median "
        "(MiB) | memory sampled every (s) | pages | load before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, series in s.items():
        low, mid = _stats(series["wall"])
        cpu_low, cpu_mid = _stats(series["cpu"])
        peak = statistics.median(series["peak_mib"])
        interval = statistics.median(series.get("sample_interval") or [0])
        load = series["load"]
        lines.append(f"| {name} | {len(series['wall'])} | {low:.2f} / {mid:.2f} | "
                     f"{cpu_low:.2f} / {cpu_mid:.2f} | {peak:.0f} | {interval:.2f} | "
                     f"{series.get('pages', '')} | {load[0]:.2f} → {load[1]:.2f} |")
    lines += [
        "",
        "`watch-*`: wall is from the save to the file replaced (watch's own polling "
        "delay included, as a user waits for it); CPU is the watch process "
        "tree's for the whole update; peak is the tree's during it. `import-engine` is "
        "`python -c \"import weasyprint\"`; the floor imports WeasyPrint as a build "
        "does, without the linker search (benchmarks/typeset_plain.py). Names seen in the "
        "transfo-print process trees: "
        f"{', '.join(seen)}.",
        "",
        "Lines `watch` printed for the edits:",
        "",
        *(f"    {line}" for line in r.get("watch_lines", [])),
        "",
        "## Against the previous design",
        "",
        "| measure | previous | now | source of the previous figure |",
        "| --- | --- | --- | --- |",
    ]
    now = {
        "cold_cpu_per_page": f"{cold_mid:.3f}",
        "floor_ratio": f"{cold_mid / floor_mid:.2f}",
        "watch_booklet": f"{wall('watch-booklet')[1] / cold_wall:.2f}",
        "speedup_seven": f"{seven:.2f}",
        "speedup_large": f"{j1 / jn:.2f} ({r['large']} sheets)",
        "large_mib": f"{per_jobs[JOBS]:.0f} ({r['large']} sheets)",
        "mib_per_page": f"{per_jobs[JOBS] / large_pages:.2f} ({r['large']} sheets)",
        "large_wall_per_page": f"{jn / large_pages:.3f} ({r['large']} sheets)",
        "startup": ("none" if verdicts["startup"] == "met"
                    else "started: " + ", ".join(compilers + spawned)),
        "booklet_bytes": f"{size:,} ({pages} pages; "
                         f"{size / PREVIOUS['booklet_bytes'][1]:.2f} ×)" if size else "",
    }
    for key, (what, figure, source) in PREVIOUS.items():
        lines.append(f"| {what} | {figure:,} | {now[key]} | {source} |")
    lines += ["", "The previous figures were measured on the same kind of machine but not in "
              "this run: compare the ratios (floor, watch, speed-up, MiB/page), not seconds.",
              ""]
    return "\n".join(lines)


def main() -> None:
    # The measurements beside the report: benchmarks/last-run.json for BENCHMARKS.md.
    last = (ROOT / "benchmarks" / "last-run.json" if REPORT == ROOT / "BENCHMARKS.md"
            else REPORT.with_suffix(".json"))
    if "--report-only" in sys.argv:  # rewrite the report from the last measurements
        results = json.loads(last.read_text())
    else:
        results: dict = {}
        try:
            with tempfile.TemporaryDirectory(prefix="transfo-bench-") as tmp:
                measure(Path(tmp), results)
        except BaseException:
            partial = last.with_suffix(".partial.json")
            partial.write_text(json.dumps(results, indent=1))
            print(f"benchmarks/run.py: stopped; what was measured is in {partial}",
                  file=sys.stderr)
            raise
        last.write_text(json.dumps(results, indent=1))
    text = report(results)
    notes = ROOT / "benchmarks" / "NOTES.md"
    if notes.exists():
        text += ("\n## Notes\n\nWritten by hand (benchmarks/NOTES.md), not by the bench: "
                 "they may describe an earlier design than the figures above.\n\n"
                 + notes.read_text("utf-8"))
    REPORT.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
