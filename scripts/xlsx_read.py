#!/usr/bin/python3
"""Read a Cellsite workbook with openpyxl and print what a reader sees, as JSON.

Usage: xlsx_read.py WORKBOOK.xlsx [MAX_ROWS]

The reports tests compare this with the schedules the workbook was made
from; it is also a quick way to look at a workbook from the command line:

    /usr/bin/python3 scripts/xlsx_read.py schedules.xlsx 20

Cells are [data_type, value, number_format]: data_type is openpyxl's ('s'
string, 'n' number, 'd' date-time, 'f' formula); date-times are ISO 8601
wall clocks without a zone, durations (number format [h]:mm:ss) are
seconds. An empty cell is null.
"""
import datetime
import json
import sys

import openpyxl


def cell(c):
    v = c.value
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        v = v.isoformat()
    elif isinstance(v, datetime.timedelta):
        v = v.total_seconds()
    elif isinstance(v, datetime.time):
        v = v.isoformat()
    return [c.data_type, v, c.number_format]


def footer(hf):
    return {"left": hf.left.text, "center": hf.center.text, "right": hf.right.text}


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    wb = openpyxl.load_workbook(path)
    # Read-only mode (what pandas uses) trusts each sheet's stated dimension.
    ro = openpyxl.load_workbook(path, read_only=True)
    p = wb.properties
    out = {
        "properties": {
            "title": p.title,
            "subject": p.subject,
            "creator": p.creator,
            "keywords": p.keywords,
            "lastModifiedBy": p.lastModifiedBy,
            "created": p.created.isoformat() if p.created else None,
            "modified": p.modified.isoformat() if p.modified else None,
        },
        "structureLocked": bool(wb.security and wb.security.lockStructure),
        "sheets": [],
    }
    for ws in wb.worksheets:
        prot = ws.protection
        rows = []
        for i, r in enumerate(ws.iter_rows()):
            if limit is not None and i >= limit:
                break
            rows.append([cell(c) for c in r])
        out["sheets"].append({
            "name": ws.title,
            "freeze": ws.freeze_panes,
            "autoFilter": ws.auto_filter.ref,
            "printTitleRows": ws.print_title_rows,
            "orientation": ws.page_setup.orientation,
            "paperSize": ws.page_setup.paperSize,
            "fitToPage": ws.sheet_properties.pageSetUpPr.fitToPage
            if ws.sheet_properties.pageSetUpPr else None,
            "fitToWidth": ws.page_setup.fitToWidth,
            "fitToHeight": ws.page_setup.fitToHeight,
            "oddHeader": footer(ws.oddHeader),
            "oddFooter": footer(ws.oddFooter),
            "protection": {
                "sheet": prot.sheet,
                "password": prot.password,
                "autoFilter": prot.autoFilter,
                "sort": prot.sort,
                "formatColumns": prot.formatColumns,
                "selectLockedCells": prot.selectLockedCells,
                "selectUnlockedCells": prot.selectUnlockedCells,
            },
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.customWidth},
            "maxRow": ws.max_row,
            "readOnlyDimension": ro[ws.title].calculate_dimension(),
            "rows": rows,
        })
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
