import { createHash, randomBytes } from 'node:crypto';

/** Tokens and collector keys are random; only their sha256 is stored. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
