import { walk, type AstNode } from '../ast.js';
import type { RewritePass } from './pass.js';

/**
 * PostgreSQL users and tools write `public.trips`; a catalog without a
 * `public` schema serves those names from its default schema. Rewrites
 * `public` as the schema of a relation (FROM, JOIN, DML targets) and as the
 * first part of a three-part column reference (`public.trips.fare`).
 */
export const publicSchemaPass: RewritePass = {
  name: 'public-schema',
  wants: (tokens) => tokens.some((t) => t.kind === 'ident' && t.value === 'public'),
  apply(stmt: AstNode, ctx) {
    const target = ctx.publicSchema;
    if (!target || target === 'public') return false;
    let changed = false;
    walk(stmt, (type, body) => {
      if (type === 'RangeVar' && body.schemaname === 'public' && !body.catalogname) {
        body.schemaname = target;
        changed = true;
      } else if (type === 'ColumnRef' && Array.isArray(body.fields) && body.fields.length >= 3) {
        const first = body.fields[0]?.String;
        if (first?.sval === 'public') {
          first.sval = target;
          changed = true;
        }
      }
    });
    return changed;
  },
};
