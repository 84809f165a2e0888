from pathlib import Path

from reserve.book.docs import render


def test_book_format_doc_is_generated_from_the_schema():
    committed = (Path(__file__).parent.parent / "docs" / "BOOK_FORMAT.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m reserve.book.docs > docs/BOOK_FORMAT.md"
