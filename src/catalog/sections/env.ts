import { CatalogError } from '../errors.js';

/** Replaces `${NAME}` with the environment variable; a missing one is an error naming `where`. */
export function substituteEnv(text: string, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = process.env[name];
    if (v === undefined) throw new CatalogError(`${where}: environment variable ${name} is not set`);
    return v;
  });
}
