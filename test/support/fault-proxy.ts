/**
 * A fault-injecting HTTP proxy in front of a local server (127.0.0.1, free port). For each request a rule
 * decides: `pass` (forward), `reset` (drop the connection before forwarding), `throttle` (answer 503
 * SlowDown without forwarding) or `swallow` (forward it — the server acts on it — but never answer: the
 * client sees an ambiguous timeout).
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'http';
import type { AddressInfo } from 'net';

export type Fault = 'pass' | 'reset' | 'throttle' | 'swallow';

export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Every request seen, with the fault applied. */
  readonly seen: (ProxiedRequest & { fault: Fault })[];
  stop(): Promise<void>;
}

export async function startFaultProxy(
  upstream: string,
  rule: (req: ProxiedRequest, n: number) => Fault,
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const seen: FaultProxy['seen'] = [];
  const server = createServer((req, res) => {
    const info = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const fault = rule(info, seen.length);
    seen.push({ ...info, fault });
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'throttle') {
      req.resume();
      res
        .writeHead(503, { 'content-type': 'application/xml' })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
      return;
    }
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        if (fault === 'swallow') {
          upstreamRes.resume(); // the server did the work; the client never hears of it
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
