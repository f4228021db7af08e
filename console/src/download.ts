import { Problem } from './api.ts';
import { currentSession } from './session.ts';

/**
 * Saves what `path` answers as a file. A plain link cannot carry the bearer token, so the file
 * is fetched and handed to the browser as a blob.
 */
export async function download(path: string, filename: string): Promise<void> {
  const session = currentSession();
  const response = await fetch(path, { headers: session ? { authorization: `Bearer ${session.token}` } : {} });
  if (!response.ok) throw new Problem(response.status, response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
