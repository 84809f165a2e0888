"""The report stage: a computation's `Result` made into a `Report` and rendered.

    model.py       the typed Report (amounts in cents), build_report, to_json / from_json
    json_report.py report.json's JSON-value view (for scripts and tests)
    compare.py     reading earlier / expected reports (ReportFigures); check, --compare
    reperform.py   `reserve reperform`: a prepared computation against the recomputed one
    summary.py     the terminal summary (and `--json`)
    supporting.py  the rows behind each line (supporting/*.parquet)
    html.py        report.html (context built here; templates/ only lay it out)
    xlsx.py        report.xlsx (xlsx_rows.py writes the big sheets' rows)
    render.py      the HTML page, workbook and supporting rows written in one pass
"""
