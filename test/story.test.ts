import { randomUUID } from 'node:crypto';
import { pipelineSuite } from './support/suite.ts';
import { amend, approve, payloadOf, reject, submitNew } from './support/commands.ts';
import { infoChangeContact, infoChangeHours, restaurantDetails } from './fixtures/details.ts';
import type { CommandInput } from '../src/client/command-sender.ts';
import type { ContentType } from '../src/domain/types.ts';

const suite = pipelineSuite('admin-story');
const run = (input: CommandInput) => suite.run(input);

/** The notifications about one application to one recipient (the applicant, or the reviewers). */
const notificationsOf = (applicationId: string, count: number, recipientId: string) => suite.pipeline.reader.waitFor(
  (m) => m.topic === suite.pipeline.topics.notifications && m.key === recipientId && (m.value as { applicationId: string }).applicationId === applicationId, count);

const listingEvents = (contentType: ContentType, listingId: string, count: number) => suite.pipeline.reader.waitFor(
  (m) => m.topic === suite.pipeline.topics.listings[contentType] && m.key === listingId, count);

const changeRequest = (applicantId: string, listingId: string, contentType: ContentType, details = infoChangeHours()): CommandInput => ({
  type: 'SubmitApplication', applicationId: randomUUID(), applicantId, kind: 'INFO_CHANGE', listingId, contentType, details,
});

test('a restaurant: rejected with a reason, applied again, approved, published, hours changed once', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const ownerToken = await suite.stack.token('OWNER', owner);

  const first = await run(submitNew(owner, 'RESTAURANT'));
  expect(first.type).toBe('ApplicationSubmitted');
  const refused = await run(reject(first.command.applicationId, suite.adminToken, '  사업자등록증 사본이 필요합니다  '));
  expect(refused).toMatchObject({ type: 'ApplicationRejected', body: { reason: '사업자등록증 사본이 필요합니다', adminId: 'admin-story' } });
  const notices = await notificationsOf(first.command.applicationId, 2, owner);
  expect(notices.map((m) => [m.key, (m.value as { template: string }).template])).toEqual([[owner, 'APPLICATION_RECEIVED'], [owner, 'APPLICATION_REJECTED']]);
  expect(notices[1]!.value).toMatchObject({ recipientId: owner, reason: '사업자등록증 사본이 필요합니다' });

  const second = await run(submitNew(owner, 'RESTAURANT'));
  const approved = await run(approve(second.command.applicationId, suite.adminToken, '서류 확인'));
  expect(approved.type).toBe('ApplicationApproved');
  const listingId = approved.body.listingId as string;
  const [published] = await listingEvents('RESTAURANT', listingId, 1);
  expect(payloadOf(published!)).toMatchObject({ type: 'ListingPublished', body: { listing: { name: '을지로 골뱅이집' } } });
  expect(published!.value).toMatchObject({ ownerId: owner, version: 1, applicationId: second.command.applicationId });

  const hoursChange = await run(changeRequest(owner, listingId, 'RESTAURANT'));
  expect(hoursChange.type).toBe('ApplicationSubmitted');
  const duplicate = await run(changeRequest(owner, listingId, 'RESTAURANT', infoChangeContact()));
  expect(duplicate).toMatchObject({ type: 'CommandRejected', body: { code: 'DUPLICATE_PENDING' } });
  const changeApproved = await run(approve(hoursChange.command.applicationId, suite.adminToken));
  expect(changeApproved.type).toBe('ApplicationApproved');
  const listingMessages = await listingEvents('RESTAURANT', listingId, 2);
  const changed = listingMessages.map(payloadOf).find((p) => p.type === 'ListingInfoChanged')!;
  expect(changed.body.businessHours).toEqual(expect.arrayContaining([{ day: 'FRIDAY', hours: { opensAt: '18:00', closesAt: '02:00', overnight: true } }]));

  const listings = await suite.pipeline.http(`/owners/${owner}/listings`, ownerToken);
  expect(listings.status).toBe(200);
  expect(listings.body.items).toHaveLength(1);
  expect(listings.body.items[0]).toMatchObject({ id: listingId, version: 2 });
  expect(listings.body.items[0].businessHours).toEqual(expect.arrayContaining([{ day: 'SATURDAY', hours: { opensAt: '18:00', closesAt: '02:00', overnight: true } }]));

  const decisions = [refused.command, approved.command, changeApproved.command];
  const actions = await suite.pipeline.http(`/admin-actions?adminId=admin-story`, suite.adminToken);
  expect(actions.status).toBe(200);
  const mine = actions.body.items.filter((a: { commandId: string }) => decisions.some((d) => d.commandId === a.commandId));
  // Newest first.
  expect(mine.map((a: { action: string; applicationId: string }) => [a.action, a.applicationId])).toEqual([
    ['APPROVE', hoursChange.command.applicationId], ['APPROVE', second.command.applicationId], ['REJECT', first.command.applicationId],
  ]);
});

test.each(['PERFORMANCE', 'EXHIBITION'] as const)('a %s: approved, published on its own topic, contact changed', async (contentType) => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const submitted = await run(submitNew(owner, contentType));
  const approved = await run(approve(submitted.command.applicationId, suite.adminToken));
  const listingId = approved.body.listingId as string;
  const change = await run(changeRequest(owner, listingId, contentType, infoChangeContact()));
  await run(approve(change.command.applicationId, suite.adminToken));

  const messages = await listingEvents(contentType, listingId, 2);
  expect(messages.map((m) => payloadOf(m).type)).toEqual(['ListingPublished', 'ListingInfoChanged']);
  expect(payloadOf(messages[1]!).body.contact).toEqual({ phone: '+82-2-987-6543', email: 'new@example.co.kr' });
  const listing = await suite.pipeline.http(`/listings/${listingId}`, await suite.stack.token('OWNER', owner));
  expect(listing.status).toBe(200);
  expect(listing.body).toMatchObject({ contentType, contact: { email: 'new@example.co.kr' }, version: 2 });
});

test('the reviewers are told of new work: each application that arrives, and each amended one back in the queue', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const reviewers = suite.pipeline.topics.reviewersRecipientId;
  const submitted = await run(submitNew(owner, 'RESTAURANT'));
  const amended = await run(amend(submitted.command.applicationId, owner, restaurantDetails({ name: '을지로 골뱅이집 2호점' })));
  expect(amended.type).toBe('ApplicationAmended');
  const told = await notificationsOf(submitted.command.applicationId, 2, reviewers);
  expect(told.map((m) => m.value)).toEqual([submitted, amended].map(() => expect.objectContaining({
    recipientId: reviewers, template: 'APPLICATION_AWAITING_REVIEW', applicationId: submitted.command.applicationId, contentType: 'RESTAURANT', reason: null,
  })));
  // One notification per change: the submission's and the amendment's have ids of their own.
  expect(new Set(told.map((m) => (m.value as { notificationId: string }).notificationId)).size).toBe(2);

});
