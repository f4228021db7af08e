import type * as Avro from './avro-types.ts';
import type * as Domain from '../domain/values.ts';

/**
 * The edge between the domain's value types and the types generated from the Avro schemas: the
 * type-check fails here when they stop describing the same shapes, in either direction, so the
 * schema stays the single source of truth for what travels. (Enum symbols need no check: the
 * domain's lists are the schema's, src/domain/values.ts.)
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const same = <A, B>(check: Same<A, B>) => check;

export const DOMAIN_MATCHES_SCHEMAS = [
  same<Domain.Contact, Avro.Contact>(true),
  same<Domain.Address, Avro.Address>(true),
  same<Domain.OpeningHours, Avro.OpeningHours>(true),
  same<Domain.DayHours, Avro.DayHours>(true),
  same<Domain.TicketWindow, Avro.TicketWindow>(true),
  same<Domain.BusinessRegistration, Avro.BusinessRegistration>(true),
];
