"""bench/run.py writes each scale's table into its own section of docs/performance.md (the benchmarks themselves
are not tests; this is only where their results go)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_size_has_its_own_section(tmp_path):
    run = load_run()
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nintro\n\n<!-- bench:results:large:start -->\nold large\n"
                   "<!-- bench:results:large:end -->\n\nmiddle\n\n<!-- bench:results:national:start -->\n"
                   "old national\n<!-- bench:results:national:end -->\n\nfindings\n", encoding="utf-8")
    run.write_doc("new national table", "national", doc)
    text = doc.read_text(encoding="utf-8")
    assert "new national table" in text and "old national" not in text
    assert "old large" in text and text.index("old large") < text.index("middle") < text.index("new national")
    assert text.endswith("findings\n")
    run.write_doc("new large table", "large", doc)
    text = doc.read_text(encoding="utf-8")
    assert "old large" not in text and "new large table" in text and "new national table" in text


def test_the_single_section_of_before_becomes_the_large_one(tmp_path):
    run = load_run()
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n<!-- bench:results:start -->\nprovince table\n<!-- bench:results:end -->\n\n"
                   "findings\n", encoding="utf-8")
    run.write_doc("national table", "national", doc)
    text = doc.read_text(encoding="utf-8")
    assert "<!-- bench:results:start -->" not in text
    large = text.split("<!-- bench:results:large:start -->")[1].split("<!-- bench:results:large:end -->")[0]
    assert large.strip() == "province table"
    national = text.split("<!-- bench:results:national:start -->")[1].split("<!-- bench:results:national:end -->")[0]
    assert national.strip() == "national table"
    assert "findings" in text


def test_the_size_is_read_from_the_number_of_contracts():
    run = load_run()
    assert run.detect_size(199_295) == "large"
    assert run.detect_size(999_999) == "large"
    assert run.detect_size(2_000_000) == "national"
