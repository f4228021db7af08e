import { useState } from 'preact/hooks';
import { get, Problem, query } from '../api.ts';
import { download } from '../download.ts';
import { formatTime, t } from '../i18n.ts';
import { Field } from '../parts/field.tsx';
import { Empty, ErrorBox, Show, useLoad } from '../parts/load.tsx';
import { ADMIN_ACTIONS, type AdminAction, type Page } from '../types.ts';

interface Filters { adminId: string; action: string; from: string; to: string }
const NONE: Filters = { adminId: '', action: '', from: '', to: '' };
/** datetime-local has no offset: the admin means local time. */
const instant = (local: string) => (local === '' ? undefined : new Date(local).toISOString());

export function AuditPage() {
  const [draft, setDraft] = useState(NONE);
  const [filters, setFilters] = useState(NONE);
  const [pages, setPages] = useState<string[]>([]);
  const [loaded, reload] = useLoad(async () => {
    const items: AdminAction[] = [];
    let cursor: string | undefined;
    let next: string | null = null;
    for (const _ of [undefined, ...pages]) {
      const page: Page<AdminAction> = await get(`/admin-actions${query({ adminId: filters.adminId, action: filters.action, from: instant(filters.from), to: instant(filters.to), limit: 50, cursor })}`);
      items.push(...page.items);
      next = page.nextCursor;
      if (next === null) break;
      cursor = next;
    }
    return { items, next };
  }, [filters, pages.length]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const exportCsv = () => download(`/admin-actions.csv${query({ adminId: filters.adminId, action: filters.action, from: instant(filters.from), to: instant(filters.to) })}`, 'admin-actions.csv')
    .then(() => setProblem(null), setProblem);
  const set = (key: keyof Filters) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
  return (
    <section>
      <h2>{t('auditTitle')}</h2>
      <form class="filters" id="audit-filters" onSubmit={(e) => { e.preventDefault(); setPages([]); setFilters(draft); }}>
        <Field id="audit-admin" label={t('adminId')} value={draft.adminId} onInput={set('adminId')} />
        <div class="field"><label for="audit-action">{t('action')}</label>
          <select id="audit-action" value={draft.action} onChange={set('action')}>
            <option value="">{t('any')}</option>{ADMIN_ACTIONS.map((action) => <option key={action} value={action}>{t(action)}</option>)}
          </select></div>
        <Field id="audit-from" label={t('from')} type="datetime-local" value={draft.from} onInput={set('from')} />
        <Field id="audit-to" label={t('to')} type="datetime-local" value={draft.to} onInput={set('to')} />
        <button type="submit">{t('apply')}</button>
        <button type="button" id="export-audit" onClick={exportCsv}>{t('downloadCsv')}</button>
      </form>
      {problem && <ErrorBox problem={problem} />}
      <Show loaded={loaded} retry={reload}>{({ items, next }) => (items.length === 0 ? <Empty /> : (
        <>
          <table class="list" id="audit">
            <thead><tr><th>{t('at')}</th><th>{t('adminId')}</th><th>{t('action')}</th><th>{t('auditApplication')}</th><th>{t('rejectionReason')}</th></tr></thead>
            <tbody>{items.map((x) => (
              <tr key={x.id}><td>{formatTime(x.at)}</td><td>{x.adminId ?? '—'}</td><td>{t(x.action)}</td>
                <td><a href={`#/applications/${x.applicationId}`} title={x.applicationId}>{x.applicationName ?? x.applicationId.slice(0, 8)}</a></td><td>{x.reason ?? ''}</td></tr>))}
            </tbody>
          </table>
          {next !== null && <button type="button" onClick={() => setPages([...pages, next])}>{t('more')}</button>}
        </>
      ))}</Show>
    </section>
  );
}
