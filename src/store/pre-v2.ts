import type { ApplicationDetails, ContentSpecific } from '../domain/types.ts';

/**
 * Details written to the database before schema v2 lack the fields v2 added. They are read as an
 * Avro reader on v2 reads a v1 record: each missing field takes its schema default (null, or an
 * empty list), so the rest of the service sees one shape whatever the row's age.
 */

export function completeSpecific(specific: ContentSpecific): ContentSpecific {
  switch (specific.type) {
    case 'RESTAURANT': return { ...specific, restaurantType: specific.restaurantType ?? null, ageRating: specific.ageRating ?? null };
    case 'PERFORMANCE':
      return { ...specific, performanceType: specific.performanceType ?? null, cast: specific.cast ?? [], ticketWindow: specific.ticketWindow ?? null };
    case 'EXHIBITION':
      return {
        ...specific, region: specific.region ?? null, artists: specific.artists ?? [], dailyHours: specific.dailyHours ?? null,
        ticketWindow: specific.ticketWindow ?? null, ageRating: specific.ageRating ?? null,
      };
  }
}

export function completeDetails(details: ApplicationDetails): ApplicationDetails {
  if (details.type === 'LISTING') {
    return { ...details, specific: completeSpecific(details.specific), businessRegistration: details.businessRegistration ?? null };
  }
  return {
    ...details, cast: details.cast ?? null, artists: details.artists ?? null, region: details.region ?? null,
    dailyHours: details.dailyHours ?? null, ticketWindow: details.ticketWindow ?? null,
  };
}
