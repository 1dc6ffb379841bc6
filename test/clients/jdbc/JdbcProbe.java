import java.sql.*;
import java.util.*;

/**
 * Drives pgjdbc the way DBeaver, Metabase and DataGrip do: DatabaseMetaData
 * introspection, then a prepared statement executed past prepareThreshold
 * (server-side named statement, binary transfer). Prints one JSON object.
 * Usage: java -cp postgresql.jar JdbcProbe.java <jdbc-url> <user> <password>
 */
public class JdbcProbe {
  static StringBuilder out = new StringBuilder("{");
  static boolean first = true;

  static String q(Object v) {
    if (v == null) return "null";
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    String s = v.toString();
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static void put(String key, String json) {
    if (!first) out.append(',');
    first = false;
    out.append(q(key)).append(':').append(json);
  }

  /** A result set as {columns:[...], rows:[[...]]}. */
  static String rs(ResultSet r) throws SQLException {
    ResultSetMetaData md = r.getMetaData();
    StringBuilder b = new StringBuilder("{\"columns\":[");
    for (int i = 1; i <= md.getColumnCount(); i++) b.append(i > 1 ? "," : "").append(q(md.getColumnLabel(i)));
    b.append("],\"rows\":[");
    boolean firstRow = true;
    while (r.next()) {
      b.append(firstRow ? "[" : ",[");
      firstRow = false;
      for (int i = 1; i <= md.getColumnCount(); i++) b.append(i > 1 ? "," : "").append(q(r.getObject(i)));
      b.append(']');
    }
    r.close();
    return b.append("]}").toString();
  }

  interface Step { String run() throws Exception; }

  static void step(String key, Step s) {
    try {
      put(key, s.run());
    } catch (Exception e) {
      put(key, "{\"error\":" + q(e.getClass().getSimpleName() + ": " + e.getMessage()) + "}");
    }
  }

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", args[1]);
    p.setProperty("password", args[2]);
    p.setProperty("ApplicationName", "jdbc-probe");
    try (Connection c = DriverManager.getConnection(args[0], p)) {
      DatabaseMetaData md = c.getMetaData();
      put("product", q(md.getDatabaseProductName() + " " + md.getDatabaseProductVersion()));
      step("catalogs", () -> rs(md.getCatalogs()));
      step("schemas", () -> rs(md.getSchemas()));
      step("tableTypes", () -> rs(md.getTableTypes()));
      step("tables", () -> rs(md.getTables(null, "lake", "%", new String[] {"TABLE", "VIEW"})));
      step("allTables", () -> rs(md.getTables(null, null, "%", null)));
      step("columns", () -> rs(md.getColumns(null, "lake", "trips", "%")));
      step("primaryKeys", () -> rs(md.getPrimaryKeys(null, "lake", "zones")));
      step("importedKeys", () -> rs(md.getImportedKeys(null, "lake", "trips")));
      step("exportedKeys", () -> rs(md.getExportedKeys(null, "lake", "zones")));
      step("indexInfo", () -> rs(md.getIndexInfo(null, "lake", "trips", false, true)));
      step("typeInfo", () -> rs(md.getTypeInfo()));
      step("functions", () -> rs(md.getFunctions(null, "lake", "%")));
      step("procedures", () -> rs(md.getProcedures(null, "lake", "%")));
      step("tablePrivileges", () -> rs(md.getTablePrivileges(null, "lake", "zones")));
      step("bestRowIdentifier", () -> rs(md.getBestRowIdentifier(null, "lake", "zones", DatabaseMetaData.bestRowSession, true)));
      step("resultMeta", () -> {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT zone_id, borough, airport_adjacent FROM lake.zones ORDER BY zone_id LIMIT 2")) {
          ResultSetMetaData m = r.getMetaData();
          StringBuilder b = new StringBuilder("[");
          for (int i = 1; i <= m.getColumnCount(); i++) {
            b.append(i > 1 ? "," : "").append("[").append(q(m.getColumnName(i))).append(',').append(q(m.getColumnTypeName(i)))
                .append(',').append(m.getColumnType(i)).append(',').append(m.isNullable(i)).append(']');
          }
          return b.append("]").toString();
        }
      });
      step("prepared", () -> {
        // prepareThreshold defaults to 5: executions from the 5th use a named server statement and binary results
        StringBuilder b = new StringBuilder("[");
        try (PreparedStatement ps = c.prepareStatement("SELECT zone_id, zone_name, airport_adjacent FROM lake.zones WHERE zone_id = ?")) {
          for (int i = 1; i <= 8; i++) {
            ps.setInt(1, i);
            try (ResultSet r = ps.executeQuery()) {
              r.next();
              b.append(i > 1 ? "," : "").append("[").append(r.getInt(1)).append(',').append(q(r.getString(2))).append(',').append(r.getBoolean(3)).append("]");
            }
          }
          boolean serverPrepared = ps.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare();
          return b.append("],\"serverPrepared\":").append(serverPrepared).insert(0, "{\"rows\":").append("}").toString();
        }
      });
      step("preparedTypes", () -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT trip_id, pickup_at, fare, distance_km, passenger_count FROM lake.trips WHERE trip_id = ?")) {
          String last = null;
          for (int i = 0; i < 7; i++) {
            ps.setLong(1, 1);
            try (ResultSet r = ps.executeQuery()) {
              r.next();
              last = "[" + r.getLong(1) + "," + q(r.getTimestamp(2).toLocalDateTime().toString()) + "," + q(r.getBigDecimal(3).toPlainString()) + "," + r.getDouble(4) + "," + r.getShort(5) + "]";
            }
          }
          return last;
        }
      });
      step("transaction", () -> {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM lake.payment_types")) {
          r.next();
          long n = r.getLong(1);
          c.rollback();
          c.setAutoCommit(true);
          return String.valueOf(n);
        }
      });
    }
    System.out.println(out.append("}"));
  }
}
