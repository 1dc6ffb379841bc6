"""Drives psycopg2, SQLAlchemy's inspector and pandas.read_sql the way Superset
and notebooks do. Prints one JSON object. Usage: sqlalchemy_probe.py <postgresql-url>"""
import json
import sys

import pandas
import psycopg2
import sqlalchemy

url = sys.argv[1]
out = {}


def step(name, fn):
    try:
        out[name] = fn()
    except Exception as e:  # report, keep going: the test asserts on every key
        out[name] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}


def raw_psycopg2():
    with psycopg2.connect(url, application_name="psycopg2-probe") as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT zone_id, zone_name FROM lake.zones WHERE zone_id = %s", (2,))
            row = cur.fetchone()
            cur.execute("SELECT %s::text AS t, %s::int AS i", ("x", 5))
            return {"row": list(row), "typed": list(cur.fetchone()), "server_version": conn.server_version}


step("psycopg2", raw_psycopg2)
engine = sqlalchemy.create_engine(url, connect_args={"application_name": "sqlalchemy-probe"})
insp = sqlalchemy.inspect(engine)
step("schemas", lambda: insp.get_schema_names())
step("tables", lambda: insp.get_table_names(schema="lake"))
step("views", lambda: insp.get_view_names(schema="lake"))
step("columns", lambda: [{"name": c["name"], "type": str(c["type"]), "nullable": c["nullable"]} for c in insp.get_columns("trips", schema="lake")])
step("view_columns", lambda: [c["name"] for c in insp.get_columns("daily_trips", schema="lake")])
step("pk", lambda: insp.get_pk_constraint("zones", schema="lake"))
step("fks", lambda: insp.get_foreign_keys("trips", schema="lake"))
step("indexes", lambda: insp.get_indexes("trips", schema="lake"))
step("unique", lambda: insp.get_unique_constraints("trips", schema="lake"))
step("table_comment", lambda: insp.get_table_comment("trips", schema="lake"))
step("has_table", lambda: [insp.has_table("zones", schema="lake"), insp.has_table("nope", schema="lake")])
step("view_definition", lambda: bool(insp.get_view_definition("daily_trips", schema="lake")))
step("pandas", lambda: pandas.read_sql("SELECT zone_id, borough FROM lake.zones ORDER BY zone_id LIMIT 2", engine).to_dict(orient="list"))
step("pandas_table", lambda: list(pandas.read_sql_table("payment_types", engine, schema="lake").columns))
print(json.dumps(out, default=str))
