import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hs256,
  JwtError,
  JwtSecretError,
  loadOrCreateJwtSecret,
  parseJwtSecret,
  readJwtSecretFile,
  signJwt,
  verifyBearer,
  verifyJwt,
  type JwtErrorCode,
} from './jwt.js';

const SECRET = new Uint8Array(32).map((_, i) => i + 1);
const NOW = 1_700_000_000;

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** A token made with node:crypto's HMAC, independently of jwt.ts. */
function nodeToken(header: Record<string, unknown>, claims: Record<string, unknown>, secret: Uint8Array = SECRET): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function codeOf(fn: () => unknown): JwtErrorCode {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(JwtError);
    return (err as JwtError).code;
  }
  throw new Error('expected a JwtError');
}

describe('HS256', () => {
  it('matches the HMAC-SHA256 example of RFC 7515 appendix A.1', () => {
    const key = Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url');
    const input = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
    expect(Buffer.from(hs256(key, Buffer.from(input))).toString('base64url')).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  });
});

describe('verifyJwt', () => {
  it('accepts a token signed by another implementation, and returns its claims (unknown ones kept, exp not judged)', () => {
    const token = nodeToken({ alg: 'HS256', typ: 'JWT' }, { iat: NOW, id: 'lighthouse', clv: 'v5', exp: NOW - 1000 });
    expect(verifyJwt(token, SECRET, NOW)).toEqual({ iat: NOW, id: 'lighthouse', clv: 'v5', exp: NOW - 1000 });
  });

  it('signs tokens that another implementation verifies', () => {
    const token = signJwt(SECRET, { iat: NOW });
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')).toBe(s);
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({ iat: NOW });
  });

  it('takes iat within ±60 s of now, and refuses beyond (stale, future)', () => {
    for (const iat of [NOW - 60, NOW - 59.5, NOW, NOW + 60]) expect(verifyJwt(signJwt(SECRET, { iat }), SECRET, NOW).iat).toBe(iat);
    expect(codeOf(() => verifyJwt(signJwt(SECRET, { iat: NOW - 61 }), SECRET, NOW))).toBe('stale-token');
    expect(codeOf(() => verifyJwt(signJwt(SECRET, { iat: NOW - 3600 }), SECRET, NOW))).toBe('stale-token');
    expect(codeOf(() => verifyJwt(signJwt(SECRET, { iat: NOW + 61 }), SECRET, NOW))).toBe('future-token');
  });

  it('requires iat as a number', () => {
    expect(codeOf(() => verifyJwt(signJwt(SECRET, { id: 'x' }), SECRET, NOW))).toBe('missing-iat');
    expect(codeOf(() => verifyJwt(signJwt(SECRET, { iat: String(NOW) }), SECRET, NOW))).toBe('missing-iat');
    expect(codeOf(() => verifyJwt(signJwt(SECRET, { iat: null }), SECRET, NOW))).toBe('missing-iat');
  });

  it('refuses a token signed with another secret, or with a changed payload', () => {
    const other = new Uint8Array(32).fill(9);
    expect(codeOf(() => verifyJwt(signJwt(other, { iat: NOW }), SECRET, NOW))).toBe('bad-signature');
    const [h, , s] = signJwt(SECRET, { iat: NOW }).split('.');
    expect(codeOf(() => verifyJwt(`${h}.${b64(JSON.stringify({ iat: NOW + 1 }))}.${s}`, SECRET, NOW))).toBe('bad-signature');
    expect(codeOf(() => verifyJwt(`${h}.${b64(JSON.stringify({ iat: NOW }))}.`, SECRET, NOW))).toBe('bad-signature');
  });

  it('refuses alg none and every algorithm but HS256, even with a correct HMAC', () => {
    const claims = { iat: NOW };
    expect(codeOf(() => verifyJwt(`${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify(claims))}.`, SECRET, NOW))).toBe('unsupported-alg');
    expect(codeOf(() => verifyJwt(nodeToken({ alg: 'none' }, claims), SECRET, NOW))).toBe('unsupported-alg');
    expect(codeOf(() => verifyJwt(nodeToken({ alg: 'HS512' }, claims), SECRET, NOW))).toBe('unsupported-alg');
    expect(codeOf(() => verifyJwt(nodeToken({ alg: 'hs256' }, claims), SECRET, NOW))).toBe('unsupported-alg');
    expect(codeOf(() => verifyJwt(nodeToken({ typ: 'JWT' }, claims), SECRET, NOW))).toBe('unsupported-alg');
  });

  it.each([
    ['empty', ''],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['a character outside base64url', `${b64('{"alg":"HS256"}')}+.${b64('{"iat":1}')}.sig`],
    ['a header that is not JSON', `${b64('alg HS256')}.${b64('{"iat":1}')}.sig`],
    ['a header that is an array', `${b64('["HS256"]')}.${b64('{"iat":1}')}.sig`],
  ])('calls %s malformed', (_label, token) => {
    expect(codeOf(() => verifyJwt(token, SECRET, NOW))).toBe('malformed');
  });

  it('calls a correctly signed non-object payload malformed', () => {
    expect(codeOf(() => verifyJwt(nodeToken({ alg: 'HS256' }, [NOW] as unknown as Record<string, unknown>), SECRET, NOW))).toBe('malformed');
  });

  it('refuses a secret that is not 32 bytes (a caller bug)', () => {
    expect(() => verifyJwt(signJwt(SECRET, { iat: NOW }), new Uint8Array(31), NOW)).toThrow(RangeError);
  });
});

