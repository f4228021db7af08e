import { get } from '../api.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import { Show, useLoad } from '../parts/load.tsx';
import type { Stats } from '../types.ts';

const Counts = ({ title, counts }: { title: string; counts: Record<string, number> }) => (
  <section class="figure"><h3>{title}</h3>
    <dl class="pairs">{Object.entries(counts).map(([key, n]) => <><dt>{t(key as MessageKey)}</dt><dd data-key={key}>{n}</dd></>)}</dl>
  </section>
);

export function StatsPage() {
  const [loaded, reload] = useLoad(() => get<Stats>('/stats'), []);
  return (
    <section>
      <h2>{t('statsTitle')}</h2>
      <Show loaded={loaded} retry={reload}>{(stats) => (
        <div class="figures" id="stats">
          <Counts title={t('byStatus')} counts={stats.byStatus} />
          <Counts title={t('byContentType')} counts={stats.byContentType} />
          <Counts title={t('byKind')} counts={stats.byKind} />
          <section class="figure"><h3>{t('oldestPending')}</h3>
            <p>{stats.oldestPendingAgeSeconds === null ? t('noneWaiting') : t('seconds', { n: stats.oldestPendingAgeSeconds })}</p></section>
        </div>
      )}</Show>
    </section>
  );
}
