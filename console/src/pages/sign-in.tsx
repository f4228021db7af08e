import { useState } from 'preact/hooks';
import { Problem } from '../api.ts';
import { t } from '../i18n.ts';
import { Field, TextArea } from '../parts/field.tsx';
import { signIn, type Session } from '../session.ts';
import { isRole, type Role } from '../../../src/domain/values.ts';

/** Offered by the server only on the embedded stack, which signs with a development key. */
const devSignInOffered = document.body.dataset.devSignIn === 'true';

async function devToken(role: string, subject: string): Promise<string> {
  const response = await fetch('/console/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role, subject }) });
  const body = await response.json() as { token?: string; detail?: string };
  if (!response.ok || body.token === undefined) throw new Problem(response.status, body.detail ?? response.statusText);
  return body.token;
}

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [role, setRole] = useState<Role>('OWNER');
  const [subject, setSubject] = useState('');
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<string | null>(null);
  const use = (token: string) => {
    const session = signIn(token);
    if (session === null) setError(t('badToken'));
    else onSignedIn(session);
  };
  return (
    <section class="sign-in">
      <h2>{t('signInTitle')}</h2>
      {error && <p class="state error" role="alert">{error}</p>}
      {devSignInOffered && (
        <form id="dev-sign-in" onSubmit={(e) => { e.preventDefault(); devToken(role, subject.trim()).then(use, (p: Problem) => setError(p.message)); }}>
          <h3>{t('devSignIn')}</h3>
          <p class="hint">{t('devSignInHint')}</p>
          <div class="field">
            <label for="dev-role">{t('role')}</label>
            <select id="dev-role" value={role} onChange={(e) => { const chosen = e.currentTarget.value; if (isRole(chosen)) setRole(chosen); }}>
              <option value="OWNER">OWNER</option><option value="MASTER">MASTER</option>
            </select>
          </div>
          <Field id="dev-subject" label={t('subject')} required maxLength={100} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
          <button type="submit">{t('signInButton')}</button>
        </form>
      )}
      <form id="token-sign-in" onSubmit={(e) => { e.preventDefault(); use(pasted); }}>
        <h3>{t('tokenSignIn')}</h3>
        <p class="hint">{t('tokenSignInHint')}</p>
        <TextArea id="token" label={t('token')} required rows={4} value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} />
        <button type="submit">{t('useToken')}</button>
      </form>
    </section>
  );
}
