import { z } from 'zod';
import type { UserSpec } from '../../config/users.js';
import { substituteEnv } from './env.js';

export const userSchema = z
  .object({
    name: z.string().min(1),
    password: z.string().optional(),
    method: z.enum(['scram-sha-256', 'md5', 'password', 'trust']).optional(),
    plaintext_password: z.boolean().optional(),
  })
  .strict();

export const usersSchema = z.array(userSchema).default([]);

export function buildUsers(users: z.infer<typeof usersSchema>, file: string): UserSpec[] {
  return users.map((u) => ({
    name: u.name,
    password: u.password === undefined ? undefined : substituteEnv(u.password, `${file}: users.${u.name}.password`),
    method: u.method,
    allowPlaintext: u.plaintext_password,
  }));
}
