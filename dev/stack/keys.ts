import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevKeys {
  publicKeyPem: string;
  privateKeyPem: string;
  privateKeyFile: string;
}

/**
 * The development identity provider's key pair: the service verifies admin and owner tokens
 * with the public half, the CLI and the tests mint tokens with the private half. Kept on disk
 * so tokens minted by the CLI stay valid across restarts of `npm start`.
 */
export async function devKeys(dir: string): Promise<DevKeys> {
  mkdirSync(dir, { recursive: true });
  const privateKeyFile = join(dir, 'dev-signing-key.pem');
  const publicKeyFile = join(dir, 'dev-signing-key.pub.pem');
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    writeFileSync(privateKeyFile, await exportPKCS8(privateKey), { mode: 0o600 });
    writeFileSync(publicKeyFile, await exportSPKI(publicKey));
  }
  return { publicKeyPem: readFileSync(publicKeyFile, 'utf8'), privateKeyPem: readFileSync(privateKeyFile, 'utf8'), privateKeyFile };
}
