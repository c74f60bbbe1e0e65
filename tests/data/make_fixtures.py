# Makes the format fixtures of tests/agent_formats.rs, as analysts' files are:
#   docker run --rm -u "$(id -u)" -v "$PWD/tests/data:/out" sandpiper-analysis:<tag> \
#       python3 /out/make_fixtures.py
# The files are committed; this script says how they were made.

import json

import openpyxl
import pandas as pd
from openpyxl.styles import Font

OUT = "/out/"

# A French export: Windows-1252, semicolons, decimal commas, accents everywhere.
rows = [
    ("Île-de-France", "Paris", "1234,50", 10),
    ("Provence", "Marseille", "987,25", 7),
    ("Île-de-France", "Versailles", "500,00", 4),
    ("Bretagne", "Rennes", "250,75", 3),
]
text = "Région;Ville;Chiffre d'affaires (€);Quantité\r\n" + "".join(
    "%s;%s;%s;%d\r\n" % row for row in rows
)
with open(OUT + "ventes_latin1.csv", "wb") as f:
    f.write(text.encode("cp1252"))

# A report workbook: a notes sheet first, then the table under a title row, with
# group headers merged over the columns they label.
book = openpyxl.Workbook()
notes = book.active
notes.title = "Notes"
notes["A1"] = "Figures are in thousands of euros."
sheet = book.create_sheet("Sales")
sheet["A1"] = "Quarterly sales 2024"
sheet["A1"].font = Font(bold=True, size=14)
sheet.merge_cells("A1:E1")
sheet["A3"] = "Region"
sheet.merge_cells("A3:A4")
sheet["B3"] = "Revenue"
sheet.merge_cells("B3:C3")
sheet["D3"] = "Units"
sheet.merge_cells("D3:E3")
for cell, label in zip("BCDE", ["Q1", "Q2", "Q1", "Q2"]):
    sheet[cell + "4"] = label
for r, row in enumerate(
    [("North", 120, 135, 12, 14), ("South", 250, 240, 20, 19), ("East", 175, 190, 15, 16)],
    start=5,
):
    for c, value in enumerate(row, start=1):
        sheet.cell(r, c, value)
book.save(OUT + "sales_report.xlsx")

# Nested JSON records under a key, as APIs export them.
orders = {
    "exported": "2024-06-30",
    "orders": [
        {"id": 1, "customer": {"name": "Ana", "country": "PT"}, "total": 30.5},
        {"id": 2, "customer": {"name": "Ben", "country": "UK"}, "total": 12.0},
        {"id": 3, "customer": {"name": "Chloé", "country": "FR"}, "total": 57.25},
    ],
}
with open(OUT + "orders.json", "w", encoding="utf-8") as f:
    json.dump(orders, f, ensure_ascii=False, indent=1)

# A Parquet file with typed columns.
pd.DataFrame(
    {
        "day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
        "visits": [120, 98, 143, 110],
        "conversion": [0.031, 0.027, 0.040, 0.035],
    }
).to_parquet(OUT + "visits.parquet", index=False)

# A workbook of two tables: "Summary" first (header on row 1), then "Detail"
# under a title and a blank row (header on row 3), with more rows than the
# window's preview shows.
book = openpyxl.Workbook()
summary = book.active
summary.title = "Summary"
summary.append(["Region", "Total"])
for row in [("North", 255), ("South", 490), ("East", 365)]:
    summary.append(list(row))
detail = book.create_sheet("Detail")
detail["A1"] = "Store detail, June 2024"
detail.append([])
detail.append(["Store", "Region", "Units", "Price"])
for i in range(1, 13):
    detail.append(["S%02d" % i, ("North", "South", "East")[i % 3], i * 10, 2.5 + i])
book.save(OUT + "regions.xlsx")
