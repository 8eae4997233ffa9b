import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthRpcServer } from './auth-http-server.js';
import type { RpcHttpServer } from './http-server.js';
import { signJwt } from './jwt.js';

const SECRET = new Uint8Array(32).fill(0x5a);
const NOW = 1_700_000_000;
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['hi'] });

describe('the authenticated RPC server', () => {
  let server: RpcHttpServer;
  let calls = 0;
  const url = () => `http://127.0.0.1:${server.port}/`;
  const post = (headers: Record<string, string>, body = CALL) => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    const methods = {
      echo: (params: unknown[]) => {
        calls++;
        return params[0] as string;
      },
    };
    server = await startAuthRpcServer({ methods, port: 0, secret: SECRET, now: () => NOW });
  });
  afterAll(() => server?.close());

  it('binds 127.0.0.1 only', () => {
    expect(server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: server.port });
  });

  it('answers a request with a valid token', async () => {
    const res = await post({ authorization: `Bearer ${signJwt(SECRET, { iat: NOW - 5 })}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: 'hi' });
  });

  it.each([
    ['no Authorization header', {}, /Authorization/],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }, /Bearer/],
    ['a token signed with another secret', { authorization: `Bearer ${signJwt(new Uint8Array(32).fill(1), { iat: NOW })}` }, /signature/],
    ['a stale token', { authorization: `Bearer ${signJwt(SECRET, { iat: NOW - 61 })}` }, /stale/],
    ['a token from the future', { authorization: `Bearer ${signJwt(SECRET, { iat: NOW + 61 })}` }, /future/],
    ['alg none', { authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"iat":${NOW}}`).toString('base64url')}.` }, /HS256/],
    ['a malformed token', { authorization: 'Bearer not-a-jwt' }, /malformed/],
  ])('refuses %s with HTTP 401 and says why, without running the method', async (_label, headers, reason) => {
    const before = calls;
    const res = await post(headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.text()).toMatch(reason);
    expect(calls).toBe(before);
  });

  it('checks the token before the HTTP method, and still refuses GET with a token (405)', async () => {
    expect((await fetch(url())).status).toBe(401);
    expect((await fetch(url(), { headers: { authorization: `Bearer ${signJwt(SECRET, { iat: NOW })}` } })).status).toBe(405);
  });

  it('authenticates every request on its own (a keep-alive connection gets no pass)', async () => {
    const good = { authorization: `Bearer ${signJwt(SECRET, { iat: NOW })}` };
    expect((await post(good)).status).toBe(200);
    expect((await post({})).status).toBe(401);
    expect((await post(good)).status).toBe(200);
  });

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => startAuthRpcServer({ methods: {}, port: 0, secret: new Uint8Array(16) })).toThrow(RangeError);
  });
});
