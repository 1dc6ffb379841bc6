"""Turns a PostgreSQL csvlog (log_statement=all) into replay-corpus files, one
per client (told apart by application_name). Usage: extract.py <pg.csv> <outdir>"""
import csv
import json
import re
import sys

CLIENTS = {
    "psql": "psql",
    "psql-tab": "psql",
    "jdbc-probe": "pgjdbc",
    "psycopg2-probe": "sqlalchemy",
    "sqlalchemy-probe": "sqlalchemy",
    "asyncpg-probe": "asyncpg",
    "kysely-probe": "kysely",
    "postgresjs-probe": "postgresjs",
}
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")

corpus = {}
last = None
with open(sys.argv[1], newline="") as f:
    for row in csv.reader(f):
        user, db, message, detail, app = row[1], row[2], row[13], row[14], row[22]
        if user != "lakegate" or db != "lakegate" or app not in CLIENTS:
            continue
        m = re.match(r"(?:statement|execute [^:]*): (.*)", message, re.S)
        if not m:
            continue
        entry = {"sql": m.group(1).strip()}
        if detail.startswith("parameters: "):
            entry["params"] = [None if v == "NULL" else v[1:-1].replace("''", "'") for _, v in PARAM.findall(detail)]
        items = corpus.setdefault(CLIENTS[app], [])
        if entry not in items:
            items.append(entry)

for client, items in corpus.items():
    with open(f"{sys.argv[2]}/{client}.json", "w") as out:
        json.dump(items, out, indent=1)
        out.write("\n")
    print(f"{client}: {len(items)} statements")
