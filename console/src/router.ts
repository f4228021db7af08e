import { useEffect, useState } from 'preact/hooks';

/** Hash routes (#/queue, #/applications/<id>): the server serves one page at /console. */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const go = (path: string) => { location.hash = `#/${path}`; };
