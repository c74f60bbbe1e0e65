#!/usr/bin/env python3
"""Sandpiper "Quick profile": a first look at a tabular data file.

Embedded in the Sandpiper binary (include_str!) and run inside the locked-down
analysis container (Python 3.11, no network, 512 MiB RAM, half a CPU core,
read-only /data, non-root user, HOME=/tmp) as

    python3 /sandpiper/quick_profile.py /data/<file> [/data/<file2> ...]

Contract relied on by the Rust side and its tests:
* stdout, per file, streamed line by line: "Quick profile of <name>",
  "Reading <name> (<size>)...", "Rows: N" and "Columns: N" (plain integers),
  "Delimiter: ..." (or "Format: ..."), optional "Note: ..." lines, then the
  sections "Column types", "Missing values", "Summary statistics", "Charts".
  While a file is read, every ~3 s: "  Read <p>% of <name>" (the standard
  library's reader adds "(N rows so far)").
* One hist_<filesystem-safe column name>.png per numeric column (at most 20
  per file) in $SANDPIPER_OUTPUT_DIR (default /workspace/output, created if
  missing). A name already used in this run becomes hist_<file>_<column>.png.
* Per profiled file, quick_profile_<n>.json (n = the file's place in the
  arguments, from 1) in the same folder: the numbers behind the report, in
  the shape of src/profile_data.rs's DatasetProfile (its doc comments are the
  reference), which the engine emits as a typed event.
* A file that cannot be profiled gets exactly one stderr line
  "PROFILE-ERROR: <plain words, with what to do>"; the remaining files are
  still profiled and the exit status is 2. Otherwise the exit status is 0.

Two readers. When DuckDB imports (the analysis image) and a UTF-8 delimited
file is at least 8 MiB, DuckDB reads it in one pass: one aggregate query over
the file, inside the container's limits (memory_limit 40% of the container's,
one thread per whole CPU, spills in the work folder). Counts, missing values,
min, max, mean and std are exact; distinct counts (HyperLogLog) and quartiles
(t-digest) are estimates, and histograms and most common values come from a
random sample of the rows scaled to the column (exact when the sample is the
whole file). When DuckDB refuses the file (malformed quotes, ragged rows, a
type that changes too often), the standard-library reader reads it again and
its plain-words messages apply.

The standard-library reader (bare images, smaller and non-UTF-8 files) needs
nothing else: one pass, bounded memory (numbers in 4- or 8-byte arrays, text
in Counters capped at 100,000 distinct values per column and ~128 MB per
file), because pandas.read_csv can need several times the file size and the
container has 512 MiB. With pandas, .xlsx/.json/.parquet are read by the
table readers the analysis agent uses (sandbox/read_tables.py, which the
binary ships in front of this script: the sheet with a table, the header row
under a title, merged header cells filled, nested JSON records); .xls by pandas;
matplotlib draws the small files' charts when present, otherwise (and for
files DuckDB read) a built-in PNG drawer (zlib+struct and a 5x8 bitmap font)
does. SANDPIPER_PROFILE_STDLIB_ONLY=1 forces the standard-library path.
"""

import array
import bisect
import codecs
import csv
import json
import math
import os
import re
import struct
import sys
import threading
import time
import unicodedata
import zlib
from collections import Counter

MISSING = frozenset(("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-"))
BOOL_WORDS = frozenset(("true", "false", "yes", "no"))
DATE_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
                     r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$")
TEXT_EXTS = {".csv": ",", ".tsv": "\t", ".txt": ","}  # extension -> fallback delimiter
OTHER_EXTS = {".xlsx": "an Excel workbook", ".xls": "an Excel workbook",
              ".json": "a JSON file", ".parquet": "a Parquet file"}
DELIM_LABELS = {",": '","', ";": '";"', "\t": "tab", "|": '"|"'}
ENCODING_LABELS = {"cp1252": "Windows-1252", "latin-1": "Latin-1 (ISO-8859-1)"}
SAMPLE_BYTES = 64 * 1024
MAX_DISTINCT = 100_000
COUNTER_BUDGET = 128 * 1024 * 1024  # estimated bytes of Counter keys per file
MAX_CHARTS = 20
PROGRESS_SECONDS = 3.0
TOP_VALUES = 5  # most common values kept per text column
# The window's preview of the first rows (local only: the model is told about
# the data by llm/dataset_summary.py, never from this document).
FIRST_ROWS = 10
FIRST_ROW_CELL_CHARS = 200
DUCKDB_MIN_BYTES = 8 * 1024 * 1024  # smaller files: the standard library is quicker
# Column.type_name -> the profile's kind (the Rust side's ColumnKind), and back
KINDS = {"integer": "integer", "decimal": "decimal", "true/false": "true_false",
         "date": "date", "text": "text", "empty": "empty"}
KIND_LABELS = {v: k for k, v in KINDS.items()}
INT, FLOAT = "integer", "decimal"  # numeric states of a column, see Column.add


class ProfileError(Exception):
    """A problem the user can fix; the message is shown to them as it is."""


