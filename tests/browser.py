"""A real browser for the tests of the web edition: headless Chromium (the Debian package
`chromium`), driven from the command line, and axe-core (vendored in tests/vendor/) run in it.

Each page is checked as a copy beside it (so its relative links resolve as they do for a
reader) with two scripts added at the end: axe-core, and a call that writes its findings into
the page. `--dump-dom` prints the page once its scripts have run (`--virtual-time-budget`
lets the browser's clock run until nothing is left to do), and the findings are read back
from it. No protocol client and no package beyond the browser.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The rules of WCAG 2.1 levels A and AA, as axe-core tags them.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_S = 120
RUNNER = """<script>
axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
  .then(function (result) {
    var found = result.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(function (n) {
                return n.target.join(" ") + ": " + n.failureSummary;
              })};
    });
    var out = document.createElement("pre");
    out.id = "axe-result";
    // Wider than the window: the page scrolls sideways (a table may, inside its region).
    var root = document.documentElement;
    var overflow = root.scrollWidth > window.innerWidth ? root.scrollWidth : 0;
    out.textContent = JSON.stringify({passes: result.passes.length, violations: found,
                                      overflow: overflow});
    document.body.appendChild(out);
  });
</script>"""
RESULT = re.compile(r'<pre id="axe-result">(.*?)</pre>', re.S)


def chromium() -> str:
    """The browser's command; an error saying how to install it if there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("no Chromium: install the Debian package `chromium` "
                         "(apt-get install --no-install-recommends chromium; .ci/run does)")


def run(*arguments: str) -> str:
    """Chromium headless with `arguments`; its standard output."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--disable-extensions", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def dump_dom(page: Path) -> str:
    """The page as the browser holds it once loaded."""
    return run("--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri())


def axe_check(page: Path, width: int = 320) -> dict:
    """axe-core's findings on `page`, in a window `width` CSS pixels wide, for the WCAG 2.1
    A and AA rules: {"passes": count of rules passed, "violations": [{id, impact, help,
    nodes}], "overflow": the page's width if it is wider than the window, else 0}."""
    source = page.read_text("utf-8")
    scripts = (f'<script src="{AXE.resolve().as_uri()}"></script>'
               + RUNNER % json.dumps(WCAG_AA))
    probe = page.with_name(f".axe-{page.name}")
    probe.write_text(source.replace("</body>", scripts + "</body>"), "utf-8")
    try:
        dom = run("--virtual-time-budget=30000", f"--window-size={width},900", "--dump-dom",
                  probe.resolve().as_uri())
    finally:
        probe.unlink()
    found = RESULT.search(dom)
    assert found, f"axe-core did not finish on {page.name}"
    return json.loads(html.unescape(found[1]))


def screenshot(page: Path, target: Path, width: int, height: int) -> None:
    run("--hide-scrollbars", f"--window-size={width},{height}",
        f"--screenshot={target.resolve()}", page.resolve().as_uri())
