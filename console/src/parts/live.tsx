import { useEffect, useRef } from 'preact/hooks';
import { followOutcomes, type LiveOutcome } from '../live.ts';

/**
 * Calls `refresh` when an outcome that `concerns` the page arrives (or the stream says to reload
 * everything), at most once per animation frame however many arrive together.
 */
export function useLiveRefresh(refresh: () => void, concerns: (outcome: LiveOutcome) => boolean = () => true): void {
  const latest = useRef({ refresh, concerns });
  latest.current = { refresh, concerns };
  useEffect(() => {
    let pending = false;
    const schedule = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        latest.current.refresh();
      });
    };
    return followOutcomes((outcome) => { if (latest.current.concerns(outcome)) schedule(); }, schedule);
  }, []);
}
