import autocannon from 'autocannon';

export interface HttpResult {
  path: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon against one route: `connections` keep-alive connections for `seconds`, each request
 * on a path chosen by `pathOf` (so GET /applications/:id walks over many applications).
 */
export async function load(options: { baseUrl: string; pathOf: () => string; headers?: Record<string, string>; seconds: number; connections: number }): Promise<HttpResult> {
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers ?? {},
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: options.pathOf() }) }],
  });
  const requests = result['2xx'] + result.non2xx;
  return {
    path: options.pathOf(),
    requestsPerSecond: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    seconds: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
