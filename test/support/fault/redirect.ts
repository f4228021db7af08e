import net from 'node:net';

/**
 * Preloaded into the processor process (`node --import`) for the network scenario. kafkajs
 * learns broker addresses from metadata, and the broker advertises its own listener (Apache
 * Kafka: `advertised.listeners=PLAINTEXT://127.0.0.1:<port>` of the run's shared node, which
 * other suites use too; go-mokapi cannot advertise anything but the port it listens on), so
 * after bootstrap the client would bypass a proxy. This module sends every connection to
 * FAULT_REDIRECT_FROM (the broker's port) to FAULT_REDIRECT_TO (the proxy's) instead. Nothing
 * else in the process changes: same code, same kafkajs, real TCP. The network scenario checks
 * through /proc that the processor holds no connection straight to the broker.
 */
const from = Number(process.env.FAULT_REDIRECT_FROM);
const to = Number(process.env.FAULT_REDIRECT_TO);

if (from > 0 && to > 0) {
  const original = net.connect;
  const redirected = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    if (typeof first === 'object' && first !== null && Number((first as { port?: unknown }).port) === from) {
      args[0] = { ...(first as object), port: to };
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.connect = redirected as typeof net.connect;
  net.createConnection = redirected as typeof net.createConnection;
}
