import { AGE_RATINGS, PERFORMANCE_TYPES, REGIONS, RESTAURANT_TYPES } from '../../domain/values.ts';
import { isLocalDateTime, openingHoursProblems, symbolProblems, textProblems } from './formats.ts';
import type { ContentSpecific, ContentType, InfoChangeDetails, Listing, SpecificChange, TicketWindow } from '../../domain/types.ts';

/**
 * The rules of what the content services need to register a listing (schema v2): types, age
 * ratings, regions, cast and artists, daily hours, ticket windows. Each field is optional on the
 * wire, so an older producer's applications stay valid; what is given must be right.
 */

export const REGISTRATION_LIMITS = { names: 100, name: 100 } as const;

/** Who may enter a pub: the adults-only rating (청소년 출입 금지). */
export const ADULTS_ONLY = 'AGE_19';

type Specific<T extends ContentType> = Extract<ContentSpecific, { type: T }>;

export function namesProblems(path: string, names: string[]): string[] {
  if (!Array.isArray(names)) return [`${path}: must be a list of names`];
  if (names.length > REGISTRATION_LIMITS.names) return [`${path}: must list at most ${REGISTRATION_LIMITS.names} names (got ${names.length})`];
  return names.flatMap((name, index) => textProblems(`${path}[${index}]`, name, { max: REGISTRATION_LIMITS.name, required: true }));
}

/** Both ends are local times; sales must close by the end of the run's last day, `lastDay`. */
export function ticketWindowProblems(window: TicketWindow, path: string, lastDay: string | null): string[] {
  const opensOk = isLocalDateTime(window.opensAt);
  const closesOk = isLocalDateTime(window.closesAt);
  const problems = [
    ...(opensOk ? [] : [`${path}.opensAt: must be a local date and time YYYY-MM-DDTHH:mm`]),
    ...(closesOk ? [] : [`${path}.closesAt: must be a local date and time YYYY-MM-DDTHH:mm`]),
  ];
  if (!opensOk || !closesOk) return problems;
  // Valid YYYY-MM-DDTHH:mm strings order like the times they name.
  if (window.closesAt <= window.opensAt) problems.push(`${path}.closesAt: must be after opensAt (${window.opensAt})`);
  if (lastDay !== null && window.closesAt.slice(0, 10) > lastDay) {
    problems.push(`${path}.closesAt: ticket sales must close before the run ends (${lastDay})`);
  }
  return problems;
}

const ageRatingProblems = (path: string, value: unknown, nullable: boolean) => symbolProblems(`${path}.ageRating`, value, AGE_RATINGS, nullable);

export function restaurantDataProblems(specific: Specific<'RESTAURANT'>, path: string): string[] {
  const problems = [
    ...symbolProblems(`${path}.restaurantType`, specific.restaurantType, RESTAURANT_TYPES, true),
    ...ageRatingProblems(path, specific.ageRating, true),
  ];
  if (problems.length === 0 && specific.restaurantType === 'PUB' && specific.ageRating !== ADULTS_ONLY) {
    problems.push(`${path}.ageRating: must be ${ADULTS_ONLY} for a PUB, which admits adults only`);
  }
  return problems;
}

export function performanceDataProblems(specific: Specific<'PERFORMANCE'>, path: string, lastDay: string | null): string[] {
  return [
    ...symbolProblems(`${path}.performanceType`, specific.performanceType, PERFORMANCE_TYPES, true),
    ...namesProblems(`${path}.cast`, specific.cast ?? []),
    ...(specific.ticketWindow == null ? [] : ticketWindowProblems(specific.ticketWindow, `${path}.ticketWindow`, lastDay)),
  ];
}

export function exhibitionDataProblems(specific: Specific<'EXHIBITION'>, path: string, lastDay: string | null): string[] {
  return [
    ...symbolProblems(`${path}.region`, specific.region, REGIONS, true),
    ...namesProblems(`${path}.artists`, specific.artists ?? []),
    ...(specific.dailyHours == null ? [] : openingHoursProblems(specific.dailyHours, `${path}.dailyHours`)),
    ...(specific.ticketWindow == null ? [] : ticketWindowProblems(specific.ticketWindow, `${path}.ticketWindow`, lastDay)),
    ...ageRatingProblems(path, specific.ageRating, true),
  ];
}

/** Which content types each changeable field belongs to (docs/operations.md: what an owner changes). */
export const CHANGEABLE_BY: Record<keyof SpecificChange, readonly ContentType[]> = {
  cast: ['PERFORMANCE'],
  artists: ['EXHIBITION'],
  region: ['EXHIBITION'],
  dailyHours: ['EXHIBITION'],
  ticketWindow: ['PERFORMANCE', 'EXHIBITION'],
};

/** The per-type fields an INFO_CHANGE may change on a listing of `contentType`. */
export const changeableOn = (contentType: ContentType) => SPECIFIC_CHANGE_FIELDS.filter((field) => CHANGEABLE_BY[field].includes(contentType));

/** An INFO_CHANGE that changes none of the per-type fields. */
export const NO_SPECIFIC_CHANGE: SpecificChange = { cast: null, artists: null, region: null, dailyHours: null, ticketWindow: null };

export const SPECIFIC_CHANGE_FIELDS = Object.keys(CHANGEABLE_BY) as (keyof SpecificChange)[];

/** The per-type fields of an INFO_CHANGE, on their own (changeFitsListing checks them against the listing). */
export function specificChangeProblems(details: InfoChangeDetails, contentType: ContentType, path: string): string[] {
  const misplaced = SPECIFIC_CHANGE_FIELDS
    .filter((field) => details[field] != null && !CHANGEABLE_BY[field].includes(contentType))
    .map((field) => `${path}.${field}: cannot be changed on a ${contentType} listing`);
  if (misplaced.length > 0) return misplaced;
  return [
    ...(details.cast == null ? [] : namesProblems(`${path}.cast`, details.cast)),
    ...(details.artists == null ? [] : namesProblems(`${path}.artists`, details.artists)),
    ...symbolProblems(`${path}.region`, details.region ?? null, REGIONS, true),
    ...(details.dailyHours == null ? [] : openingHoursProblems(details.dailyHours, `${path}.dailyHours`)),
    ...(details.ticketWindow == null ? [] : ticketWindowProblems(details.ticketWindow, `${path}.ticketWindow`, null)),
  ];
}

/** A changed ticket window must still close before the listing's run ends. */
export function changeFitsListing(details: InfoChangeDetails, listing: Listing, path = 'details'): string[] {
  const { specific } = listing;
  if (details.ticketWindow == null || specific.type === 'RESTAURANT') return [];
  return ticketWindowProblems(details.ticketWindow, `${path}.ticketWindow`, specific.endDate);
}

/** The listing's specific part once an approved INFO_CHANGE applied; null fields keep what it has. */
export function specificAfterChange(specific: ContentSpecific, change: SpecificChange): ContentSpecific {
  switch (specific.type) {
    case 'RESTAURANT': return specific;
    case 'PERFORMANCE': return { ...specific, cast: change.cast ?? specific.cast, ticketWindow: change.ticketWindow ?? specific.ticketWindow };
    case 'EXHIBITION':
      return {
        ...specific, artists: change.artists ?? specific.artists, region: change.region ?? specific.region,
        dailyHours: change.dailyHours ?? specific.dailyHours, ticketWindow: change.ticketWindow ?? specific.ticketWindow,
      };
  }
}
