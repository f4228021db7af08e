import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Problem } from '../api.ts';
import { t } from '../i18n.ts';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; problem: Problem } | { state: 'ready'; value: T };

const asProblem = (error: unknown) => (error instanceof Problem ? error : new Problem(0, String(error)));

/** Runs `load` when `deps` change; `reload` runs it again (after a command changed the data). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setLoaded((previous) => (previous.state === 'ready' && round > 0 ? previous : { state: 'loading' }));
    load().then((value) => current && setLoaded({ state: 'ready', value }), (error: unknown) => current && setLoaded({ state: 'error', problem: asProblem(error) }));
    return () => { current = false; };
  }, [...deps, round]);
  return [loaded, useCallback(() => setRound((n) => n + 1), [])];
}

export const Loading = () => <p class="state loading" role="status" aria-live="polite">{t('loading')}</p>;
export const Empty = () => <p class="state empty">{t('empty')}</p>;

export function ErrorBox({ problem, retry }: { problem: Problem; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <strong>{t('errorTitle')}{problem.status > 0 ? ` (${problem.status})` : ''}</strong>
      <p>{problem.message}</p>
      {retry && <button type="button" onClick={retry}>{t('retry')}</button>}
    </div>
  );
}

/** Loading, error and ready states of one load in one place. */
export function Show<T>({ loaded, retry, children }: { loaded: Loaded<T>; retry?: () => void; children: (value: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <ErrorBox problem={loaded.problem} retry={retry} />;
  return <>{children(loaded.value)}</>;
}
