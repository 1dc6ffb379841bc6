import fs from 'node:fs';
import os from 'node:os';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import type { TlsConfig } from '../catalog/sections/server.js';
import type { Logger } from '../observability/logger.js';
import type { TlsOptions } from '../server/server.js';

export class TlsConfigError extends Error {}

/** A self-signed certificate for development: valid for localhost, 127.0.0.1, ::1 and this host's name. */
export async function selfSignedCertificate(): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: os.hostname() },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  } as never);
  return { cert: pems.cert, key: pems.private };
}

/** Builds the server's TLS context from the configuration (files, or a generated self-signed certificate). */
export async function buildTls(cfg: TlsConfig | undefined, log?: Logger): Promise<TlsOptions | undefined> {
  if (!cfg || (!cfg.cert && !cfg.selfSigned)) {
    if (cfg?.required) throw new TlsConfigError('TLS is required but no certificate is configured');
    return undefined;
  }
  let cert: string | Buffer;
  let key: string | Buffer;
  if (cfg.cert && cfg.key) {
    try {
      cert = fs.readFileSync(cfg.cert);
      key = fs.readFileSync(cfg.key);
    } catch (e) {
      throw new TlsConfigError(`cannot read TLS certificate or key: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  } else {
    ({ cert, key } = await selfSignedCertificate());
    log?.warn('TLS uses a generated self-signed certificate: for development only');
  }
  try {
    return { context: tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2' }), required: cfg.required };
  } catch (e) {
    throw new TlsConfigError(`invalid TLS certificate or key: ${e instanceof Error ? e.message : String(e)}`);
  }
}
