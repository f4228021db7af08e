import { render } from 'preact';
import { useState } from 'preact/hooks';
import './style.css';
import { setLanguage, t, useLanguage } from './i18n.ts';
import type { MessageKey } from './messages.ts';
import { AuditPage } from './pages/audit.tsx';
import { ChangeRequestPage } from './pages/change-request.tsx';
import { DecisionPage } from './pages/decision.tsx';
import { ApplyPage } from './pages/apply.tsx';
import { ListingsPage } from './pages/listings.tsx';
import { MinePage } from './pages/mine.tsx';
import { QueuePage } from './pages/queue.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { StatsPage } from './pages/stats.tsx';
import { go, useRoute } from './router.ts';
import { currentSession, signOut, takeRedirectedToken, type Session } from './session.ts';

const NAV: Record<Session['role'], [string, MessageKey][]> = {
  MASTER: [['queue', 'navQueue'], ['audit', 'navAudit'], ['stats', 'navStats']],
  OWNER: [['mine', 'navMine'], ['apply', 'navApply'], ['listings', 'navListings']],
};

/** Which pages a role may open; another role gets a clear refusal, never the page. */
const MASTER_PAGES = new Set(['queue', 'audit', 'stats']);
const OWNER_PAGES = new Set(['mine', 'apply', 'listings']);

function Page({ session, route }: { session: Session; route: string[] }) {
  const [page = session.role === 'MASTER' ? 'queue' : 'mine', id] = route;
  if (MASTER_PAGES.has(page) && session.role !== 'MASTER') return <p class="state error" role="alert" id="forbidden">{t('forbiddenPage')}</p>;
  if (OWNER_PAGES.has(page) && session.role !== 'OWNER') return <p class="state error" role="alert" id="forbidden">{t('ownerOnlyPage')}</p>;
  switch (page) {
    case 'queue': return <QueuePage />;
    case 'audit': return <AuditPage />;
    case 'stats': return <StatsPage />;
    // Keyed by id: another application's page starts afresh (no outcome of the previous one's decision).
    case 'applications': return <DecisionPage key={id} id={id ?? ''} session={session} />;
    case 'mine': return <MinePage session={session} />;
    case 'apply': return <ApplyPage amendId={id} />;
    case 'listings': return id ? <ChangeRequestPage listingId={id} /> : <ListingsPage session={session} />;
    default: return <p class="state error" role="alert">{t('notFoundPage')}</p>;
  }
}

function App() {
  const language = useLanguage();
  const route = useRoute();
  const [session, setSession] = useState(currentSession);
  const leave = () => { signOut(); setSession(null); go(''); };
  return (
    <>
      <header class="top">
        <h1><a href="#/">{t('appTitle')}</a></h1>
        {session && (
          <nav aria-label={t('appTitle')}>
            {NAV[session.role].map(([path, label]) => <a key={path} href={`#/${path}`} aria-current={route[0] === path ? 'page' : undefined}>{t(label)}</a>)}
          </nav>
        )}
        <div class="who">
          {session && <span id="who">{t('signedInAs', { subject: session.subject, role: session.role })}</span>}
          <button type="button" id="language" aria-label={t('languageLabel')} onClick={() => setLanguage(language === 'ko' ? 'en' : 'ko')}>{t('language')}</button>
          {session && <button type="button" id="sign-out" onClick={leave}>{t('signOut')}</button>}
        </div>
      </header>
      {/* data-route: the route this content was rendered for; the hash changes before the page does. */}
      <main data-route={route.join('/')}>{session ? <Page session={session} route={route} /> : <SignInPage onSignedIn={(s) => { setSession(s); go(''); }} />}</main>
    </>
  );
}

takeRedirectedToken();
document.documentElement.lang = localStorage.getItem('console.language') === 'en' ? 'en' : 'ko';
render(<App />, document.getElementById('app')!);
