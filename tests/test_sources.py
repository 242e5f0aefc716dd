"""sources: discovery of files, directories and globs; bounded reads."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from flows.errors import SourceError, UsageError
from flows.sources import SourceRef, discover_sources, read_source, read_sources


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("one")
    (tmp_path / "a" / "two.html").write_text("<html><p>two</p></html>")
    (tmp_path / "a" / ".hidden.txt").write_text("no")
    (tmp_path / "a" / ".git").mkdir()
    (tmp_path / "a" / ".git" / "x.txt").write_text("no")
    (tmp_path / "b.txt").write_text("b")
    return tmp_path


def test_discovers_directories_files_and_globs_in_order(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    refs = discover_sources([str(root / "a"), str(root / "b.txt"), str(root / "*.txt")])
    assert [Path(r.uri).relative_to(root).as_posix() for r in refs] == [
        "a/one.txt",
        "a/two.html",
        "b.txt",
    ]


def test_a_path_that_names_nothing_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        discover_sources([str(tmp_path / "missing.txt")])


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("x.txt", b"text", "text/plain"),
        ("x.html", b"<p>x</p>", "text/html"),
        ("x.htm", b"<p>x</p>", "text/html"),
        ("noext", b"  <!DOCTYPE html><html></html>", "text/html"),
        ("noext2", b"just words", "text/plain"),
        ("x.html.gz", gzip.compress(b"<p>x</p>"), "text/html"),
    ],
)
def test_media_types(tmp_path: Path, name: str, data: bytes, media_type: str) -> None:
    (tmp_path / name).write_bytes(data)
    raw = read_source(SourceRef(str(tmp_path / name)), max_bytes=1000)
    assert raw.media_type == media_type
    assert raw.data == (gzip.decompress(data) if name.endswith(".gz") else data)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("big.txt", b"x" * 2000, "too_large"),
        ("bomb.html.gz", gzip.compress(b"<p>" + b"x" * 100_000), "too_large"),
        ("bad.html.gz", b"\x1f\x8b not really gzip", "malformed"),
        ("cut.html.gz", gzip.compress(b"<p>hello</p>" * 50)[:30], "malformed"),
    ],
)
def test_bounded_reads(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(SourceError) as caught:
        read_source(SourceRef(str(tmp_path / name)), max_bytes=1000)
    assert caught.value.reason == reason


def test_unreadable_inputs_become_rejects(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("fine")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    raws, rejects = read_sources(
        [SourceRef(str(tmp_path / "ok.txt")), SourceRef(str(tmp_path / "dangling.txt"))],
        max_bytes=1000,
    )
    assert [r.uri for r in raws] == [str(tmp_path / "ok.txt")]
    assert [(Path(r.source_uri).name, r.reason) for r in rejects] == [
        ("dangling.txt", "unreadable")
    ]


def test_an_input_written_while_it_is_read_is_left_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    growing = tmp_path / "growing.txt"
    growing.write_text("The first half of an article")
    steady = tmp_path / "steady.txt"
    steady.write_text("A whole article.")
    real_read = Path.read_bytes

    def read_while_a_writer_appends(self: Path) -> bytes:
        data = real_read(self)
        if self.name == "growing.txt":
            with self.open("a") as handle:  # the writer goes on after our read
                handle.write(", and the second half.")
        return data

    monkeypatch.setattr(Path, "read_bytes", read_while_a_writer_appends)
    raws, rejects = read_sources([SourceRef(str(growing)), SourceRef(str(steady))], max_bytes=1000)
    assert [raw.uri for raw in raws] == [str(steady)]
    assert rejects == []  # not a reject: nothing is wrong with it, it is not finished
    assert "changed while it was read; left for the next run" in caplog.text
    monkeypatch.setattr(Path, "read_bytes", real_read)
    whole = read_source(SourceRef(str(growing)), max_bytes=1000)
    assert whole.data == b"The first half of an article, and the second half."
    assert whole.stat is not None
    assert whole.stat.size == len(whole.data)
