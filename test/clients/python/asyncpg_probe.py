"""Drives asyncpg (binary protocol, type introspection). Prints one JSON object.
Usage: asyncpg_probe.py <postgresql-url>"""
import asyncio
import json
import sys

import asyncpg


async def main(url):
    out = {}
    conn = await asyncpg.connect(url, server_settings={"application_name": "asyncpg-probe"})

    async def step(name, fn):
        try:
            out[name] = await fn()
        except Exception as e:
            out[name] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}

    await step("version", lambda: asyncio.sleep(0, str(conn.get_server_version())))
    await step("zones", lambda: _rows(conn.fetch("SELECT zone_id, borough, airport_adjacent FROM lake.zones WHERE zone_id <= $1 ORDER BY zone_id", 2)))
    await step("trip", lambda: _rows(conn.fetch("SELECT trip_id, pickup_at, fare, distance_km, passenger_count FROM lake.trips WHERE trip_id = $1", 1)))
    await step("arrays", lambda: conn.fetchval("SELECT ARRAY[1, 2, 3]::int4[]"))

    async def codec():
        # set_type_codec introspects the type by name (asyncpg's TYPE_BY_NAME query)
        await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        return await conn.fetchval("SELECT '{\"a\": 1}'::json")

    await step("json_codec", codec)
    await step("prepared", lambda: _prepared(conn))
    await step("tables", lambda: _rows(conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", "lake")))
    await conn.close()
    return out


async def _rows(coro):
    return [[str(v) if not isinstance(v, (int, float, bool, str, type(None))) else v for v in r.values()] for r in await coro]


async def _prepared(conn):
    st = await conn.prepare("SELECT zone_name FROM lake.zones WHERE zone_id = $1")
    return [await st.fetchval(i) for i in (1, 2)] + [[a.name for a in st.get_attributes()]]


print(json.dumps(asyncio.run(main(sys.argv[1])), default=str))
