import { get } from '../api.ts';
import { t } from '../i18n.ts';
import { AddressView, ContactView, HoursView } from '../parts/details.tsx';
import { Empty, Show, useLoad } from '../parts/load.tsx';
import type { Session } from '../session.ts';
import type { Listing, Page } from '../types.ts';

export function ListingsPage({ session }: { session: Session }) {
  const [loaded, reload] = useLoad(() => get<Page<Listing>>(`/owners/${encodeURIComponent(session.subject)}/listings?limit=100`), [session.subject]);
  return (
    <section>
      <h2>{t('listingsTitle')}</h2>
      <Show loaded={loaded} retry={reload}>{(page) => (page.items.length === 0 ? <Empty /> : (
        <div class="cards" id="listings">{page.items.map((l) => (
          <article class="card" key={l.id} data-id={l.id}>
            <h3>{l.name} <small>{t(l.contentType)} · v{l.version}</small></h3>
            <ContactView contact={l.contact} />
            <AddressView address={l.address} />
            <HoursView hours={l.businessHours} caption={t('businessHours')} />
            <a class="button" href={`#/listings/${l.id}`}>{t('requestChange')}</a>
          </article>))}
        </div>
      ))}</Show>
    </section>
  );
}
