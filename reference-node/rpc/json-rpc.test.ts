import { describe, expect, it } from 'vitest';
import { handleJsonRpc, RpcError, RPC_INVALID_PARAMS } from './json-rpc.js';

const methods = {
  echo: (params: unknown[]) => params[0] as string,
  fail: () => {
    throw new RpcError(RPC_INVALID_PARAMS, 'bad param');
  },
};

describe('JSON-RPC 2.0 handling', () => {
  it('answers a call, a batch, and stays silent for a notification', async () => {
    expect(JSON.parse((await handleJsonRpc(methods, '{"jsonrpc":"2.0","id":7,"method":"echo","params":["x"]}'))!)).toEqual({ jsonrpc: '2.0', id: 7, result: 'x' });
    const batch = JSON.parse((await handleJsonRpc(methods, '[{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},{"jsonrpc":"2.0","method":"echo","params":[2]}]'))!);
    expect(batch).toEqual([{ jsonrpc: '2.0', id: 1, result: 1 }]);
    expect(await handleJsonRpc(methods, '{"jsonrpc":"2.0","method":"echo","params":[1]}')).toBeUndefined();
  });

  it.each([
    ['not json', '{', -32700],
    ['wrong version', '{"jsonrpc":"1.0","id":1,"method":"echo"}', -32600],
    ['empty batch', '[]', -32600],
    ['unknown method', '{"jsonrpc":"2.0","id":1,"method":"toString"}', -32601],
    ['params not an array', '{"jsonrpc":"2.0","id":1,"method":"echo","params":{}}', -32602],
    ['handler error', '{"jsonrpc":"2.0","id":1,"method":"fail"}', -32602],
  ])('%s gives error %d', async (_label, body, code) => {
    const res = JSON.parse((await handleJsonRpc(methods, body))!);
    expect(res.error.code).toBe(code);
  });
});
