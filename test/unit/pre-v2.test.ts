import { completeDetails } from '../../src/store/pre-v2.ts';
import type { ApplicationDetails } from '../../src/domain/types.ts';

/** Details stored before schema v2 read with v2's defaults, as an Avro reader on v2 reads v1 data. */

const v1 = (details: object) => details as ApplicationDetails;
const contact = { phone: '02-123-4567', email: 'a@example.com' };
const address = { postalCode: '06236', road: '서울특별시 강남구 테헤란로 152', detail: null };

test.each([
  [{ type: 'RESTAURANT', cuisine: '한식', seatCapacity: 40 }, { restaurantType: null, ageRating: null }],
  [{ type: 'PERFORMANCE', venue: 'v', startDate: '2025-03-01', endDate: '2025-05-31', runtimeMinutes: 160, ageRating: 'AGE_12' }, { performanceType: null, cast: [], ticketWindow: null }],
  [{ type: 'EXHIBITION', venue: 'v', startDate: '2025-04-01', endDate: '2025-08-31', ticketPriceKrw: 0 }, { region: null, artists: [], dailyHours: null, ticketWindow: null, ageRating: null }],
])('a v1 %j gains %j and no business registration', (specific, added) => {
  const stored = v1({ type: 'LISTING', name: 'n', description: '', contact, address, businessHours: [], specific });
  expect(completeDetails(stored)).toEqual({ ...stored, specific: { ...specific, ...added }, businessRegistration: null });
});

test('a v1 INFO_CHANGE changes none of the per-type fields; what v2 data has is kept', () => {
  expect(completeDetails(v1({ type: 'INFO_CHANGE', contact, address: null, businessHours: null }))).toEqual({
    type: 'INFO_CHANGE', contact, address: null, businessHours: null, cast: null, artists: null, region: null, dailyHours: null, ticketWindow: null,
  });
  const v2 = v1({ type: 'INFO_CHANGE', contact: null, address: null, businessHours: null, cast: ['a'], artists: null, region: null, dailyHours: null, ticketWindow: null });
  expect(completeDetails(v2)).toEqual(v2);
});