describe('verifyBearer', () => {
  it('reads "Bearer <jwt>", the scheme in any case', () => {
    const token = signJwt(SECRET, { iat: NOW });
    expect(verifyBearer(`Bearer ${token}`, SECRET, NOW).iat).toBe(NOW);
    expect(verifyBearer(`bearer ${token}`, SECRET, NOW).iat).toBe(NOW);
  });

  it('refuses a missing header and other schemes', () => {
    expect(codeOf(() => verifyBearer(undefined, SECRET, NOW))).toBe('missing-token');
    expect(codeOf(() => verifyBearer('', SECRET, NOW))).toBe('missing-token');
    expect(codeOf(() => verifyBearer(`Basic ${b64('user:pass')}`, SECRET, NOW))).toBe('missing-token');
    expect(codeOf(() => verifyBearer(signJwt(SECRET, { iat: NOW }), SECRET, NOW))).toBe('missing-token');
  });
});

describe('the secret file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jwt-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const HEX = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20';

  it('parses hex with or without 0x, whitespace around tolerated', () => {
    for (const text of [HEX, `0x${HEX}`, `  0x${HEX}\n`, `${HEX.toUpperCase()}\r\n`]) expect(parseJwtSecret(text)).toEqual(SECRET);
  });

  it('refuses bad hex and the wrong length, with a typed error', () => {
    const code = (text: string) => {
      try {
        parseJwtSecret(text);
      } catch (err) {
        expect(err).toBeInstanceOf(JwtSecretError);
        return (err as JwtSecretError).code;
      }
      return 'accepted';
    };
    expect(code(HEX.slice(2))).toBe('wrong-length');
    expect(code(`${HEX}00`)).toBe('wrong-length');
    expect(code('')).toBe('wrong-length');
    expect(code(`${HEX.slice(1)}g`)).toBe('invalid-hex');
    expect(code(`${HEX.slice(1)}`)).toBe('invalid-hex');
    expect(code(`0x ${HEX}`)).toBe('invalid-hex');
  });

  it('reads a file, and names an unreadable one', async () => {
    const path = join(dir, 'given.hex');
    await writeFile(path, `0x${HEX}\n`);
    expect(await readJwtSecretFile(path)).toEqual(SECRET);
    await expect(readJwtSecretFile(join(dir, 'absent.hex'))).rejects.toMatchObject({ code: 'unreadable', path: join(dir, 'absent.hex') });
  });

  it('creates a missing file (0x-hex, mode 0600, directories made), then reads the same secret back', async () => {
    const path = join(dir, 'datadir', 'jwtsecret');
    const first = await loadOrCreateJwtSecret(path);
    expect(first.created).toBe(true);
    expect(first.secret.length).toBe(32);
    expect(await readFile(path, 'utf8')).toBe(`0x${Buffer.from(first.secret).toString('hex')}`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateJwtSecret(path);
    expect(second).toEqual({ secret: first.secret, created: false });
  });

  it('never overwrites a file that is not a valid secret', async () => {
    const path = join(dir, 'corrupt');
    await writeFile(path, 'not a secret');
    await expect(loadOrCreateJwtSecret(path)).rejects.toBeInstanceOf(JwtSecretError);
    expect(await readFile(path, 'utf8')).toBe('not a secret');
  });
});
