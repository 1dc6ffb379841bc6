import { z } from 'zod';
import type { UserSpec } from '../../config/users.js';
import type { GrantSpec, RoleSpec } from '../../security/model.js';
import { CatalogError } from '../errors.js';
import { duration } from './durations.js';
import { substituteEnv } from './env.js';

const name = z.string().min(1);

/**
 * One grant: `{ schema: lake }` (every table), `{ schema: crm, tables: [customers] }`,
 * optionally with `columns`, a `row_filter` and `column_masks` (SQL expressions).
 */
export const grantSchema = z
  .object({
    schema: name,
    tables: z.union([z.literal('*'), z.array(name).min(1)]).optional(),
    columns: z.array(name).min(1).optional(),
    row_filter: z.string().min(1).optional(),
    column_masks: z.record(name, z.string().min(1)).optional(),
    privileges: z.array(z.enum(['select', 'insert', 'update', 'delete'])).min(1).optional(),
  })
  .strict();

const grantsSchema = z.array(grantSchema).optional();

export const userSchema = z
  .object({
    name,
    password: z.string().optional(),
    method: z.enum(['scram-sha-256', 'md5', 'password', 'trust']).optional(),
    plaintext_password: z.boolean().optional(),
    roles: z.array(name).optional(),
    grants: grantsSchema,
    connection_limit: z.number().int().min(0).optional(),
    statement_timeout: duration.optional(),
    max_statement_timeout: duration.optional(),
    admin: z.boolean().optional(),
  })
  .strict();

export const usersSchema = z.array(userSchema).default([]);

export const rolesSchema = z
  .record(name, z.object({ roles: z.array(name).optional(), grants: grantsSchema }).strict())
  .default({});

function buildGrants(grants: z.infer<typeof grantSchema>[] | undefined, where: string): GrantSpec[] {
  return (grants ?? []).map((g, i) => {
    const tables = g.tables ?? '*';
    if (g.columns && tables === '*') throw new CatalogError(`${where}.grants.${i}.columns: a column grant needs a list of tables`);
    return { schema: g.schema, tables, columns: g.columns, rowFilter: g.row_filter, columnMasks: g.column_masks, privileges: g.privileges };
  });
}

export function buildUsers(users: z.infer<typeof usersSchema>, file: string): UserSpec[] {
  const seen = new Set<string>();
  return users.map((u) => {
    if (seen.has(u.name)) throw new CatalogError(`${file}: users.${u.name}: user defined twice`);
    seen.add(u.name);
    return {
      name: u.name,
      password: u.password === undefined ? undefined : substituteEnv(u.password, `${file}: users.${u.name}.password`),
      method: u.method,
      allowPlaintext: u.plaintext_password,
      roles: u.roles,
      grants: u.grants === undefined ? undefined : buildGrants(u.grants, `${file}: users.${u.name}`),
      connectionLimit: u.connection_limit,
      statementTimeoutMs: u.statement_timeout,
      maxStatementTimeoutMs: u.max_statement_timeout,
      admin: u.admin,
    };
  });
}

export function buildRoles(roles: z.infer<typeof rolesSchema>, file: string): RoleSpec[] {
  return Object.entries(roles).map(([roleName, r]) => ({
    name: roleName,
    roles: r.roles ?? [],
    grants: buildGrants(r.grants, `${file}: roles.${roleName}`),
  }));
}
