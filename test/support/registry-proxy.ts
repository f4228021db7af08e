import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SecuredRegistry { url: string; username: string; password: string; close(): Promise<void> }

/**
 * The run's real registry behind TLS and basic auth, as production registries are usually
 * fronted: a request without the right credentials gets 401 and never reaches the registry.
 */
export async function securedRegistry(upstreamUrl: string, tls: { certFile: string; keyFile: string }, username: string, password: string): Promise<SecuredRegistry> {
  const upstream = new URL(upstreamUrl);
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const server: Server = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"', 'content-type': 'application/json' }).end('{"error_code":401,"message":"Unauthorized"}');
      return;
    }
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const forwarded = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.writeHead(502).end());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}${upstream.pathname.replace(/\/$/, '')}`, username, password,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
