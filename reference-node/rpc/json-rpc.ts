/**
 * JSON-RPC 2.0 request handling without transport: parse, dispatch to named
 * methods, shape results and errors. The HTTP server only moves bytes.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type RpcHandler = (params: JsonValue[]) => Promise<JsonValue> | JsonValue;
export type RpcMethods = Record<string, RpcHandler>;

export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;

/** Thrown by handlers to answer with a specific JSON-RPC error. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: JsonValue,
  ) {
    super(message);
  }
}

interface Response {
  jsonrpc: '2.0';
  id: JsonValue;
  result?: JsonValue;
  error?: { code: number; message: string; data?: JsonValue };
}

function failure(id: JsonValue, code: number, message: string, data?: JsonValue): Response {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

async function handleOne(methods: RpcMethods, request: unknown): Promise<Response | undefined> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return failure(null, RPC_INVALID_REQUEST, 'request must be an object');
  }
  const { jsonrpc, method, params, id } = request as Record<string, unknown>;
  const replyId = (id ?? null) as JsonValue;
  if (jsonrpc !== '2.0' || typeof method !== 'string') {
    return failure(replyId, RPC_INVALID_REQUEST, 'expected {"jsonrpc":"2.0","method":string,...}');
  }
  if (params !== undefined && !Array.isArray(params)) {
    return failure(replyId, RPC_INVALID_PARAMS, 'params must be an array');
  }
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) return failure(replyId, RPC_METHOD_NOT_FOUND, `the method ${method} does not exist/is not available`);
  try {
    const result = await handler((params ?? []) as JsonValue[]);
    // A request without an id is a notification: it gets no response.
    if (id === undefined) return undefined;
    return { jsonrpc: '2.0', id: replyId, result };
  } catch (err) {
    if (err instanceof RpcError) return failure(replyId, err.code, err.message, err.data);
    return failure(replyId, RPC_INTERNAL_ERROR, (err as Error).message);
  }
}

/** Handles a request body (single or batch); returns the response body, or undefined for no response. */
export async function handleJsonRpc(methods: RpcMethods, body: string): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify(failure(null, RPC_PARSE_ERROR, 'parse error'));
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return JSON.stringify(failure(null, RPC_INVALID_REQUEST, 'empty batch'));
    const responses = (await Promise.all(parsed.map((r) => handleOne(methods, r)))).filter((r) => r !== undefined);
    return responses.length > 0 ? JSON.stringify(responses) : undefined;
  }
  const response = await handleOne(methods, parsed);
  return response && JSON.stringify(response);
}

export function expectParam<T extends JsonValue>(params: JsonValue[], index: number, type: 'string' | 'number' | 'boolean', name: string): T {
  const value = params[index];
  if (typeof value !== type) throw new RpcError(RPC_INVALID_PARAMS, `param ${index} (${name}) must be a ${type}`);
  return value as T;
}

export function toQuantity(value: bigint | number): string {
  return '0x' + BigInt(value).toString(16);
}
