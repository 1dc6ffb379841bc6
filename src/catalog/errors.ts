/** A catalog that cannot be served; the message names the file, line and key. */
export class CatalogError extends Error {}
