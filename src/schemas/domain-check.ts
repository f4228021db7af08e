import type * as Avro from './avro-types.ts';
import type * as Domain from '../domain/values.ts';
import {
  AgeRatingSymbols, ApplicationKindSymbols, ContentTypeSymbols, NotificationTemplateSymbols, PerformanceTypeSymbols, RegionSymbols,
  RejectionCodeSymbols, RestaurantTypeSymbols, WeekdaySymbols,
} from './avro-types.ts';
import {
  AGE_RATINGS, APPLICATION_KINDS, CONTENT_TYPES, NOTIFICATION_TEMPLATES, PERFORMANCE_TYPES, REGIONS, REJECTION_CODES, RESTAURANT_TYPES, WEEKDAYS,
} from '../domain/values.ts';

/**
 * The edge between the domain's value types and the types generated from the Avro schemas: the
 * type-check fails here when they stop describing the same shapes, in either direction, so the
 * schema stays the single source of truth for what travels.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const same = <A, B>(check: Same<A, B>) => check;

export const DOMAIN_MATCHES_SCHEMAS = [
  same<Domain.ContentType, Avro.ContentType>(true),
  same<Domain.ApplicationKind, Avro.ApplicationKind>(true),
  same<Domain.AgeRating, Avro.AgeRating>(true),
  same<Domain.Weekday, Avro.Weekday>(true),
  same<Domain.RejectionCode, Avro.RejectionCode>(true),
  same<Domain.Contact, Avro.Contact>(true),
  same<Domain.Address, Avro.Address>(true),
  same<Domain.OpeningHours, Avro.OpeningHours>(true),
  same<Domain.DayHours, Avro.DayHours>(true),
  same<Domain.TicketWindow, Avro.TicketWindow>(true),
  same<Domain.BusinessRegistration, Avro.BusinessRegistration>(true),
  // Enum symbols in the schema's order, which Avro's encoding depends on.
  same<typeof CONTENT_TYPES, typeof ContentTypeSymbols>(true),
  same<typeof APPLICATION_KINDS, typeof ApplicationKindSymbols>(true),
  same<typeof AGE_RATINGS, typeof AgeRatingSymbols>(true),
  same<typeof WEEKDAYS, typeof WeekdaySymbols>(true),
  same<typeof REJECTION_CODES, typeof RejectionCodeSymbols>(true),
  same<typeof RESTAURANT_TYPES, typeof RestaurantTypeSymbols>(true),
  same<typeof PERFORMANCE_TYPES, typeof PerformanceTypeSymbols>(true),
  same<typeof REGIONS, typeof RegionSymbols>(true),
  same<typeof NOTIFICATION_TEMPLATES, typeof NotificationTemplateSymbols>(true),
];
