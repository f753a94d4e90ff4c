/**
 * The fast path for a user who has logged in before. Checking a password against its scrypt
 * hash costs ~50 ms of CPU on purpose; paying that at every connection made opening one ten
 * times slower than RabbitMQ's. So once a password has verified against a stored hash, we keep
 * a verifier of it in memory: HMAC-SHA-256, under a random key made at start and never stored,
 * of the stored salt, the stored hash and the password. A later login of that user with the
 * same password matches it in microseconds.
 *
 * - Only the process's memory holds verifiers; the catalogue still holds only the slow salted
 *   hash. Restarting forgets them (the first login of each user is slow again).
 * - Entries are keyed by the stored hash record itself (records are immutable and replaced on
 *   change), so a password change, a rehash or a deleted user makes the old verifier
 *   unreachable: it is never consulted again and is collected with the old record. The MAC also
 *   covers the stored salt and hash, so a verifier can only ever match the hash it was made for.
 * - A mismatch proves nothing fast: the caller still runs the slow check, so a wrong password
 *   costs the same as for a user without a verifier, and the same as for an unknown user.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHash } from './password.js';

export class KnownPasswords {
  private readonly key = randomBytes(32);
  private readonly verifiers = new WeakMap<PasswordHash, Buffer>();

  remember(stored: PasswordHash, password: string): void {
    this.verifiers.set(stored, this.mac(stored, password));
  }

  /** True iff `password` is the one that last verified against `stored`. */
  matches(stored: PasswordHash, password: string): boolean {
    const v = this.verifiers.get(stored);
    return v !== undefined && timingSafeEqual(v, this.mac(stored, password));
  }

  forget(stored: PasswordHash): void {
    this.verifiers.delete(stored);
  }

  private mac(stored: PasswordHash, password: string): Buffer {
    // Length-prefixed fields, so no two (salt, hash, password) triples feed the same bytes.
    const h = createHmac('sha256', this.key);
    for (const field of [stored.salt, stored.hash, password]) {
      const b = Buffer.from(field, 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32BE(b.length, 0);
      h.update(len).update(b);
    }
    return h.digest();
  }
}
