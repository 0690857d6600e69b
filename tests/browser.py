"""A real browser for the tests of the web edition: headless Chromium (the Debian package
`chromium`), driven from the command line, and axe-core (vendored in tests/vendor/) run in it.

A harness page beside the site's pages loads each in a frame (so its relative links resolve
as they do for a reader), adds axe-core to it, runs it and writes the findings into the
harness. `--dump-dom` prints the harness once its scripts have run (`--virtual-time-budget`
lets the browser's clock run until nothing is left to do), and the findings are read back
from it. One browser start for every page; no protocol client, no package but the browser.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The rules of WCAG 2.1 levels A and AA, as axe-core tags them, and its best practices
# (heading order, landmarks holding all content, one main, …).
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TIMEOUT_S = 120
# Loads each page in turn in a frame `width` pixels wide, runs axe-core inside it, and writes
# every finding into the harness page, which --dump-dom prints once all are done.
HARNESS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>axe</title></head>
<body><script>
var pages = %(pages)s, results = {};
// What the keyboard meets first, and how focus shows on it and on a link of the content.
function focus(view, page) {
  var first = page.querySelector("a[href], button, input, select, textarea, [tabindex='0']");
  function shown(element) {
    element.focus();
    var style = view.getComputedStyle(element), box = element.getBoundingClientRect();
    return {outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
            inView: box.top >= 0 && box.bottom <= view.innerHeight && box.width > 0};
  }
  return {first: first.className + " " + first.getAttribute("href"), skip: shown(first),
          link: shown(page.querySelector("main a[href]"))};
}
function check(index) {
  if (index === pages.length) {
    var out = document.createElement("pre");
    out.id = "axe-result";
    out.textContent = JSON.stringify(results);
    document.body.appendChild(out);
    return;
  }
  var frame = document.createElement("iframe");
  frame.style.width = "%(width)dpx"; frame.style.height = "900px"; frame.style.border = "0";
  frame.onload = function () {
    var page = frame.contentDocument, script = page.createElement("script");
    script.src = %(axe)s;
    script.onload = function () {
      frame.contentWindow.axe.run(page, {runOnly: {type: "tag", values: %(rules)s},
                                         resultTypes: ["violations"]})
        .then(function (result) {
          // Wider than the frame: the page scrolls sideways (a table may, in its region).
          var root = page.documentElement;
          results[pages[index]] = {
            passes: result.passes.length,
            overflow: root.scrollWidth > frame.contentWindow.innerWidth ? root.scrollWidth : 0,
            focus: focus(frame.contentWindow, page),
            violations: result.violations.map(function (v) {
              return {id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(function (n) {
                        return n.target.join(" ") + ": " + n.failureSummary;
                      })};
            })};
          frame.remove();
          check(index + 1);
        });
    };
    page.body.appendChild(script);
  };
  frame.src = pages[index];
  document.body.appendChild(frame);
}
check(0);
</script></body></html>"""
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
    """Chromium headless with `arguments`; its standard output. A profile of its own, so
    that a browser the user has open is neither used nor disturbed; no sandbox and no
    /dev/shm, which a CI container running as root lacks."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                   f"--user-data-dir={profile}", *arguments]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def dump_dom(page: Path) -> str:
    """The page as the browser holds it once loaded."""
    return run("--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri())


def axe_check(folder: Path, pages: list[str], width: int = 320) -> dict[str, dict]:
    """axe-core's findings on each page of `folder`, in a window `width` CSS pixels wide,
    for the WCAG 2.1 A and AA rules and axe's best practices, by page: {"passes": count of
    rules passed, "violations": [{id, impact, help, nodes}], "overflow": the page's width if
    it is wider than the window, else 0, "focus": {"first": class and href of the first
    element the keyboard reaches, "skip" and "link": {"outline": width in px of the focus
    outline, "inView": whether it is on screen} for that element and a link of the main
    content, each focused}}. One browser run for all the pages."""
    harness = folder / ".axe-harness.html"
    harness.write_text(HARNESS % {"pages": json.dumps(pages), "width": width,
                                  "axe": json.dumps(AXE.resolve().as_uri()),
                                  "rules": json.dumps(RULES)}, "utf-8")
    try:
        # Pages of file:// may reach into frames of file:// only with this switch.
        dom = run("--allow-file-access-from-files", "--virtual-time-budget=120000",
                  "--dump-dom", harness.resolve().as_uri())
    finally:
        harness.unlink()
    found = RESULT.search(dom)
    assert found, "axe-core did not finish"
    return json.loads(html.unescape(found[1]))


def screenshot(page: Path, target: Path, width: int, height: int) -> None:
    run("--hide-scrollbars", f"--window-size={width},{height}",
        f"--screenshot={target.resolve()}", page.resolve().as_uri())
