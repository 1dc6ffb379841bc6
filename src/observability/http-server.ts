import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpListen } from '../config/options.js';

export interface Readiness {
  ready: boolean;
  body: unknown;
}

export interface HttpHandlers {
  metrics(): Promise<{ contentType: string; body: string }>;
  /** GET /healthz: the process is up and its event loop turns. */
  health(): unknown;
  /** GET /readyz: whether a load balancer should send new clients here. */
  readiness(): Promise<Readiness>;
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

function json(res: http.ServerResponse, status: number, value: unknown, head: boolean): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, head);
}

/** The operator's HTTP port: GET /metrics, /healthz, /readyz; nothing else. */
export class HttpEndpoint {
  private constructor(private readonly server: http.Server) {}

  static start(listen: HttpListen, handlers: HttpHandlers, onError: (e: unknown) => void): Promise<HttpEndpoint> {
    const server = http.createServer((req, res) => {
      void route(req, res, handlers).catch((e: unknown) => {
        onError(e);
        if (!res.headersSent) json(res, 500, { error: 'internal error' }, false);
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        server.on('error', onError);
        resolve(new HttpEndpoint(server));
      });
    });
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function route(req: http.IncomingMessage, res: http.ServerResponse, h: HttpHandlers): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    json(res, 405, { error: 'method not allowed' }, false);
    return;
  }
  switch (path) {
    case '/metrics': {
      const m = await h.metrics();
      send(res, 200, m.contentType, m.body, head);
      return;
    }
    case '/healthz':
      json(res, 200, h.health(), head);
      return;
    case '/readyz': {
      const r = await h.readiness();
      json(res, r.ready ? 200 : 503, r.body, head);
      return;
    }
    default:
      json(res, 404, { error: 'not found', endpoints: ['/metrics', '/healthz', '/readyz'] }, head);
  }
}
