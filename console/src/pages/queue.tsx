import { useState } from 'preact/hooks';
import { get, Problem, query } from '../api.ts';
import { download } from '../download.ts';
import { formatTime, t } from '../i18n.ts';
import { Field } from '../parts/field.tsx';
import { BulkDecisions, useSelection } from '../parts/bulk.tsx';
import { useLiveRefresh } from '../parts/live.tsx';
import { Empty, ErrorBox, Show, useLoad } from '../parts/load.tsx';
import { ReviewClaimLine } from '../parts/review-claim.tsx';
import { APPLICATION_STATUSES, type ApplicationPage, type ContentType, type Kind, type Status } from '../types.ts';

const AGES = { '': 0, hour: 3600, day: 86_400, week: 7 * 86_400 } as const;
type Age = keyof typeof AGES;

/** The search box and the submitted-date range, applied together by the search button. */
interface Search { q: string; from: string; to: string }
const NO_SEARCH: Search = { q: '', from: '', to: '' };
/** A date input means the admin's local day: from its first instant, to the first instant after the `to` day. */
const startOf = (date: string, days = 0) => {
  if (date === '') return undefined;
  const day = new Date(`${date}T00:00`);
  day.setDate(day.getDate() + days);
  return day.toISOString();
};

interface Filters { status: Status | ''; contentType: string; kind: string; search: Search }
/** The filters as the API's parameters, for the pages and the CSV export alike. */
const parameters = ({ status, contentType, kind, search }: Filters) => ({
  status, contentType, kind, q: search.q.trim(), submittedFrom: startOf(search.from), submittedTo: startOf(search.to, 1),
});

/**
 * The API pages newest first; the queue is worked oldest first, so it reads every page of the
 * query (up to 1000) and shows the API's total of matches.
 */
async function applications(filters: Filters): Promise<ApplicationPage> {
  const items: ApplicationPage['items'] = [];
  let total = 0;
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await get<ApplicationPage>(`/applications${query({ ...parameters(filters), limit: 100, cursor })}`);
    items.push(...result.items);
    total = result.total;
    if (result.nextCursor === null) break;
    cursor = result.nextCursor;
  }
  return { items: items.reverse(), total, nextCursor: null };
}

/** Time left until the review deadline, or how long it is overdue (negative). */
const leftUntil = (due: string) => {
  const minutes = Math.round((Date.parse(due) - Date.now()) / 60_000);
  const abs = Math.abs(minutes);
  const text = abs < 60 ? `${abs}m` : abs < 1440 ? `${Math.floor(abs / 60)}h` : `${Math.floor(abs / 1440)}d`;
  return { overdue: minutes < 0, text };
};

const waited = (iso: string) => {
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  return minutes < 60 ? `${minutes}m` : minutes < 1440 ? `${Math.floor(minutes / 60)}h` : `${Math.floor(minutes / 1440)}d`;
};

