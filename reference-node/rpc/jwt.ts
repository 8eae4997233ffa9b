/**
 * JWT for the Engine API (execution-apis src/engine/authentication.md): the
 * consensus client signs a token with HS256 over a shared 32-byte secret and
 * sends it as `Authorization: Bearer <jwt>` with every HTTP request.
 *
 * As geth's node/jwt_handler.go: only HS256 is accepted (never `none`), the
 * `iat` claim is required and must lie within ±60 s of now, and no other claim
 * is checked (`exp`, `id`, `clv` and unknown claims are ignored; the spec says
 * unknown claims MUST be ignored). The secret file is hex, with or without 0x,
 * surrounding whitespace allowed; when the file does not exist geth writes a
 * fresh random secret there (0x-hex, mode 0600), and so does
 * loadOrCreateJwtSecret.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../wire/bytes.js';

export const JWT_SECRET_LENGTH = 32;
/** The spec's window for `iat`, either side of now. */
export const JWT_IAT_TOLERANCE_SECONDS = 60;

export type JwtErrorCode =
  | 'missing-token' // no Authorization header, or not a Bearer one
  | 'malformed' // not three base64url parts, or a part is not a JSON object
  | 'unsupported-alg' // alg other than HS256 (none included)
  | 'bad-signature'
  | 'missing-iat'
  | 'stale-token' // iat more than 60 s in the past
  | 'future-token'; // iat more than 60 s in the future

export class JwtError extends Error {
  override readonly name = 'JwtError';
  constructor(
    readonly code: JwtErrorCode,
    readonly detail: string,
  ) {
    super(`JWT ${code}: ${detail}`);
  }
}

export type JwtSecretErrorCode = 'unreadable' | 'invalid-hex' | 'wrong-length';

export class JwtSecretError extends Error {
  override readonly name = 'JwtSecretError';
  constructor(
    readonly code: JwtSecretErrorCode,
    readonly detail: string,
    readonly path?: string,
  ) {
    super(`JWT secret${path === undefined ? '' : ` ${path}`}: ${detail}`);
  }
}

export interface JwtClaims {
  /** Seconds since the epoch (a JSON NumericDate, possibly fractional). */
  iat: number;
  [claim: string]: unknown;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function fromBase64url(part: string, what: string): Uint8Array {
  // Buffer skips characters outside the alphabet silently; a token must not.
  if (!BASE64URL.test(part) || part.length % 4 === 1) throw new JwtError('malformed', `${what} is not base64url`);
  return new Uint8Array(Buffer.from(part, 'base64url'));
}

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new JwtError('malformed', `${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError('malformed', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** HMAC-SHA256, the JWS "HS256" algorithm. */
export function hs256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

function checkSecret(secret: Uint8Array): void {
  if (secret.length !== JWT_SECRET_LENGTH) throw new RangeError(`a JWT secret has ${JWT_SECRET_LENGTH} bytes, got ${secret.length}`);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Signs `claims` (default: iat = now) with HS256, as a consensus client does. */
export function signJwt(secret: Uint8Array, claims: Record<string, unknown> = { iat: Math.floor(Date.now() / 1000) }): string {
  checkSecret(secret);
  const header = base64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = base64url(Buffer.from(JSON.stringify(claims)));
  const input = `${header}.${payload}`;
  return `${input}.${base64url(hs256(secret, Buffer.from(input, 'ascii')))}`;
}

/**
 * Verifies an HS256 token: shape, algorithm, signature, then `iat` within
 * ±60 s of `nowSeconds`. The signature is checked before any claim, so an
 * unsigned token learns nothing about the clock. Returns the claims.
 */
export function verifyJwt(token: string, secret: Uint8Array, nowSeconds: number = Date.now() / 1000): JwtClaims {
  checkSecret(secret);
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed', `expected 3 dot-separated parts, got ${parts.length}`);
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = jsonObject(fromBase64url(headerPart, 'header'), 'header');
  if (header['alg'] !== 'HS256') throw new JwtError('unsupported-alg', `alg ${JSON.stringify(header['alg'] ?? null)}; only HS256 is accepted`);
  const signature = fromBase64url(signaturePart, 'signature');
  const expected = hs256(secret, Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'));
  if (!constantTimeEqual(signature, expected)) throw new JwtError('bad-signature', 'the signature does not match the secret');
  const claims = jsonObject(fromBase64url(payloadPart, 'payload'), 'payload');
  const iat = claims['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new JwtError('missing-iat', 'the iat claim is required (a number of seconds)');
  if (nowSeconds - iat > JWT_IAT_TOLERANCE_SECONDS) throw new JwtError('stale-token', `issued ${Math.round(nowSeconds - iat)} s ago, at most ${JWT_IAT_TOLERANCE_SECONDS} s allowed`);
  if (iat - nowSeconds > JWT_IAT_TOLERANCE_SECONDS) throw new JwtError('future-token', `issued ${Math.round(iat - nowSeconds)} s in the future, at most ${JWT_IAT_TOLERANCE_SECONDS} s allowed`);
  return claims as JwtClaims;
}

/** Checks an `Authorization` header value ("Bearer <jwt>"; the scheme name is case-insensitive, RFC 6750). */
export function verifyBearer(authorization: string | undefined, secret: Uint8Array, nowSeconds?: number): JwtClaims {
  if (authorization === undefined || authorization === '') throw new JwtError('missing-token', 'no Authorization header; send "Authorization: Bearer <jwt>"');
  const match = /^bearer +(\S+)\s*$/i.exec(authorization);
  if (match === null) throw new JwtError('missing-token', 'the Authorization header is not "Bearer <jwt>"');
  return verifyJwt(match[1]!, secret, nowSeconds);
}

/** Parses the secret file's text: 64 hex digits, with or without 0x, whitespace around ignored. */
export function parseJwtSecret(text: string, path?: string): Uint8Array {
  const trimmed = text.trim();
  const hex = trimmed.startsWith('0x') || trimmed.startsWith('0X') ? trimmed.slice(2) : trimmed;
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new JwtSecretError('invalid-hex', 'not a hex string', path);
  if (hex.length !== JWT_SECRET_LENGTH * 2) throw new JwtSecretError('wrong-length', `${hex.length / 2} bytes, need ${JWT_SECRET_LENGTH}`, path);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export async function readJwtSecretFile(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new JwtSecretError('unreadable', (err as Error).message, path);
  }
  return parseJwtSecret(text, path);
}

/** Writes a new random secret as 0x-hex (mode 0600), creating the directory; refuses to overwrite a file. */
export async function createJwtSecretFile(path: string): Promise<Uint8Array> {
  const secret = new Uint8Array(randomBytes(JWT_SECRET_LENGTH));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `0x${bytesToHex(secret)}`, { mode: 0o600, flag: 'wx' });
  return secret;
}

/**
 * geth's ObtainJWTSecret: read the file if it exists, else create it with a
 * fresh secret. A file that exists but is not a valid secret is an error, never
 * overwritten (the consensus client may share it).
 */
export async function loadOrCreateJwtSecret(path: string): Promise<{ secret: Uint8Array; created: boolean }> {
  try {
    return { secret: await readJwtSecretFile(path), created: false };
  } catch (err) {
    const missing = err instanceof JwtSecretError && err.code === 'unreadable' && /ENOENT/.test(err.detail);
    if (!missing) throw err;
  }
  return { secret: await createJwtSecretFile(path), created: true };
}
