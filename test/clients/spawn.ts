import { execFile } from 'node:child_process';
import fs from 'node:fs';

/** Runs a client program that prints one JSON object; rejects with its stderr when it fails. */
export function runJsonClient(cmd: string, args: string[], timeoutMs = 120_000): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
      } catch {
        reject(new Error(`${cmd} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Fails loudly when a client the CI installs (see .ci/run) is missing. */
export function requireFile(file: string, installHint: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${installHint}`);
}

/** Debian's python3, where apt's python3-* packages are installed. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
