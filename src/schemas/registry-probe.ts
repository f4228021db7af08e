import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { registryAgent, type RegistryAccess } from './serde.ts';
import { untrustedCertificate } from '../tls-codes.ts';


/**
 * One `GET /subjects` with the service's credentials and CA: null when the registry answered,
 * else the one line an operator reads (the setting to look at, never the secret).
 */
export function probeRegistry(url: string, access: RegistryAccess, timeoutMs = 5000): Promise<string | null> {
  const target = new URL(`${url.replace(/\/$/, '')}/subjects`);
  const auth = access.auth ? { authorization: `Basic ${Buffer.from(`${access.auth.username}:${access.auth.password}`).toString('base64')}` } : {};
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const sent = request(target, { headers: { accept: 'application/json', ...auth }, agent: target.protocol === 'https:' ? registryAgent(access) : undefined, timeout: timeoutMs }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      if (status === 401 || status === 403) {
        resolve(`the schema registry refused the credentials${access.auth ? ` of user "${access.auth.username}"` : ' (none were given)'} (${status}): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD`);
      } else resolve(status >= 200 && status < 300 ? null : `the schema registry answered ${status} at ${target.origin}${target.pathname}: check SCHEMA_REGISTRY_URL`);
    });
    sent.on('timeout', () => sent.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    sent.on('error', (error: NodeJS.ErrnoException) => resolve(untrustedCertificate(error.code)
      ? `the schema registry's TLS certificate is not trusted (${error.code}): SCHEMA_REGISTRY_CA_FILE must hold the CA that signed it`
      : `the schema registry does not answer at ${target.origin} (${error.code ?? error.message}): check SCHEMA_REGISTRY_URL`));
    sent.end();
  });
}
