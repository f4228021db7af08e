import net from 'node:net';
import tls from 'node:tls';

/**
 * Preloaded into the processor process (`node --import`) for the network scenario. kafkajs
 * learns broker addresses from metadata, and the broker advertises its own listener (Apache
 * Kafka: `advertised.listeners` of the run's shared node, which other suites use too, or of each
 * broker of the secured cluster; go-mokapi cannot advertise anything but the port it listens on), so
 * after bootstrap the client would bypass a proxy. This module sends every connection to
 * FAULT_REDIRECT_FROM (the broker's port) to FAULT_REDIRECT_TO (the proxy's) instead. Nothing
 * else in the process changes: same code, same kafkajs, real TCP. The network scenario checks
 * through /proc that the processor holds no connection straight to the broker.
 */
/** FAULT_REDIRECT_FROM -> FAULT_REDIRECT_TO, and each `from:to` of FAULT_REDIRECT_MAP (one proxy per broker of a cluster). */
const pairs: [number, number][] = [
  [Number(process.env.FAULT_REDIRECT_FROM), Number(process.env.FAULT_REDIRECT_TO)],
  ...(process.env.FAULT_REDIRECT_MAP ?? '').split(',').filter(Boolean).map((pair) => pair.split(':').map(Number) as [number, number]),
];
const routes = new Map(pairs.filter(([from, to]) => from > 0 && to > 0));

/** `connect` with an options object first (as kafkajs calls both) sent on to the proxy's port. */
function redirecting<F extends (...args: never[]) => unknown>(original: F): F {
  return function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const to = typeof first === 'object' && first !== null ? routes.get(Number((first as { port?: unknown }).port)) : undefined;
    if (to !== undefined) args[0] = { ...(first as object), port: to };
    return (original as unknown as (...a: unknown[]) => unknown).apply(this, args);
  } as unknown as F;
}

if (routes.size > 0) {
  net.connect = redirecting(net.connect);
  net.createConnection = redirecting(net.createConnection);
  // A TLS client (the secured cluster) connects through tls.connect, which does not go through
  // net.connect; its servername stays the broker's host, so the certificate is checked as ever.
  tls.connect = redirecting(tls.connect);
}
