# Reading analysts' files the way they really are. Used inside the sandbox by
# the dataset description (what the model is told) and offered to model code as
# load_data(path): CSV with any delimiter, encoding and decimal comma, TSV,
# Excel with title rows above the header and merged header cells, JSON records
# (nested too) and JSON lines, Parquet. Users of PandasAI and ChatGPT hit
# exactly these: encoding crashes, merged-cell headers, "Unnamed: 3" columns.
#
# Every function tells what it decided (encoding, delimiter, sheet, header row),
# so the decision is shown, never silent. Needs pandas (the analysis image has it;
# on a bare image the description falls back to its standard-library reader).

import codecs
import csv
import json
import os

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat", "")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")

# How much of a text file is looked at to decide its encoding and delimiter.
SNIFF_BYTES = 4 << 20


def kind_of(path):
    suffix = os.path.splitext(path)[1].lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    with open(path, "rb") as f:
        head = f.read(8)
    # The content wins over a wrong extension.
    if head.startswith(b"PK\x03\x04"):
        return "excel"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return "text"


def sniff_encoding(head):
    """The encoding of a text file's start: UTF-8 first, then a byte-order mark,
    then GB18030 when the non-ASCII bytes come in pairs as Chinese text's do,
    then Windows-1252; Latin-1 (which decodes anything) only as the last resort,
    and said so."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return name
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        # A character cut at the end of the sample is not a wrong encoding.
        if err.start >= len(head) - 3:
            try:
                head[: err.start].decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                pass
    high = [i for i, b in enumerate(head) if b >= 0x80]
    paired = sum(1 for i in high if (i + 1 < len(head) and head[i + 1] >= 0x40 and head[i] >= 0x81)
                 or (i > 0 and head[i - 1] >= 0x81))
    if high and paired >= 0.9 * len(high):
        try:
            head.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def sniff_text(path):
    """Encoding, delimiter and decimal mark of a text table."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    encoding = sniff_encoding(head)
    text = head.decode(encoding, errors="replace")
    sample = text[:65536]
    suffix = os.path.splitext(path)[1].lower()
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        lines = [l for l in sample.splitlines()[:20] if l.strip()]
        counts = {d: min((l.count(d) for l in lines), default=0) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else (
            "\t" if suffix in (".tsv", ".tab") else ",")
    decimal = "."
    if delimiter != ",":
        # "1,5" between separators: the decimal comma of much of Europe.
        import re
        if re.search(r"(^|[%s])-?\d+,\d+($|[%s])" % (re.escape(delimiter), re.escape(delimiter)),
                     sample, re.M):
            decimal = ","
    return encoding, delimiter, decimal


def read_text(path, nrows=None):
    import pandas as pd
    encoding, delimiter, decimal = sniff_text(path)
    frame = pd.read_csv(path, sep=delimiter, encoding=encoding, decimal=decimal,
                        nrows=nrows, encoding_errors="replace", on_bad_lines="warn",
                        low_memory=False)
    args = ["file"]
    if delimiter != ",":
        args.append("sep=%r" % delimiter)
    if encoding not in ("utf-8", "utf-8-sig"):
        args.append("encoding=%r" % encoding)
    if decimal != ".":
        args.append("decimal=%r" % decimal)
    info = {"kind": "csv", "encoding": encoding, "delimiter": delimiter, "decimal": decimal,
            "read": "pd.read_csv(%s)" % ", ".join(args)}
    return frame, info


def _cell_text(value):
    return "" if value is None else str(value).strip()


def read_excel(path, sheet=None, nrows=None, header_row=None):
    """A sheet as a table: the header row found even below a title, merged
    header cells filled across the columns they span, two header rows joined.
    `header_row` (counted from 1, as Excel shows it) says where the column
    names are instead, as the analyst chose."""
    import openpyxl
    import pandas as pd
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = book.sheetnames
    if sheet is None:
        # The first sheet with a table in it.
        sheet = next((name for name in sheets if book[name].max_row > 1), sheets[0])
    if sheet not in sheets:
        raise ValueError("the workbook has no sheet named %r (its sheets: %s)"
                         % (sheet, ", ".join(repr(s) for s in sheets)))
    ws = book[sheet]
    if header_row is not None and not 1 <= int(header_row) <= max(ws.max_row, 1):
        raise ValueError("sheet %r has %d rows, so row %d cannot hold the column names"
                         % (sheet, ws.max_row, int(header_row)))
    scan = min(ws.max_row, max(30, int(header_row or 0)))
    grid = [[c for c in row] for row in ws.iter_rows(min_row=1, max_row=scan, values_only=True)]
    # Fill merged cells in the top rows, where headers are.
    for merged in ws.merged_cells.ranges:
        if merged.min_row > scan:
            continue
        value = ws.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, min(merged.max_row, scan) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    width = max((sum(1 for v in row if _cell_text(v)) for row in grid), default=0)
    def header_like(row):
        filled = [v for v in row if _cell_text(v)]
        texts = [v for v in filled if isinstance(v, str)]
        # A title merged across the table repeats one value: not a header.
        distinct = len(set(_cell_text(v) for v in filled))
        return (width and len(filled) >= max(2, 0.6 * width) and len(texts) >= 0.6 * len(filled)
                and distinct >= max(2, 0.5 * len(filled)))

    chosen = header_row is not None
    if chosen:
        header_index = int(header_row) - 1
    else:
        header_index = next((i for i, row in enumerate(grid) if header_like(row)), 0)
        # Two header rows (group labels, then their columns): the lower one names them.
        while header_index + 2 < len(grid) and header_like(grid[header_index + 1]):
            header_index += 1
    header = [_cell_text(v) for v in grid[header_index]] if grid else []
    # A row of group labels above the header (merged across its columns) joins in.
    if header_index > 0 and not chosen:
        above = [_cell_text(v) for v in grid[header_index - 1]]
        spans = sum(1 for a, b in zip(above, above[1:]) if a and a == b)
        if spans:
            header = [("%s %s" % (a, h)).strip() if a and a != h else h
                      for a, h in zip(above + [""] * len(header), header)]
    header = [h or "column_%d" % (i + 1) for i, h in enumerate(header)]
    seen = {}
    for i, h in enumerate(header):
        if h in seen:
            seen[h] += 1
            header[i] = "%s_%d" % (h, seen[h])
        else:
            seen[h] = 1
    rows = []
    for row in ws.iter_rows(min_row=header_index + 2, values_only=True):
        if nrows is not None and len(rows) >= nrows:
            break
        if not any(_cell_text(v) for v in row):
            continue
        rows.append(list(row[: len(header)]) + [None] * (len(header) - len(row)))
    frame = pd.DataFrame(rows, columns=header)
    info = {"kind": "excel", "sheet": sheet, "sheets": sheets, "header_row": header_index + 1,
            "read": "pd.read_excel(file, sheet_name=%r, header=%d)" % (sheet, header_index),
            "load": ("load_data(file, sheet=%r, header_row=%d)" % (sheet, header_index + 1)
                     if chosen else "load_data(file, sheet=%r)" % sheet)}
    return frame, info


def read_json(path, nrows=None):
    import pandas as pd
    suffix = os.path.splitext(path)[1].lower()
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode(sniff_encoding(raw[:SNIFF_BYTES]), errors="replace")
    if suffix in (".jsonl", ".ndjson"):
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        where = None
    else:
        data = json.loads(text)
        where = None
        if isinstance(data, dict):
            # {"data": [...]} and the like: the first list of records inside.
            lists = [k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
            if lists:
                where = lists[0]
                records = data[where]
            elif all(isinstance(v, list) for v in data.values()):
                records = pd.DataFrame(data).to_dict("records")
            else:
                records = [data]
        else:
            records = data
    if nrows is not None:
        records = records[:nrows]
    frame = pd.json_normalize(records, sep=".")
    if suffix in (".jsonl", ".ndjson"):
        read = "pd.read_json(file, lines=True)"
    elif where is not None:
        read = "pd.json_normalize(json.load(open(file))[%r], sep='.')" % where
    else:
        read = "pd.json_normalize(json.load(open(file)), sep='.')"
    info = {"kind": "json", "records_key": where, "read": read, "load": "load_data(file)"}
    return frame, info


def read_parquet(path, nrows=None):
    import pandas as pd
    frame = pd.read_parquet(path)
    if nrows is not None:
        frame = frame.head(nrows)
    return frame, {"kind": "parquet", "read": "pd.read_parquet(file)"}


def chosen_table(path):
    """The sheet and header row the analyst chose for this file, when Sandpiper
    put their choices in front of this code (READ_CHOICES, by file name)."""
    choices = globals().get("READ_CHOICES") or {}
    choice = choices.get(os.path.basename(path)) or {}
    return choice.get("sheet"), choice.get("header_row")


def read_table(path, sheet=None, nrows=None, header_row=None):
    """A DataFrame of the file, and what was decided to read it."""
    kind = kind_of(path)
    if kind == "excel":
        if sheet is None and header_row is None:
            sheet, header_row = chosen_table(path)
        return read_excel(path, sheet=sheet, nrows=nrows, header_row=header_row)
    if kind == "json":
        return read_json(path, nrows=nrows)
    if kind == "parquet":
        return read_parquet(path, nrows=nrows)
    return read_text(path, nrows=nrows)


def load_data(path, sheet=None, header_row=None):
    """The dataset at `path` as a pandas DataFrame, read the way the file really
    is (encoding, delimiter, decimal comma, Excel header row and merged headers,
    nested JSON). In analysis code, load_data() with no path reads main_file.
    For Excel, `sheet` and `header_row` (counted from 1) override the guess."""
    frame, _ = read_table(path, sheet=sheet, header_row=header_row)
    return frame
