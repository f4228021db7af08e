import type * as Avro from './avro-types.ts';
import type { ApplicationDetails, ContentSpecific, ListingDetails } from '../domain/types.ts';

/**
 * avsc represents a union of records as `{ 'full.Name': value }`; the domain uses a `type`
 * field instead. These two functions are the only place that knows both shapes of details.
 */

const NS = 'platform.backoffice.';

type WireDetails = Avro.SubmitApplication['details'];

export function specificFromWire(wire: Avro.ListingDetails['specific']): ContentSpecific {
  if ('platform.backoffice.RestaurantDetails' in wire) return { type: 'RESTAURANT', ...wire[`${NS}RestaurantDetails`] };
  if ('platform.backoffice.PerformanceDetails' in wire) return { type: 'PERFORMANCE', ...wire[`${NS}PerformanceDetails`] };
  return { type: 'EXHIBITION', ...wire[`${NS}ExhibitionDetails`] };
}

export function specificToWire(specific: ContentSpecific): Avro.ListingDetails['specific'] {
  const { type, ...fields } = specific;
  switch (specific.type) {
    case 'RESTAURANT': return { [`${NS}RestaurantDetails`]: fields as Avro.RestaurantDetails } as Avro.ListingDetails['specific'];
    case 'PERFORMANCE': return { [`${NS}PerformanceDetails`]: fields as Avro.PerformanceDetails } as Avro.ListingDetails['specific'];
    default: return { [`${NS}ExhibitionDetails`]: fields as Avro.ExhibitionDetails } as Avro.ListingDetails['specific'];
  }
}

export function listingFromWire(wire: Avro.ListingDetails): ListingDetails {
  return {
    type: 'LISTING', name: wire.name, description: wire.description, contact: { ...wire.contact }, address: { ...wire.address },
    businessHours: wire.businessHours.map((day) => ({ day: day.day, hours: day.hours && { ...day.hours } })),
    specific: specificFromWire(wire.specific),
  };
}

export function listingToWire(details: Omit<ListingDetails, 'type'>): Avro.ListingDetails {
  return {
    name: details.name, description: details.description, contact: details.contact, address: details.address,
    businessHours: details.businessHours, specific: specificToWire(details.specific),
  };
}

export function detailsFromWire(wire: WireDetails): ApplicationDetails {
  if (`${NS}ListingDetails` in wire) return listingFromWire(wire[`${NS}ListingDetails`]);
  const change = wire[`${NS}InfoChangeDetails`];
  return {
    type: 'INFO_CHANGE', contact: change.contact && { ...change.contact }, address: change.address && { ...change.address },
    businessHours: change.businessHours && change.businessHours.map((day) => ({ day: day.day, hours: day.hours && { ...day.hours } })),
  };
}

export function detailsToWire(details: ApplicationDetails): WireDetails {
  if (details.type === 'LISTING') return { [`${NS}ListingDetails`]: listingToWire(details) } as WireDetails;
  const { type, ...change } = details;
  return { [`${NS}InfoChangeDetails`]: change } as WireDetails;
}
