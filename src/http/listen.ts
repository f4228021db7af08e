import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type express from 'express';
import { PROBLEM_TYPE_BASE } from './problem.ts';

const HEADERS_TOO_LARGE = JSON.stringify({
  type: `${PROBLEM_TYPE_BASE}headers-too-large`, title: 'Request header fields too large', status: 431,
  detail: 'the request headers exceed the server limit (16 KiB)',
});

/**
 * Node answers oversized or malformed requests before express sees them; this keeps those
 * answers problem+json like every other error of the API.
 */
export function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(port, host, () => resolve(server));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const body = tooLarge ? HEADERS_TOO_LARGE : JSON.stringify({ type: `${PROBLEM_TYPE_BASE}invalid-request`, title: 'Bad request', status: 400, detail: 'malformed HTTP request' });
      socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
}
