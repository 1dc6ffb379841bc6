import crypto from 'node:crypto';

export interface Cancellable {
  interrupt(reason: 'cancel'): void;
}

/**
 * BackendKeyData → session. The process id is a per-server counter; the secret
 * is random. Replicas behind one load balancer can be told apart by `replicaId`,
 * which occupies the top 8 bits of the process id.
 */
export class CancelRegistry {
  private nextId = 1;
  private readonly entries = new Map<number, { secret: number; target: Cancellable }>();

  constructor(private readonly replicaId = 0) {}

  register(target: Cancellable): { processId: number; secretKey: number } {
    const processId = ((this.replicaId & 0x7f) << 24) | (this.nextId++ & 0xffffff);
    const secretKey = crypto.randomBytes(4).readUInt32BE(0);
    this.entries.set(processId, { secret: secretKey, target });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.entries.delete(processId);
  }

  /** Returns true when the key matched a session (which is then interrupted). */
  cancel(processId: number, secretKey: number): boolean {
    const e = this.entries.get(processId);
    if (!e || e.secret !== secretKey) return false;
    e.target.interrupt('cancel');
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}
