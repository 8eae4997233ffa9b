/**
 * JSON-RPC over HTTP POST, bound to loopback only: the admin namespace can
 * add peers, so it must never be reachable from elsewhere. An optional
 * `authorize` check (the Engine API's JWT, see auth-http-server.ts) runs on
 * the headers before the body is read; a refusal is HTTP 401.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleJsonRpc, type RpcMethods } from './json-rpc.js';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface RpcHttpServerOptions {
  /** Returns undefined to let the request through, or the reason it is refused (sent with HTTP 401). */
  authorize?: (headers: IncomingHttpHeaders) => string | undefined;
}

export class RpcHttpServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(methods: RpcMethods, port: number, host = '127.0.0.1', options: RpcHttpServerOptions = {}): Promise<RpcHttpServer> {
    const server = createServer((req, res) => {
      const refusal = options.authorize?.(req.headers);
      if (refusal !== undefined) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end(`${refusal}\n`);
        req.resume();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          res.writeHead(413).end();
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (res.writableEnded) return;
        void handleJsonRpc(methods, Buffer.concat(chunks).toString('utf8')).then((body) => {
          if (body === undefined) res.writeHead(204).end();
          else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`cannot serve JSON-RPC on ${host}:${port}: ${err.message}`)));
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('RPC server has no TCP address');
    return new RpcHttpServer(server, address.port);
  }

  /** The address the socket is bound to, as the OS reports it. */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
