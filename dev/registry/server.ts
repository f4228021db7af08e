import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ErrorRequestHandler, Express } from 'express';
import { RegistryError, RegistryStore } from './store.ts';

/**
 * A development stand-in for Confluent Schema Registry (which needs Java): the subset of its
 * REST API that @kafkajs/confluent-schema-registry uses, for AVRO schemas only.
 */

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface RegistryOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: a development registry has no business listening elsewhere. */
  host?: string;
  /** JSON file holding the registry state; created if missing, reloaded so ids survive restarts. */
  file: string;
}

export interface RunningRegistry {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Body-parser errors (malformed JSON, body too large) carry their 4xx status. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (error instanceof RegistryError) {
    res.status(error.status).json({ error_code: error.errorCode, message: error.message });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    res.status(status).json({ error_code: status, message });
    return;
  }
  console.error('schema registry: internal error', error);
  res.status(500).json({ error_code: 500, message: `Internal error: ${message}` });
};

export function createRegistryApp(store: RegistryStore): Express {
  const app = express();
  app.disable('x-powered-by');
  // Set before anything can fail so res.json keeps it, for error answers (malformed bodies) too.
  app.use((_req, res, next) => {
    res.type(CONTENT_TYPE);
    next();
  });
  // Confluent clients send vnd.schemaregistry(.v1)+json, curl users often nothing: read any body as JSON.
  app.use(express.json({ type: () => true, limit: '10mb' }));

  app.get('/', (_req, res) => void res.json({}));
  app.get('/schemas/types', (_req, res) => void res.json(['AVRO']));
  app.get('/schemas/ids/:id', (req, res) => void res.json(store.schemaById(req.params.id)));

  app.get('/subjects', (_req, res) => void res.json(store.subjects()));
  app.post('/subjects/:subject', (req, res) => void res.json(store.lookup(req.params.subject, req.body)));
  app.get('/subjects/:subject/versions', (req, res) => void res.json(store.versions(req.params.subject)));
  app.post('/subjects/:subject/versions', (req, res) => void res.json(store.register(req.params.subject, req.body)));
  app.get('/subjects/:subject/versions/:version', (req, res) =>
    void res.json(store.version(req.params.subject, req.params.version)));

  app.post('/compatibility/subjects/:subject/versions/:version', (req, res) =>
    void res.json(store.testCompatibility(req.params.subject, req.params.version, req.body)));

  app.get('/config', (_req, res) => void res.json(store.globalConfig()));
  app.put('/config', (req, res) => void res.json(store.setConfig(undefined, req.body)));
  app.get('/config/:subject', (req, res) =>
    void res.json(store.subjectConfig(req.params.subject, req.query.defaultToGlobal === 'true')));
  app.put('/config/:subject', (req, res) => void res.json(store.setConfig(req.params.subject, req.body)));

  app.use((req, res) => {
    res.status(404).json({ error_code: 404, message: `HTTP 404 Not Found: ${req.method} ${req.path}` });
  });
  app.use(errorHandler);
  return app;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const host = options.host ?? '127.0.0.1';
  const store = RegistryStore.open(options.file);
  const server = createServer(createRegistryApp(store));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Clients keep connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
