# Describes each dataset for the language model: its columns, their types,
# missing values, distinct values, summary statistics and the first rows. Runs in
# the sandbox like any code (the engine never parses the analyst's files itself)
# and prints one line, SANDPIPER-SUMMARY <json>, shaped like DatasetSummary in
# what_is_sent.rs. How much of it leaves the computer is decided there, not here.
#
# With pandas (the analysis image) every format is read by read_tables.py, which
# the engine puts in front of this script: CSV/TSV in any encoding and delimiter,
# Excel, JSON, Parquet. Without it (a bare python:3.11-slim), text tables are
# read with the standard library below.

import csv
import json
import math
import os
import statistics

SAMPLE_ROWS = 5
# Past this many distinct values a column's count is left out rather than kept in memory.
MAX_DISTINCT = 10000
# What pandas reads as missing by default (the most common of them).
MISSING = {"", "na", "n/a", "nan", "null", "none", "-nan", "#n/a", "<na>"}


def open_text(path):
    # UTF-8 (with or without a byte-order mark) when the start decodes as UTF-8,
    # else Windows-1252, which decodes any byte; odd bytes later become U+FFFD.
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    try:
        head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as err:
        # A character cut by the 1 MiB boundary is not a wrong encoding.
        encoding = "utf-8-sig" if err.start >= len(head) - 3 else "cp1252"
    return open(path, newline="", encoding=encoding, errors="replace"), head, encoding


def dialect_of(path, head):
    sample = head[:65536].decode("utf-8", errors="replace")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel_tab if path.lower().endswith(".tsv") else csv.excel


def number(text):
    try:
        value = float(text.replace(",", "")) if "," in text and "." in text else float(text)
    except ValueError:
        return None
    return value


def finite(value):
    return value if value is not None and math.isfinite(value) else None


# Read as text tables only; anything else would be described as nonsense.
TEXT_TABLES = (".csv", ".tsv", ".txt", ".tab", "")


def describe(path):
    if os.path.splitext(path)[1].lower() not in TEXT_TABLES:
        raise ValueError("only CSV, TSV and TXT tables can be described to the model for now, "
                         "not %s" % os.path.basename(path))
    f, head, encoding = open_text(path)
    dialect = dialect_of(path, head)
    with f:
        reader = csv.reader(f, dialect)
        header = next(reader, None) or []
        width = len(header)
        columns = [
            {"name": name.strip() or "column_%d" % (i + 1), "missing": 0, "values": [],
             "integers": True, "numeric": True, "distinct": set(), "too_many": False}
            for i, name in enumerate(header)
        ]
        rows = 0
        sample = []
        for row in reader:
            if not row:
                continue
            rows += 1
            row = (row + [""] * width)[:width]  # ragged rows: pad or cut to the header
            if len(sample) < SAMPLE_ROWS:
                sample.append(row)
            for column, cell in zip(columns, row):
                text = cell.strip()
                if text.lower() in MISSING:
                    column["missing"] += 1
                    continue
                if not column["too_many"]:
                    column["distinct"].add(text)
                    if len(column["distinct"]) > MAX_DISTINCT:
                        column["too_many"] = True
                        column["distinct"] = set()
                if column["numeric"]:
                    value = number(text)
                    if value is None:
                        column["numeric"] = False
                        column["values"] = []
                    else:
                        column["values"].append(value)
                        if column["integers"] and not (value.is_integer() and "." not in text):
                            column["integers"] = False
    described = []
    for column in columns:
        values = column["values"]
        numeric = column["numeric"] and bool(values)
        if not numeric:
            dtype = "object" if values or column["distinct"] or column["too_many"] else "float64"
        elif column["integers"] and column["missing"] == 0:
            dtype = "int64"
        else:
            dtype = "float64"  # pandas, too, reads whole numbers with gaps as floats
        stats = None
        if numeric:
            stats = {
                "min": finite(min(values)),
                "max": finite(max(values)),
                "mean": finite(statistics.fmean(values)),
                "median": finite(statistics.median(values)),
                "std": finite(statistics.stdev(values)) if len(values) > 1 else None,
            }
        described.append({
            "name": column["name"],
            "dtype": dtype,
            "missing": column["missing"],
            "distinct": None if column["too_many"] else len(column["distinct"]),
            "numeric": stats,
        })
    return {
        "name": os.path.basename(path),
        "rows": rows,
        "columns": described,
        "sample_rows": sample,
        "encoding": encoding,
        "delimiter": dialect.delimiter,
    }


# Files above this size are described from their first rows (the count of rows
# still covers the whole file): the sandbox's memory is capped.
SAMPLE_ABOVE_BYTES = 200 << 20
SAMPLED_ROWS = 200000


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def describe_frame(path):
    import pandas as pd
    big = os.path.getsize(path) > SAMPLE_ABOVE_BYTES
    frame, info = read_table(path, nrows=SAMPLED_ROWS if big else None)
    rows = len(frame)
    if big and info["kind"] == "csv":
        rows = max(rows, count_lines(path) - 1)
    columns = []
    for name in frame.columns:
        series = frame[name]
        stats = None
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.dropna()
            if len(values):
                stats = {
                    "min": finite(float(values.min())),
                    "max": finite(float(values.max())),
                    "mean": finite(float(values.mean())),
                    "median": finite(float(values.median())),
                    "std": finite(float(values.std())) if len(values) > 1 else None,
                }
        try:
            distinct = int(series.nunique(dropna=True))
        except TypeError:  # lists or dicts in cells (nested JSON)
            distinct = None
        columns.append({
            "name": str(name),
            "dtype": str(series.dtype),
            "missing": int(series.isna().sum()),
            "distinct": distinct,
            "numeric": stats,
        })
    sample = [["" if pd.isna(v) else str(v) for v in row]
              for row in frame.head(SAMPLE_ROWS).itertuples(index=False, name=None)]
    described = {
        "name": os.path.basename(path),
        "rows": rows,
        "columns": columns,
        "sample_rows": sample,
    }
    for key in ("encoding", "delimiter", "kind", "sheet", "sheets", "header_row", "read"):
        if info.get(key) is not None:
            described[key] = info[key]
    # Model code has load_data (which reads this file exactly as described here)
    # where the analysis image provides it; elsewhere the plain pandas call.
    if info.get("load") and HAS_LOAD_DATA:
        described["read"] = info["load"]
    return described


try:
    import importlib.util
    HAS_LOAD_DATA = importlib.util.find_spec("sandpiper_reading") is not None
except (ImportError, ValueError):
    HAS_LOAD_DATA = False


def describe_any(path):
    try:
        import pandas  # noqa: F401
    except ImportError:
        return describe(path)
    return describe_frame(path)


print("SANDPIPER-SUMMARY " + json.dumps([describe_any(p) for p in datasets], allow_nan=False))
