"""The engine improvements are installed only on the engine code they were written for
(transfo_print/engine.py)."""

from __future__ import annotations

import subprocess
import sys

from conftest import MINI

from transfo_print import breakmargins, engine, render


def test_every_improvement_is_written_for_this_engine():
    render.load_engine()
    assert render.LEFT_OUT == []


def test_an_improvement_leaves_engine_code_it_does_not_know_as_it_is(monkeypatch):
    from weasyprint.layout import block

    render.load_engine()
    breakmargins.uninstall()
    engines = block._in_flow_layout
    try:
        monkeypatch.setitem(engine.WRITTEN_FOR, engine.name(engines), "0" * 16)
        assert not breakmargins.install()
        assert block._in_flow_layout is engines
    finally:
        monkeypatch.undo()
        assert breakmargins.install()
    assert block._in_flow_layout is not engines


def test_a_build_on_other_engine_code_says_what_it_left_out(tmp_path):
    """The build goes on, and says once which improvements it left out."""
    script = (
        "import sys; from transfo_print import cli, engine\n"
        "engine.WRITTEN_FOR['weasyprint.layout.page.make_all_pages'] = '0' * 16\n"
        f"sys.exit(cli.main(['build', {str(MINI)!r}, '--out', {str(tmp_path)!r}, '-q']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "left out" in line]
    assert len(warnings) == 1 and "left out: repagination;" in warnings[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.glob("*.pdf"))