export function QueuePage() {
  const [contentType, setContentType] = useState<ContentType | ''>('');
  const [kind, setKind] = useState<Kind | ''>('');
  const [age, setAge] = useState<Age>('');
  const [order, setOrder] = useState<'leastTimeLeft' | 'mostTimeLeft'>('leastTimeLeft');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState<Status | ''>('PENDING');
  const [draft, setDraft] = useState(NO_SEARCH);
  const [search, setSearch] = useState(NO_SEARCH);
  const filters = { status, contentType, kind, search };
  const [loaded, reload] = useLoad(() => applications(filters), [status, contentType, kind, search]);
  const edit = (key: keyof Search) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
  // Any outcome can change the queue: a new application, an amendment, a decision by someone else.
  useLiveRefresh(reload);
  const { selected, toggle, clear } = useSelection();
  const exportCsv = () => download(`/applications.csv${query(parameters(filters))}`, 'applications.csv').then(() => setProblem(null), setProblem);
  return (
    <section>
      <h2>{t('queueTitle')}</h2>
      <form class="filters" id="queue-search" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(draft); }}>
        <Field id="queue-q" label={t('searchText')} type="search" value={draft.q} onInput={edit('q')} maxLength={100} placeholder={t('searchTextHint')} />
        <Field id="queue-from" label={t('submittedFrom')} type="date" value={draft.from} onInput={edit('from')} />
        <Field id="queue-to" label={t('submittedTo')} type="date" value={draft.to} onInput={edit('to')} />
        <button type="submit">{t('search')}</button>
      </form>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <div class="field"><label for="filter-status">{t('filterStatus')}</label>
          <select id="filter-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as Status | '')}>
            <option value="">{t('any')}</option>{APPLICATION_STATUSES.map((value) => <option key={value} value={value}>{t(value)}</option>)}
          </select></div>
        <div class="field"><label for="filter-type">{t('filterContentType')}</label>
          <select id="filter-type" value={contentType} onChange={(e) => setContentType(e.currentTarget.value as ContentType | '')}>
            <option value="">{t('any')}</option><option value="RESTAURANT">{t('RESTAURANT')}</option><option value="PERFORMANCE">{t('PERFORMANCE')}</option><option value="EXHIBITION">{t('EXHIBITION')}</option>
          </select></div>
        <div class="field"><label for="filter-kind">{t('filterKind')}</label>
          <select id="filter-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind | '')}>
            <option value="">{t('any')}</option><option value="NEW_LISTING">{t('NEW_LISTING')}</option><option value="INFO_CHANGE">{t('INFO_CHANGE')}</option>
          </select></div>
        <div class="field"><label for="filter-age">{t('filterAge')}</label>
          <select id="filter-age" value={age} onChange={(e) => setAge(e.currentTarget.value as Age)}>
            <option value="">{t('any')}</option><option value="hour">{t('olderThanHour')}</option><option value="day">{t('olderThanDay')}</option><option value="week">{t('olderThanWeek')}</option>
          </select></div>
        <div class="field"><label for="queue-order">{t('order')}</label>
          <select id="queue-order" value={order} onChange={(e) => setOrder(e.currentTarget.value as typeof order)}>
            <option value="leastTimeLeft">{t('leastTimeLeft')}</option><option value="mostTimeLeft">{t('mostTimeLeft')}</option>
          </select></div>
        <button type="button" id="export-queue" onClick={exportCsv}>{t('downloadCsv')}</button>
      </form>
      {problem && <ErrorBox problem={problem} />}
      <BulkDecisions selected={[...selected.values()]} onSent={clear} />
      <Show loaded={loaded} retry={reload}>{(all) => {
        const matching = all.items.filter((a) => Date.now() - Date.parse(a.createdAt) >= AGES[age] * 1000);
        // The queue arrives oldest first, which is least time left: every application has the same deadline from its submission.
        const items = order === 'leastTimeLeft' ? matching : [...matching].reverse();
        if (items.length === 0) return <Empty />;
        const selectable = items.filter((a) => a.status === 'PENDING');
        const allSelected = selectable.length > 0 && selectable.every((a) => selected.has(a.id));
        return (
          <>
            {/* The waiting filter is applied here, so only without it is the API's total what is listed. */}
            <p class="count" data-total={all.total}>{t('queueCount', { count: age === '' ? all.total : items.length })}</p>
            <table class="list" id="queue">
              <thead><tr><th><input type="checkbox" id="select-all" aria-label={t('selectAll')} checked={allSelected} disabled={selectable.length === 0}
                onChange={(e) => toggle(selectable, e.currentTarget.checked)} /></th><th>{t('submittedAt')}</th><th>{t('waiting')}</th><th>{t('timeLeft')}</th><th>{t('filterContentType')}</th><th>{t('filterKind')}</th><th>{t('name')}</th><th>{t('applicant')}</th><th>{t('filterStatus')}</th></tr></thead>
              <tbody>{items.map((a) => {
                const left = a.reviewDueAt === null ? null : leftUntil(a.reviewDueAt);
                return (
                <tr key={a.id} data-id={a.id} data-status={a.status} class={left?.overdue ? 'overdue' : undefined}>
                  <td><input type="checkbox" class="select" aria-label={t('selectOne', { name: a.name ?? a.id })} checked={selected.has(a.id)} disabled={a.status !== 'PENDING'}
                    onChange={(e) => toggle([a], e.currentTarget.checked)} /></td>
                  <td>{formatTime(a.createdAt)}</td><td>{waited(a.createdAt)}</td>
                  <td class="due">{left && (left.overdue ? <strong class="badge overdue">{t('overdueBy', { time: left.text })}</strong> : left.text)}</td><td>{t(a.contentType)}</td><td>{t(a.kind)}</td>
                  <td><a href={`#/applications/${a.id}`}>{a.name ?? a.id}</a></td><td>{a.applicantId}</td>
                  <td>{t(a.status)}{a.reviewClaim && <> · <ReviewClaimLine claim={a.reviewClaim} /></>}</td>
                </tr>);
              })}
              </tbody>
            </table>
          </>
        );
      }}</Show>
    </section>
  );
}