def say(line=""):
    """Print one report line at once: the app streams stdout to the user."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(message):
    """Write the single marked error line the Rust side shows to the user."""
    sys.stderr.write("PROFILE-ERROR: " + " ".join(str(message).split()) + "\n")
    sys.stderr.flush()


# ----------------------------------------------------------------- formatting

def fmt_num(x):
    """Up to 6 significant digits, without exponents for everyday magnitudes."""
    if x is None or x != x:
        return "-"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return "%.0f" % x if 1e6 <= abs(x) < 1e15 else "%.6g" % x


def fmt_size(n):
    """Human file size with decimal units, as file managers show them."""
    if n < 1000:
        return "%d bytes" % n
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1000.0
        if n < 1000 or unit == "TB":
            return "%.1f %s" % (n, unit)


def shorten(text, width):
    """One-line, printable, width-limited version of a name or value."""
    text = " ".join(str(text).split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= width else text[:width - 3] + "..."


def screen_width(text):
    """Terminal columns taken by text (CJK and other wide characters take 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned(rows, right=()):
    """Align rows (the first is the header) into indented plain-text lines."""
    widths = [max(screen_width(r[i]) for r in rows) for i in range(len(rows[0]))]

    def pad(i, cell):
        gap = " " * (widths[i] - screen_width(cell))
        return gap + cell if i in right else cell + gap
    return ["  " + "  ".join(pad(i, c) for i, c in enumerate(r)).rstrip() for r in rows]


# ----------------------------------------------------------------- reading

class Column:
    """Streaming summary of one column, updated value by value.

    While every value so far is a number the column keeps only an array:
    4-byte array('i') while all are integers that fit (IDs, counts, years),
    else 8-byte array('d'). The first non-number switches it to a Counter of
    strings. New keys stop being added past MAX_DISTINCT per column or once
    the file's shared COUNTER_BUDGET is spent (wide files with many free-text
    columns), so memory stays bounded; `capped` records it.
    """
    budget = COUNTER_BUDGET  # shared by all columns of a file; reset per file
    __slots__ = ("name", "count", "missing", "kind", "nums", "counter",
                 "capped", "maybe_bool", "maybe_date", "decimal_comma")

    def __init__(self, name, decimal_comma=False):
        self.name, self.count, self.missing = name, 0, 0
        self.decimal_comma = decimal_comma  # "2,5" means 2.5 in ;-separated exports
        self.kind, self.nums = INT, array.array("i")
        self.counter, self.capped = None, False
        self.maybe_bool = self.maybe_date = True

    def add(self, s):
        """Record one non-missing, stripped value."""
        self.count += 1
        if self.kind is not None:
            if self._add_number(s):
                return
            self._stop_numeric()
        if self.maybe_bool and s.lower() not in BOOL_WORDS:
            self.maybe_bool = False
        if self.maybe_date and not DATE_RE.match(s):
            self.maybe_date = False
        self._count(s)

    def _count(self, s):
        """Counter update that stops adding keys at the caps."""
        c = self.counter
        n = c.get(s)
        if n is not None:
            c[s] = n + 1
        elif len(c) < MAX_DISTINCT and Column.budget > 0:
            c[s] = 1
            Column.budget -= len(s) + 100  # ~100 bytes of str and dict overhead
        else:
            self.capped = True

    def _add_number(self, s):
        """Append s to the array if it is a finite number; False if it is not.
        Demotes integer -> decimal at most once per column."""
        if "_" in s:  # Python accepts "1_000", spreadsheets and pandas do not
            return False
        if self.kind is INT:
            try:
                x = int(s)
            except ValueError:
                self.kind, self.nums = FLOAT, array.array("d", self.nums)
            else:
                try:
                    self.nums.append(x)
                except OverflowError:  # beyond 32 bits: move to 8-byte floats
                    if self.nums.typecode == "d":
                        return False  # beyond even a float's range
                    self.nums = array.array("d", self.nums)
                    return self._add_number(s)
                return True
        if self.decimal_comma and "," in s:
            s = s.replace(",", ".", 1)
        try:
            x = float(s)
        except ValueError:
            return False
        if not math.isfinite(x):
            return False
        self.nums.append(x)
        return True

    def _stop_numeric(self):
        """Turn the numbers seen so far into Counter keys (their text is not
        kept, so "1.50" comes back as "1.5": a rare, cosmetic loss)."""
        self.counter = Counter()
        for x in self.nums:  # value by value: a Counter(self.nums) could be huge
            self._count(str(int(x)) if x == int(x) else repr(x))
        if self.nums:  # numbers are neither true/false nor dates
            self.maybe_bool = self.maybe_date = False
        self.kind, self.nums = None, None

    @property
    def type_name(self):
        if self.count == 0:
            return "empty"
        if self.kind is not None:
            return self.kind
        return "true/false" if self.maybe_bool else "date" if self.maybe_date else "text"


class Table:
    """Everything the report needs about one file, after the single read."""

    def __init__(self, columns, rows, notes):
        self.columns, self.rows, self.notes = columns, rows, notes
        self.file_name = ""
        # Excel: the sheet read and the 1-based row its header came from.
        self.sheet = self.header_row = None
        self.sheets = []
        # The first rows as text, for the window's preview.
        self.first_rows = []


def preview_row(cells, width):
    """One row of the preview: `width` cells of text, each cut to a length the
    window can show."""
    cells = [c[:FIRST_ROW_CELL_CHARS] for c in cells[:width]]
    return cells + [""] * (width - len(cells))


def unique_names(header):
    """Header names made non-empty ("column_3") and unique ("price_2")."""
    names, seen = [], set()
    for i, raw in enumerate(header):
        base = " ".join(str(raw).split()) or "column_%d" % (i + 1)
        name, k = base, 2
        while name in seen:
            name, k = "%s_%d" % (base, k), k + 1
        seen.add(name)
        names.append(name)
    return names


def check_file(path, name):
    """Reject what is not a readable, non-empty data file of a known type.

    Returns (extension, size in bytes, first 64 KiB)."""
    if not os.path.exists(path):
        raise ProfileError("Could not find %s. Check that the file is still in your data "
                           "folder and run the profile again." % name)
    if os.path.isdir(path):
        raise ProfileError("%s is a folder, not a file. Choose a single data file "
                           "(for example a .csv file) to profile." % name)
    ext = os.path.splitext(name)[1].lower()
    if ext not in TEXT_EXTS and ext not in OTHER_EXTS:
        kind = ("%s files are" % ext) if ext else "files without an extension are"
        raise ProfileError("%s cannot be profiled: %s not supported. The quick profile "
                           "reads CSV (.csv, .tsv, .txt), Excel (.xlsx, .xls), JSON and Parquet "
                           "files; save your data as CSV and try again." % (name, kind))
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            sample = f.read(SAMPLE_BYTES)
    except OSError as e:
        raise ProfileError("Could not open %s (%s). Check that the file is readable and "
                           "try again." % (name, (e.strerror or str(e)).lower()))
    if size == 0 or (ext in TEXT_EXTS and not sample.strip()):
        raise ProfileError("%s is empty. Add a header row and at least one row of data, "
                           "then try again." % name)
    if ext in TEXT_EXTS:
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ProfileError("%s is saved as UTF-16 text, which the quick profile cannot "
                               "read. Save it again as CSV UTF-8 and try again." % name)
        if b"\x00" in sample:
            raise ProfileError("%s does not look like a text table: it contains binary data "
                               "(it may be a spreadsheet or another file saved with a %s "
                               "name). Open it in its program, export it as CSV and try "
                               "again." % (name, ext))
    return ext, size, sample


def encodings_to_try(sample):
    """UTF-8 first, unless the sample already proves otherwise; then
    Windows-1252; Latin-1 last because it accepts any bytes."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return ("utf-8-sig", "cp1252", "latin-1")
    except UnicodeDecodeError:
        return ("cp1252", "latin-1")


def sniff_delimiter(sample, ext):
    """Guess the delimiter: the candidate that splits the header into the most
    columns while keeping the rows consistent with it. csv.Sniffer alone is
    fooled by small files and by decimal commas ("2,5" in a ;-separated file),
    so it is only the fallback."""
    text = sample.decode("latin-1")  # delimiters are ASCII: any 8-bit view will do
    cut = text.rfind("\n")
    if 0 < cut < len(text) - 1:
        text = text[:cut]  # drop a line the 64 KiB cut may have split
    lines = [line for line in text.splitlines() if line.strip()][:500]
    best, best_score = None, (0.0, 0)
    for delim in ",;\t|":
        widths = [len(row) for row in csv.reader(lines, delimiter=delim)]
        if not widths or widths[0] < 2:
            continue
        consistency = sum(1 for w in widths if w == widths[0]) / len(widths)
        score = (round(consistency, 2), widths[0])
        if score > best_score:
            best, best_score = delim, score
    if best is not None:
        return best
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return TEXT_EXTS[ext]


def read_delimited(path, name, sample, delim):
    """Read the file once, trying the encodings in order; returns a Table."""
    for enc in encodings_to_try(sample):
        try:
            try:
                table = scan_delimited(path, name, enc, delim, strict=True)
            except LenientReadNeeded:  # strict only to spot an unclosed quote
                table = scan_delimited(path, name, enc, delim, strict=False)
        except UnicodeDecodeError:
            continue  # start again with the next encoding
        if enc in ENCODING_LABELS:
            table.notes.insert(0, "Note: the file is not UTF-8; read it as %s."
                               % ENCODING_LABELS[enc])
        return table


class LenientReadNeeded(Exception):
    """The strict reader met text after a closing quote ("a"b), which the
    lenient one reads as it is; read again without strict."""


def scan_delimited(path, name, encoding, delim, strict):
    """One streaming pass: header, then every row into the Column summaries.

    Strict, the csv module stops at the end of the file inside a quoted field
    instead of silently making the rest of the file one value: that is how an
    unclosed quote mark is found."""
    csv.field_size_limit(16 * 1024 * 1024)
    Column.budget = COUNTER_BUDGET
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delim, strict=strict)
        row_start = 1  # where the row being read starts, for the unclosed-quote message
        try:
            header = next((r for r in reader if r), None)
            if header is None:
                raise ProfileError("%s is empty. Add a header row and at least one row "
                                   "of data, then try again." % name)
            row_start = reader.line_num + 1
            cols = [Column(n, delim == ";") for n in unique_names(header)]
            width, rows, ragged = len(cols), 0, 0
            first_rows = []
            size = max(1, os.fstat(f.fileno()).st_size)
            last = time.monotonic()
            for row in reader:
                if not row:
                    continue  # blank line
                rows += 1
                if rows <= FIRST_ROWS:
                    first_rows.append(preview_row([raw.strip() for raw in row], width))
                if len(row) != width:
                    ragged += 1
                    for c in cols[len(row):]:
                        c.missing += 1
                for c, raw in zip(cols, row):
                    s = raw.strip()
                    if s in MISSING:
                        c.missing += 1
                    else:
                        c.add(s)
                if not rows & 0x3FFF and time.monotonic() - last > PROGRESS_SECONDS:
                    last = time.monotonic()
                    say("  Read %d%% of %s (%d rows so far)"
                        % (min(99, 100 * f.buffer.tell() // size), name, rows))
                row_start = reader.line_num + 1
        except csv.Error as e:
            if strict and "unexpected end of data" in str(e):
                raise ProfileError("Could not read %s as a table: the quote mark that opens a "
                                   "value on line %d is never closed, so the rest of the file "
                                   "would become one value. Check that quote marks in the file "
                                   "are balanced, or save it again as CSV, and try again."
                                   % (name, row_start))
            if strict:
                raise LenientReadNeeded
            raise ProfileError("Could not read %s as a table near line %d (%s). Check that "
                               "quote marks in the file are balanced, or save it again as "
                               "CSV, and try again." % (name, reader.line_num, e))
            raise ProfileError("Could not read %s as a table near line %d (%s). Check that "
                               "quote marks in the file are balanced, or save it again as "
                               "CSV, and try again." % (name, reader.line_num, e))
    notes = []
    if ragged:
        notes.append("Note: %d rows had a different number of fields than the header (%d); "
                     "missing fields were counted as missing values and extra fields were "
                     "ignored." % (ragged, width))
    table = Table(cols, rows, notes)
    table.first_rows = first_rows
    return table


def read_with_pandas(path, name, ext, pd):
    """Read a non-text format with pandas and feed it through the same Column
    logic, so types and counts match the text path."""
    kind = OTHER_EXTS[ext]
    if pd is None:
        raise ProfileError("%s is %s, which this analysis image cannot read (it needs "
                           "pandas). Save the data as a CSV file (in Excel: File > Save As "
                           "> CSV) and profile that instead." % (name, kind))
    try:
        if ext == ".xls":
            # openpyxl reads only .xlsx: the old format goes to pandas (xlrd).
            df, info = pd.read_excel(path), {"kind": "excel", "sheet": None}
        else:
            df, info = read_pandas_table(path)
    except ImportError as e:
        raise ProfileError("%s is %s, but the reader it needs (%s) is not installed in the "
                           "analysis image. Save it as a CSV file and profile that instead."
                           % (name, kind, getattr(e, "name", None) or "a pandas add-on"))
    except Exception as e:
        raise ProfileError("Could not read %s as %s (%s). Check the file, or save it as "
                           "CSV, and try again." % (name, kind, shorten(e, 200)))
    Column.budget = COUNTER_BUDGET
    # pandas names blank headers "Unnamed: 3"; the text path calls them column_4
    header = ["" if re.fullmatch(r"Unnamed: \d+", str(c)) else str(c) for c in df.columns]
    cols = [Column(n) for n in unique_names(header)]
    for col, (_, series) in zip(cols, df.items()):
        for v in series.tolist():
            s = cell_text(v, pd).strip()
            if s in MISSING:
                col.missing += 1
            else:
                col.add(s)
    table = Table(cols, len(df), ["Format: %s%s" % (kind, where_read(info))])
    table.sheet = info.get("sheet")
    table.header_row = info.get("header_row")
    table.sheets = list(info.get("sheets") or [])
    table.first_rows = [preview_row([cell_text(v, pd) for v in row], len(cols))
                        for row in df.head(FIRST_ROWS).itertuples(index=False, name=None)]
    return table


def read_pandas_table(path):
    """The DataFrame and what was decided, from the table readers the analysis
    agent uses (sandbox/read_tables.py, shipped in front of this script), so the
    profile and the agent see the same sheet, header row and columns."""
    try:
        return read_table(path)
    except ValueError:
        if kind_of(path) != "json":
            raise
        # A .json file holding JSON lines rather than one document.
        import pandas as pd
        return pd.read_json(path, lines=True), {"kind": "json"}


def where_read(info):
    """Where in the file the table was found, in plain words."""
    if info.get("sheet") and info.get("header_row"):
        return ' (sheet "%s", header on row %d)' % (info["sheet"], info["header_row"])
    if info.get("kind") == "excel":
        return " (first sheet)"
    if info.get("records_key"):
        return ' (records under "%s")' % info["records_key"]
    return ""


def cell_text(v, pd):
    """A pandas cell as the text a CSV export would hold."""
    if v is None or v is pd.NaT:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "" if v != v else str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    s = str(v)
    return s[:-9] if isinstance(v, pd.Timestamp) and s.endswith(" 00:00:00") else s


# ----------------------------------------------------------------- DuckDB

class DuckDBCannotRead(Exception):
    """DuckDB refused the file; the standard-library reader will read it
    instead and, when the file is malformed, say so in plain words."""


def container_limits():
    """(memory bytes, whole CPUs) this container may use, from its cgroup
    (v2, else v1); None for a limit that is not set."""
    def read(path):
        try:
            with open(path) as f:
                return f.read().split()
        except OSError:
            return None
    memory = read("/sys/fs/cgroup/memory.max") or read(
        "/sys/fs/cgroup/memory/memory.limit_in_bytes")
    memory = int(memory[0]) if memory and memory[0].isdigit() else None
    if memory is not None and memory >= 1 << 60:  # v1 says "no limit" this way
        memory = None
    cpus = None
    quota = read("/sys/fs/cgroup/cpu.max")
    if quota and quota[0].isdigit():
        cpus = int(quota[0]) / int(quota[1])
    else:
        q = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
        p = read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
        if q and p and q[0].isdigit():
            cpus = int(q[0]) / int(p[0])
    return memory, cpus


def duckdb_connection(duckdb, out_dir):
    """A DuckDB connection that fits the container: at most 40% of its memory
    (Python, the sample lists and the work folder's tmpfs share the rest), one
    thread per whole CPU (at least one), spills in the work folder."""
    memory, cpus = container_limits()
    memory = min(memory or 4 << 30, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    threads = max(1, int(cpus if cpus is not None else os.cpu_count() or 1))
    temp = os.path.join(os.path.dirname(os.path.abspath(out_dir)), ".quick_profile_tmp")
    con = duckdb.connect(config={"memory_limit": "%dMB" % max(64, memory * 2 // 5 >> 20),
                                 "threads": threads, "temp_directory": temp,
                                 "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = true")  # query_progress() needs it
    con.execute("SET enable_progress_bar_print = false")
    return con


def sql_text(s):
    return "'" + str(s).replace("'", "''") + "'"


def sql_name(s):
    return '"' + str(s).replace('"', '""') + '"'


def duck_kind(duck_type):
    """DuckDB's detected type -> the profile's kind."""
    t = duck_type.upper()
    if t.endswith("INT") or t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
        return "integer"
    if t in ("FLOAT", "DOUBLE", "REAL") or t.startswith("DECIMAL"):
        return "decimal"
    if t == "BOOLEAN":
        return "true_false"
    if t == "DATE" or t.startswith("TIMESTAMP"):
        return "date"
    return "text"


def run_with_progress(con, sql, name):
    """Run the one query in a thread while this one reports how far DuckDB
    has read the file, every PROGRESS_SECONDS."""
    box = {}

    def work():
        try:
            box["row"] = con.execute(sql).fetchone()
        except BaseException as e:  # re-raised below, in the main thread
            box["error"] = e
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    last = time.monotonic()
    while worker.is_alive():
        worker.join(0.2)
        if worker.is_alive() and time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            done = con.query_progress()
            if done >= 0:
                say("  Read %d%% of %s" % (min(99, done), name))
    if "error" in box:
        raise box["error"]
    return box["row"]


def read_with_duckdb(path, name, size, sample, delim, duckdb, out_dir):
    """One DuckDB pass over a large delimited file: exact row, missing, min,
    max, mean and std; approximate distinct counts and quartiles; histograms
    and most common values from a random sample of about SAMPLE_CELLS values.
    Returns (rows, column profiles, estimated). Raises DuckDBCannotRead when
    DuckDB refuses the file, MemoryError when it runs out of memory."""
    text = sample.decode("utf-8-sig", errors="replace")
    first = next((r for r in csv.reader(text.splitlines(), delimiter=delim) if r), None)
    if not first:
        raise DuckDBCannotRead("no header in the first 64 KiB")
    names = unique_names(first)
    lines = max(1, sample.count(b"\n") - 1)
    est_rows = max(1, size * lines // max(1, len(sample)))
    row_bytes = max(1, len(sample) // lines)  # long free text: fewer sampled rows
    per_column = max(2_000, min(SAMPLE_ROWS, SAMPLE_CELLS // len(names),
                                SAMPLE_TEXT_BYTES // row_bytes))
    share = per_column / est_rows
    estimated = share < 1
    con = duckdb_connection(duckdb, out_dir)
    types = {}
    for _ in range(8):  # a type DuckDB guessed from its sample may not fit later rows
        options = ["delim=%s" % sql_text(delim), "header=true", "quote='\"'", "escape='\"'",
                   "names=[%s]" % ", ".join(sql_text(n) for n in names),
                   "nullstr=[%s]" % ", ".join(sql_text(m) for m in sorted(MISSING))]
        if delim == ";":
            options.append("decimal_separator=','")
        if types:
            options.append("types={%s}" % ", ".join(
                "%s: 'VARCHAR'" % sql_text(k) for k in types))
        source = "read_csv(%s, %s)" % (sql_text(path), ", ".join(options))
        try:
            described = con.execute("DESCRIBE SELECT * FROM " + source).fetchall()
            kinds = [duck_kind(row[1]) for row in described]
            sql = duckdb_query(source, names, kinds, share)
            row = run_with_progress(con, sql, name)
        except duckdb.OutOfMemoryException:
            raise MemoryError
        except duckdb.ConversionException as e:
            bad = re.search(r'converting column "(.*?)"', str(e))
            if bad and bad.group(1) in names and bad.group(1) not in types:
                types[bad.group(1)] = "VARCHAR"
                continue
            raise DuckDBCannotRead(str(e))
        except duckdb.Error as e:
            raise DuckDBCannotRead(str(e))
        break
    else:
        raise DuckDBCannotRead("too many columns changed type")
    con.close()
    rows, row = row[0], row[1:]
    described = []
    for col_name, kind in zip(names, kinds):
        described.append(duckdb_column(col_name, kind, rows, row, estimated))
        row = row[len(AGGREGATES[kind]):]
    return rows, described, estimated


SAMPLE_ROWS = 200_000  # sampled values per column at most...
SAMPLE_CELLS = 2_000_000  # ...and in all (a wide file gets fewer per column)
SAMPLE_TEXT_BYTES = 48 * 1024 * 1024  # ...and about this much of the file's text
QUARTILES = "[0.25, 0.5, 0.75]"
# The aggregates of one column, by kind ({c} is the column, {s} the sample flag).
AGGREGATES = {
    "integer": ("count({c})", "approx_count_distinct({c})", "min({c})::DOUBLE",
                "max({c})::DOUBLE", "avg({c})::DOUBLE", "stddev_samp({c})::DOUBLE",
                "approx_quantile({c}::DOUBLE, %s)" % QUARTILES,
                "list({c}::DOUBLE) FILTER (WHERE {s} AND {c} IS NOT NULL)"),
    "true_false": ("count({c})", "count_if({c})"),
    "date": ("count({c})", "approx_count_distinct({c})", "min({c})::VARCHAR",
             "max({c})::VARCHAR",
             "list({c}::VARCHAR) FILTER (WHERE {s} AND {c} IS NOT NULL)"),
    "text": ("count({c})", "approx_count_distinct({c})",
             "list({c}) FILTER (WHERE {s} AND {c} IS NOT NULL)"),
}
AGGREGATES["decimal"] = AGGREGATES["integer"]


def duckdb_query(source, names, kinds, share):
    """The single query: every column's aggregates over one scan of the file,
    with each row in the sample with probability `share`."""
    parts = ["count(*)"]
    for n, kind in zip(names, kinds):
        parts += [a.format(c=sql_name(n), s="_sample") for a in AGGREGATES[kind]]
    flag = "random() < %r" % share if share < 1 else "true"
    return "SELECT %s FROM (SELECT *, %s AS _sample FROM %s)" % (", ".join(parts), flag, source)


def duckdb_column(name, kind, rows, row, estimated):
    """A column profile from that column's aggregates (in AGGREGATES order)."""
    count = row[0]
    numbers, top, dates, distinct = None, [], None, 0
    if kind in ("integer", "decimal") and count:
        distinct, lo, hi, mean, std, quartiles, values = row[1:8]
        values = sorted(values or [])
        if not estimated:
            quartiles = [percentile(values, q) for q in (.25, .5, .75)]
            distinct = len(set(values))
        numbers = number_stats(values, count, [mean, std, lo] + list(quartiles) + [hi],
                               kind == "integer")
    elif kind == "true_false" and count:
        distinct = (row[1] > 0) + (row[1] < count)
        top = sorted([("true", row[1]), ("false", count - row[1])], key=lambda t: -t[1])
        top = [t for t in top if t[1]]
    elif count:
        if kind == "date":
            distinct, earliest, latest, values = row[1:5]
            dates = (earliest, latest)
        else:
            distinct, values = row[1:3]
        counter = Counter(values or [])
        scale = count / max(1, len(values or []))
        if not estimated:
            distinct = len(counter)
        top = [(v, round(k * scale)) for v, k in counter.most_common(TOP_VALUES)]
    if not count:
        kind = "empty"
    exact = kind in ("true_false", "empty")  # booleans are counted, not sampled
    return column_profile(name, kind, count, rows - count, rows, distinct, False,
                          estimated and not exact, numbers, top, dates)


# ----------------------------------------------------------------- statistics

def percentile(sorted_vals, q):
    """Linear interpolation between closest ranks, as pandas and numpy do."""
    pos = (len(sorted_vals) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def hist_edges(n, lo, hi, q1, q3, integer):
    """Bin edges: Freedman-Diaconis (Sturges when the IQR is 0), 10..50 bins.
    Whole numbers spanning fewer than 50 values get one bin per value, which
    reads better than bins that straddle integers (padded to 10 bins, values
    centred, so a 0/1 column does not become two half-chart-wide bars)."""
    if integer and hi - lo < 50:
        bins = max(10, int(hi - lo) + 1)
        start = lo - 0.5 - (bins - int(hi - lo) - 1) // 2
        return [start + i for i in range(bins + 1)]
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    width = 2 * (q3 - q1) / n ** (1 / 3)
    bins = math.ceil((hi - lo) / width) if width > 0 else math.ceil(math.log2(n)) + 1
    bins = min(50, max(10, bins))
    return [lo + (hi - lo) * i / bins for i in range(bins)] + [hi]


def hist_counts(sorted_vals, edges):
    """Counts per bin: [a, b) except the last bin, which includes its right edge."""
    cuts = [bisect.bisect_left(sorted_vals, e) for e in edges[:-1]] + [len(sorted_vals)]
    return [cuts[i + 1] - cuts[i] for i in range(len(edges) - 1)]


def number_stats(sorted_vals, n, stats, integer):
    """The "numbers" part of a column's profile: describe()-style statistics
    and histogram bins (edges has one more entry than counts)."""
    mean, std, lo, q1, med, q3, hi = stats
    edges = hist_edges(n, lo, hi, q1, q3, integer)
    counts = hist_counts(sorted_vals, edges) if sorted_vals else []
    if sorted_vals and len(sorted_vals) != n:  # a sample: scale up to the column
        counts = [round(k * n / len(sorted_vals)) for k in counts]
    return {"mean": mean, "std": std, "min": lo, "q25": q1, "median": med, "q75": q3,
            "max": hi, "histogram": {"edges": edges, "counts": counts} if counts else None}


def stdlib_numbers(col, pd, np):
    """Exact statistics of a numeric Column; releases its array afterwards to
    keep peak memory low. Returns (numbers, distinct)."""
    n = len(col.nums)
    if pd is not None:
        vals = np.sort(np.asarray(col.nums, dtype="d"))
        d = pd.Series(vals, copy=False).describe()
        stats = [float(d[k]) for k in ("mean", "std", "min", "25%", "50%", "75%", "max")]
        distinct = int(np.count_nonzero(np.diff(vals))) + 1
        vals = vals.tolist()
    else:
        vals = sorted(col.nums)
        mean = math.fsum(vals) / n
        std = math.sqrt(math.fsum((x - mean) ** 2 for x in vals) / (n - 1)) if n > 1 else None
        stats = [mean, std, vals[0]] + [percentile(vals, q) for q in (.25, .5, .75)] + [vals[-1]]
        distinct = 1 + sum(1 for a, b in zip(vals, vals[1:]) if a != b)
    col.nums = None
    return number_stats(vals, n, stats, col.kind is INT), distinct


def describe_stdlib(table, pd, np):
    """The column profiles (see column_profile) of a Table read by the
    standard-library reader: every number exact."""
    described = []
    for c in table.columns:
        kind = KINDS[c.type_name]
        numbers, top, dates, distinct = None, [], None, 0
        if c.count and c.kind is not None:
            numbers, distinct = stdlib_numbers(c, pd, np)
        elif c.count:
            distinct = len(c.counter)
            top = [(v, k) for v, k in c.counter.most_common(TOP_VALUES)]
            if kind == "date" and not c.capped:
                dates = (min(c.counter), max(c.counter))
        described.append(column_profile(c.name, kind, c.count, c.missing, table.rows,
                                        distinct, c.capped, False, numbers, top, dates))
    return described


def column_profile(name, kind, count, missing, rows, distinct, at_least, estimated,
                   numbers, top, dates):
    """One column of the JSON document (the Rust side's ColumnProfile)."""
    return {"name": name, "kind": kind, "count": count, "missing": missing,
            "missing_share": missing / rows if rows else 0.0,
            "distinct": distinct, "distinct_at_least": at_least, "estimated": estimated,
            "numbers": numbers,
            "top_values": [{"value": str(v), "count": int(k)} for v, k in top],
            "date_range": {"earliest": dates[0], "latest": dates[1]} if dates else None}


# ----------------------------------------------------------------- report

def print_report(profile, plt, out_dir, used_names):
    """Print the four report sections from the profile, then write the charts."""
    cols, rows = profile["columns"], profile["rows"]
    say("")
    say("Column types")
    for line in aligned([[shorten(c["name"], 40), KIND_LABELS[c["kind"]]] for c in cols]):
        say(line)

    say("")
    say("Missing values")
    missing = [[shorten(c["name"], 40), str(c["missing"]), "%.1f%%" % (100.0 * c["missing"] / rows)]
               for c in cols if c["missing"]]
    head = [["column", "count", "percent"]]
    for line in aligned(head + missing, (1, 2)) if missing else ["  none"]:
        say(line)

    say("")
    say("Summary statistics")
    numeric = [c for c in cols if c["numbers"] is not None]
    num_rows = []
    for c in numeric:
        x = c["numbers"]
        num_rows.append([shorten(c["name"], 30), str(c["count"])] + [fmt_num(x[k]) for k in (
            "mean", "std", "min", "q25", "median", "q75", "max")])
    if num_rows:
        say("  Numeric columns")
        head = ["column", "count", "mean", "std", "min", "25%", "50%", "75%", "max"]
        for line in aligned([head] + num_rows, range(1, 9)):
            say("  " + line)
    text_rows = []
    for c in cols:
        if c["numbers"] is None and c["count"] and c["top_values"]:
            about = "~" if c["estimated"] else ""
            unique = (">" if c["distinct_at_least"] else about) + str(c["distinct"])
            top = c["top_values"][0]
            text_rows.append([shorten(c["name"], 30), str(c["count"]), unique,
                              shorten(top["value"], 30), about + str(top["count"])])
    if text_rows:
        say("  Text columns")
        head = [["column", "count", "unique", "most common", "times"]]
        for line in aligned(head + text_rows, (1, 2, 4)):
            say("  " + line)
    if not num_rows and not text_rows:
        say("  none (every column is empty)")

    say("")
    say("Charts")
    charts = [(c["name"], c["numbers"], c["count"]) for c in numeric
              if c["numbers"]["histogram"]]
    write_charts(charts[:MAX_CHARTS], len(numeric), plt, out_dir, profile["file_name"],
                 used_names)


def safe_stem(text):
    """Filesystem-safe ASCII version of a name ("Prix (€)/m²" -> "Prix_m2")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text).strip("._")[:60] or "column"


def chart_file_name(column, file_name, used):
    """hist_<column>.png, unique within the run: when an earlier chart (say of
    another file with the same column) took that name, hist_<file>_<column>.png,
    then a number. Compared in lower case: macOS/Windows folders ignore case."""
    stem = safe_stem(column)
    candidates = [stem, safe_stem(os.path.splitext(file_name)[0]) + "_" + stem]
    k = 2
    while candidates[0].lower() in used:
        candidates.pop(0)
        if not candidates:
            candidates, k = ["%s_%d" % (stem, k)], k + 1
    used.add(candidates[0].lower())
    return "hist_%s.png" % candidates[0]


def write_charts(charts, n_numeric, plt, out_dir, file_name, used_names):
    """Draw one histogram PNG per chart and list each one as it is written."""
    if not charts:
        say("  none (no numeric columns)")
        return
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        say("  no charts: could not create the output folder %s (%s)" % (out_dir, e.strerror))
        return
    for name, numbers, n in charts:
        lo, hi = numbers["min"], numbers["max"]
        edges, counts = numbers["histogram"]["edges"], numbers["histogram"]["counts"]
        fname = chart_file_name(name, file_name, used_names)
        try:
            draw = draw_with_matplotlib if plt is not None else draw_png
            draw(os.path.join(out_dir, fname), name, lo, hi, edges, counts, n, plt)
            say("  %s: histogram of %s" % (fname, shorten(name, 60)))
        except Exception as e:  # one bad chart must not lose the rest
            say("  %s: could not be drawn (%s)" % (fname, shorten(e, 120)))
    if n_numeric > MAX_CHARTS:
        say("  (%d more numeric columns were not charted: the limit is %d charts per file)"
            % (n_numeric - MAX_CHARTS, MAX_CHARTS))


def draw_with_matplotlib(path, name, lo, hi, edges, counts, n, plt):
    """The same histogram drawn by matplotlib (Agg backend)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    try:
        ax.bar(edges[:-1], counts, width=[b - a for a, b in zip(edges, edges[1:])],
               align="edge", color="#3b82f6", edgecolor="white", linewidth=0.5)
        ax.set_title(name.replace("$", r"\$"))  # "$" would start matplotlib mathtext
        ax.set_ylabel("count")
        ax.set_xlabel("%d values, %d bins (min %s, max %s)"
                      % (n, len(counts), fmt_num(lo), fmt_num(hi)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)  # counts are whole
        if edges[0] % 1 == 0.5:  # one bin per whole number: label whole numbers
            ax.xaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)


# ----------------------------------------------------------------- PNG drawing

# 5x8 glyphs for ASCII 32..126 (from Adafruit-GFX glcdfont.c): 10 hex digits a
# glyph, 8 rows of 5 bits, top row first, leftmost pixel in the highest bit.
FONT = bytes.fromhex(
    "00000000002108420080529400000052BEAFA94023E8E2F880C644444C6045288AC9A0318880"
    "000011108410404104211100255DF754800109F2100000000318880001F0000000000018C000"
    "4444400074675CC5C023084211C07442E843E0F84460C5C011952F8840FC3C10C5C03A21E8C5"
    "C0F8422222007462E8C5C07462F08B80000802000000080211000888820820003E0F80004104"
    "1111007442620080746B7B41E022A31FC620F463E8C7C074610845C0F46318C7C0FC21E843E0"
    "FC21E842007C6109C5E08C63F8C62071084211C038842149808CA98A4A2084210843E08EEB5A"
    "C6208C7359C620746318C5C0F463E8420074631AC9A0F463EA4A207460E0C5C0FD484210808C"
    "6318C5C08C6318A8808C635AD5408C544546208C54421080F844E443E07A108421E004104104"
    "0078421085E022A200000000000003E0630820000000182749E0842D98E6C0001D1845C0085B"
    "38CDA0001D1FC1C01148E21080001D39B42E842D98C62020184211C0100421498084254C5240"
    "61084211C000355AD6A0002D98C620001D18C5C0002D9CDA10001B39B421002D984200001F07"
    "07C0213E421440002318CDA0002318A88000231AD5400022A22A20002317862E003E2223E011"
    "08821040210802108041082211004544000000")
WHITE, BAR, AXIS, GRID, INK, MUTED = (bytes.fromhex(h) for h in (
    "ffffff", "3b82f6", "374151", "e5e7eb", "111827", "6b7280"))


class Canvas:
    """A white RGB image with just enough drawing for a bar chart."""

    def __init__(self, width, height):
        self.w, self.h = width, height
        self.px = bytearray(WHITE * (width * height))

    def rect(self, x0, y0, x1, y1, color):
        """Fill [x0, x1) x [y0, y1), clipped to the image."""
        x0, x1, y0, y1 = max(0, x0), min(self.w, x1), max(0, y0), min(self.h, y1)
        if x1 <= x0:
            return
        line = color * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.w + x0) * 3
            self.px[start:start + len(line)] = line

    @staticmethod
    def text_width(text, scale):
        return max(0, len(text) * 6 * scale - scale)

    def text(self, x, y, text, color, scale=2):
        """Draw ASCII text with its top-left corner at (x, y); others show as '?'."""
        for ch in text:
            code = ord(ch) if 32 <= ord(ch) <= 126 else ord("?")
            bits = int.from_bytes(FONT[(code - 32) * 5:(code - 31) * 5], "big")
            for row in range(8):
                for col in range(5):
                    if bits >> (39 - row * 5 - col) & 1:
                        self.rect(x + col * scale, y + row * scale,
                                  x + (col + 1) * scale, y + (row + 1) * scale, color)
            x += 6 * scale

    def png(self):
        """Encode as an 8-bit RGB PNG (filter 0 on every row)."""
        stride = self.w * 3
        raw = b"".join(b"\x00" + self.px[y * stride:(y + 1) * stride] for y in range(self.h))

        def chunk(tag, data):
            return (struct.pack(">I", len(data)) + tag + data
                    + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b""))


def draw_png(path, name, lo, hi, edges, counts, n, _plt=None):
    """640x400 histogram: title, bars, axes, 0/peak on y, min/max on x."""
    c = Canvas(640, 400)
    top, bottom, right = 64, 330, 616
    peak = max(counts) or 1
    left = max(56, Canvas.text_width(str(peak), 2) + 28)
    title = shorten(name, 50)
    scale = 3 if Canvas.text_width(title, 3) <= c.w - 32 else 2
    c.text((c.w - Canvas.text_width(title, scale)) // 2, 14, title, INK, scale)
    c.rect(left, top, right, top + 1, GRID)  # light line at the peak height
    nb, plot_w = len(counts), right - left
    for i, k in enumerate(counts):
        x0, x1 = left + plot_w * i // nb, left + plot_w * (i + 1) // nb
        if x1 - x0 >= 4:
            x1 -= 1  # a white gap keeps neighbouring bars apart
        h = max(1, round((bottom - top) * k / peak)) if k else 0
        c.rect(x0, bottom - h, x1, bottom, BAR)
    c.rect(left - 1, top, left, bottom + 1, AXIS)
    c.rect(left - 1, bottom, right, bottom + 1, AXIS)
    for y, label in ((top, str(peak)), (bottom, "0")):
        c.rect(left - 6, y, left - 1, y + 1, AXIS)
        c.text(left - 10 - Canvas.text_width(label, 2), y - 7, label, INK)
    span = (edges[-1] - edges[0]) or 1.0
    for value in (lo, hi):  # tick and label under the smallest and largest value
        x = left + round((value - edges[0]) / span * (plot_w - 1))
        label = fmt_num(value)
        c.rect(x, bottom, x + 1, bottom + 6, AXIS)
        half = Canvas.text_width(label, 2) // 2
        c.text(min(max(4, x - half), c.w - 4 - 2 * half), bottom + 12, label, INK)
    c.text(8, top - 24, "count", MUTED)
    caption = "%d values, %d bins" % (n, nb)
    c.text((c.w - Canvas.text_width(caption, 2)) // 2, 372, caption, MUTED)
    with open(path, "wb") as f:
        f.write(c.png())


# ----------------------------------------------------------------- main

class Libs:
    """The optional libraries, each imported on first use (None when absent):
    at half a CPU core pandas takes ~1.4 s to import and matplotlib ~1.3 s,
    more than DuckDB needs to read a 50 MB file."""

    def __init__(self):
        self.off = os.environ.get("SANDPIPER_PROFILE_STDLIB_ONLY", "").strip() not in ("", "0")
        self.loaded = {}
        if not self.off:
            import warnings
            warnings.filterwarnings("ignore")  # stderr is reserved for PROFILE-ERROR lines

    def _load(self, key, importer):
        if key not in self.loaded:
            try:
                self.loaded[key] = None if self.off else importer()
            except Exception:
                self.loaded[key] = None
        return self.loaded[key]

    def pandas(self):
        """(pandas, numpy), or (None, None)."""
        def load():
            import numpy
            import pandas
            return pandas, numpy
        return self._load("pandas", load) or (None, None)

    def loaded_pandas(self):
        """(pandas, numpy) if something already imported them, else (None, None)."""
        return self.loaded.get("pandas") or (None, None)

    def pyplot(self):
        def load():
            os.environ.setdefault("MPLCONFIGDIR", "/tmp/sandpiper-matplotlib")
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot
            return matplotlib.pyplot
        return self._load("pyplot", load)

    def duckdb(self):
        def load():
            import duckdb
            return duckdb
        return self._load("duckdb", load)


def profile_file(path, out_dir, libs, used_names, index):
    """Profile one file, printing its report and writing its JSON document
    (quick_profile_<index>.json); raises ProfileError for bad input."""
    name = os.path.basename(path.rstrip("/")) or path
    say("Quick profile of %s" % name)
    ext, size, sample = check_file(path, name)
    say("Reading %s (%s)..." % (name, fmt_size(size)))
    profile = {"file_name": name, "size_bytes": size, "engine": "standard_library",
               "estimated": False, "delimiter": None, "format": None, "sheet": None,
               "sheets": [], "header_row": None}
    columns = None
    if ext in TEXT_EXTS:
        delim = sniff_delimiter(sample, ext)
        profile["delimiter"] = DELIM_LABELS.get(delim, repr(delim))
        duckdb = libs.duckdb() if size >= DUCKDB_MIN_BYTES and is_utf8(sample) else None
        if duckdb is not None:
            try:
                rows, columns, estimated = read_with_duckdb(path, name, size, sample, delim,
                                                            duckdb, out_dir)
                table = Table(None, rows, ["Delimiter: %s" % profile["delimiter"]])
                table.first_rows = first_text_rows(path, delim, len(columns))
                profile.update(engine="duckdb", estimated=estimated)
            except DuckDBCannotRead:
                columns = None  # read again below, where problems get plain words
        if columns is None:
            table = read_delimited(path, name, sample, delim)
            table.notes.insert(0, "Delimiter: %s" % profile["delimiter"])
    else:
        table = read_with_pandas(path, name, ext, libs.pandas()[0])
        profile.update(format=table.notes[0][len("Format: "):], sheet=table.sheet,
                       sheets=table.sheets, header_row=table.header_row)
    table.file_name = name
    if table.rows == 0:
        raise ProfileError("%s has column names but no rows of data. Add at least one row "
                           "of data and try again." % name)
    if columns is None:
        columns = describe_stdlib(table, *libs.loaded_pandas())
    if profile["estimated"]:
        table.notes.append("Note: read with DuckDB; distinct counts (~), quartiles, histograms "
                           "and most common values (~) are estimates from a sample of the rows.")
    profile.update(rows=table.rows, columns=columns, first_rows=table.first_rows,
                   notes=[n[len("Note: "):] for n in table.notes if n.startswith("Note: ")])
    say("Rows: %d" % table.rows)
    say("Columns: %d" % len(columns))
    for note in table.notes:
        say(note)
    # Large files get the built-in drawer's charts: matplotlib's import would
    # cost more than DuckDB's whole read, and the window draws its own charts.
    plt = libs.pyplot() if profile["engine"] == "standard_library" else None
    print_report(profile, plt, out_dir, used_names)
    write_profile_json(profile, out_dir, index)


def first_text_rows(path, delim, width):
    """The first rows of a UTF-8 delimited file DuckDB read, for the preview:
    read again from the file's start, a few lines only."""
    rows = []
    csv.field_size_limit(16 * 1024 * 1024)
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            reader = csv.reader(f, delimiter=delim)
            next((r for r in reader if r), None)  # the header
            for row in reader:
                if len(rows) >= FIRST_ROWS:
                    break
                if row:
                    rows.append(preview_row([raw.strip() for raw in row], width))
    except csv.Error:
        pass  # the preview shows the rows before the malformed one
    return rows


def is_utf8(sample):
    """The sample decodes as UTF-8 (DuckDB reads UTF-8; other encodings go to
    the standard-library reader, which knows Windows-1252 and Latin-1)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        return False


def finite(value):
    """JSON has no NaN or infinity: those become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def write_profile_json(profile, out_dir, index):
    """The numbers behind the report, for the app to draw its own cards."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "quick_profile_%d.json" % index), "w",
                  encoding="utf-8") as f:
            json.dump(finite(profile), f, ensure_ascii=False, allow_nan=False)
    except OSError as e:
        say("  (the profile's data could not be saved: %s)" % (e.strerror or e))


def main(argv):
    try:
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    except (AttributeError, ValueError):
        pass
    if not argv:
        fail("No file was given to profile. Choose a data file and run the quick profile again.")
        return 2
    out_dir = os.environ.get("SANDPIPER_OUTPUT_DIR") or "/workspace/output"
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError:
        pass  # reported in the Charts section if charts are due
    libs = Libs()
    used_names, status = set(), 0
    for i, path in enumerate(argv):
        if i:
            say("")
        name = os.path.basename(path.rstrip("/")) or path
        try:
            profile_file(path, out_dir, libs, used_names, i + 1)
        except ProfileError as e:
            fail(e)
            status = 2
        except MemoryError:
            fail("%s is too large to profile within the analysis memory limit. Profile a "
                 "smaller part of the file, or raise the memory limit in Settings." % name)
            status = 2
        except Exception as e:  # never a traceback: say what happened in one line
            fail("Something unexpected went wrong while profiling %s (%s: %s). Check that "
                 "it is a plain CSV table and try again."
                 % (name, type(e).__name__, shorten(e, 200)))
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
