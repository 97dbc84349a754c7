#!/usr/bin/python3
"""gen.py -- inputs for the disclosure guard benchmark.

usage: gen.py OUTDIR ROWS NDOCS
  OUTDIR/big.xlsx    one sheet of ROWS staff records written by openpyxl in
                     write_only mode (streamed, as large exports are made)
  OUTDIR/docs/       NDOCS mixed documents: workbooks with a hidden sheet,
                     letters with tracked changes, CSV files (a third each)
"""
import os
import random
import sys

import docx
import openpyxl

out, rows, ndocs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(os.path.join(out, "docs"), exist_ok=True)
rnd = random.Random(7)
SUR = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Patel",
       "Khan", "Wright", "Walker", "Evans", "Thomas"]
FOR = ["Amelia", "Oliver", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah"]
RANKS = ["Constable", "Sergeant", "Inspector", "Chief Inspector"]
UNITS = ["Response", "CID", "Roads Policing", "Neighbourhood", "Custody"]

wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("Staff")
ws.append(["Surname", "Forename", "Rank", "Collar number", "Unit",
           "Start date", "Hours", "Notes"])
for i in range(rows):
    ws.append([rnd.choice(SUR), rnd.choice(FOR), rnd.choice(RANKS),
               "PC%06d" % i, rnd.choice(UNITS),
               "20%02d-%02d-%02d" % (rnd.randint(0, 23), rnd.randint(1, 12),
                                     rnd.randint(1, 28)),
               rnd.randint(16, 40),
               "shift %d team %d" % (rnd.randint(1, 4), rnd.randint(1, 60))])
wb.save(os.path.join(out, "big.xlsx"))

for i in range(ndocs):
    p = os.path.join(out, "docs", "doc%04d" % i)
    k = i % 3
    if k == 0:
        wb = openpyxl.Workbook()
        s = wb.active
        s.title = "Summary"
        s.append(["Unit", "Headcount"])
        for u in UNITS:
            s.append([u, rnd.randint(5, 90)])
        h = wb.create_sheet("Data")
        h.append(["Surname", "Forename", "Collar number"])
        for j in range(40):
            h.append([rnd.choice(SUR), rnd.choice(FOR), "PC%04d" % j])
        h.sheet_state = "hidden"
        wb.save(p + ".xlsx")
    elif k == 1:
        d = docx.Document()
        for j in range(15):
            d.add_paragraph("Paragraph %d of the response to request %d. "
                            "The information requested is attached." % (j, i))
        d.save(p + ".docx")
    else:
        with open(p + ".csv", "w") as f:
            f.write("Quarter,Requests,Answered\n")
            for q in range(40):
                f.write("Q%d,%d,%d\n" % (q % 4 + 1, rnd.randint(100, 400),
                                          rnd.randint(50, 300)))
