/**
 * Data-subject rights through the handlers, with the SDK mocked: correction (a phone change moves
 * the keyed-hash uniqueness and login items in one transaction, audited masked), erasure (batches
 * of at most 100 items, resumable, the volunteer stripped last), the export (own numbers in full,
 * download headers, audited without the numbers) and the audit log query.
 */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  PII_HASH_KEY,
  VALID_ID_NUMBER,
  VALID_PHONE,
  cancelled,
  ddb,
  hourRecordItem,
  httpEvent,
  invokeHttp,
  isoAgo,
  newId,
  resetMocks,
  tokenFor,
  HOUR,
} from './helpers.js';
import { hmacHex } from '../../shared/crypto/keyed-hash.js';
import { keys } from '../../shared/data/keys.js';
import type { Principal } from '../../shared/domain/access.js';
import { handler as createVolunteer } from '../../functions/http/volunteers/create.js';
import { handler as decideCorrection } from '../../functions/http/correction-requests/decide.js';
import { handler as decideDeletion } from '../../functions/http/deletion-requests/decide.js';
import { handler as requestDeletion } from '../../functions/http/deletion-requests/create.js';
import { handler as exportMe } from '../../functions/http/me/export.js';
import { handler as listAudit } from '../../functions/http/audit/list.js';

const ORG = 'futian.yuanling';
const admin: Principal = { subject: 'u-district', role: 'district_admin', scope: 'futian', accountId: newId() };
const NEW_PHONE = '13999998888';

beforeEach(() => resetMocks());

const requestItem = (id: string, volunteerId: string, kind: 'correction' | 'deletion', extra: Record<string, unknown> = {}) => ({
  ...keys.rightsRequest(id),
  type: 'RightsRequest',
  id,
  kind,
  volunteerId,
  orgUnitId: ORG,
  status: 'pending',
  createdAt: '2025-01-01T00:00:00.000Z',
  requestedBy: 'self',
  ...extra,
});

/** A volunteer item exactly as the create handler seals it (so the identity number can be opened). */
const registered = async () => {
  ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
  ddb.on(TransactWriteCommand).resolves({});
  const res = await invokeHttp(
    createVolunteer,
    httpEvent({
      method: 'POST',
      path: '/v1/volunteers',
      token: await tokenFor(admin),
      body: { name: '张建国', phone: VALID_PHONE, idNumber: VALID_ID_NUMBER, orgUnitId: ORG, veteran: { branch: '陆军' }, skills: ['急救'] },
    }),
  );
  expect(res.statusCode).toBe(201);
  const item = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems![3].Put!.Item!;
  resetMocks();
  return item as Record<string, unknown> & { id: string };
};

const decide = async (handler: typeof decideCorrection, id: string, body: unknown, principal: Principal = admin) =>
  invokeHttp(handler, httpEvent({ method: 'POST', path: `/v1/x/${id}/decide`, pathParameters: { id }, body, token: await tokenFor(principal) }));

describe('POST /v1/correction-requests/{id}/decide', () => {
  it('accepting a phone change moves volunteer, uniqueness and login items in one transaction, audited masked', async () => {
    const volunteerId = newId();
    const accountId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: requestItem(requestId, volunteerId, 'correction', { field: 'phone', proposedValue: NEW_PHONE, reason: '换号' }) });
    ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: { ...keys.volunteer(volunteerId), id: volunteerId, name: '张建国', phone: VALID_PHONE, orgUnitId: ORG } });
    const oldHash = hmacHex(PII_HASH_KEY!, 'phone', VALID_PHONE);
    const newHash = hmacHex(PII_HASH_KEY!, 'phone', NEW_PHONE);
    ddb.on(GetCommand, { Key: keys.phoneLogin(oldHash) }).resolves({ Item: { ...keys.phoneLogin(oldHash), accountId } });
    ddb.on(TransactWriteCommand).resolves({});

    const res = await decide(decideCorrection, requestId, { decision: 'accept', note: '已核实' });
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ id: requestId, status: 'accepted', field: 'phone', proposedValue: '139****8888' });

    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const items = writes[0].args[0].input.TransactItems!;
    expect(items[0].Update).toMatchObject({ Key: keys.rightsRequest(requestId), ConditionExpression: '#status = :pending' });
    expect(items[1].Put!.Item).toMatchObject({ action: 'correction.accept', before: { phone: '138****1234' }, after: { phone: '139****8888' } });
    expect(JSON.stringify(items[1])).not.toContain(NEW_PHONE);
    expect(items[2].Update).toMatchObject({ Key: keys.volunteer(volunteerId), ExpressionAttributeValues: expect.objectContaining({ ':value': NEW_PHONE, ':old': VALID_PHONE }) });
    expect(items[3].Put).toMatchObject({ Item: { ...keys.uniquePhone(newHash), volunteerId }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(items[4].Delete).toMatchObject({ Key: keys.uniquePhone(oldHash) });
    expect(items[5].Delete).toMatchObject({ Key: keys.phoneLogin(oldHash) });
    expect(items[6].Put).toMatchObject({ Item: { ...keys.phoneLogin(newHash), accountId }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(items[7].Update).toMatchObject({ Key: keys.account(accountId) });
  });

  it('a phone another volunteer holds is 409, and nothing changed', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: requestItem(requestId, volunteerId, 'correction', { field: 'phone', proposedValue: NEW_PHONE }) });
    ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: { ...keys.volunteer(volunteerId), id: volunteerId, phone: VALID_PHONE, orgUnitId: ORG } });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'None', 'ConditionalCheckFailed', 'None'));
    const res = await decide(decideCorrection, requestId, { decision: 'accept' });
    expect(res.statusCode).toBe(409);
  });

  it('a decided request is 409; an admin of another district is 403; a bad decision is 400', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: requestItem(requestId, volunteerId, 'correction', { field: 'skills', proposedValue: [], status: 'rejected' }) });
    expect((await decide(decideCorrection, requestId, { decision: 'accept' })).statusCode).toBe(409);
    expect((await decide(decideCorrection, requestId, { decision: 'accept' }, { subject: 'u-luohu', role: 'district_admin', scope: 'luohu' })).statusCode).toBe(403);
    expect((await decide(decideCorrection, requestId, { decision: 'maybe' })).statusCode).toBe(400);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /v1/deletion-requests/{id}/decide', () => {
  it('erases in batches of at most 100, keeps hour records and tallies de-identified, strips the volunteer last; deciding again writes nothing', async () => {
    const volunteer = await registered();
    const volunteerId = volunteer.id;
    const requestId = newId();
    const hours = Array.from({ length: 150 }, (_, i) =>
      hourRecordItem({ id: newId(), volunteerId, activityId: newId(), startedAt: isoAgo((i + 2) * 24 * HOUR), endedAt: isoAgo((i + 2) * 24 * HOUR - HOUR) }),
    );
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: requestItem(requestId, volunteerId, 'deletion') });
    ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteer });
    ddb.on(QueryCommand).callsFake((input: any) => {
      const pk = input.ExpressionAttributeValues[':pk'];
      if (pk === keys.volunteerHoursPk(volunteerId)) {
        const start = input.ExclusiveStartKey ? 100 : 0;
        const page = hours.slice(start, start + 100);
        return { Items: page, ...(start + 100 < hours.length ? { LastEvaluatedKey: { pk: page[99].pk, sk: page[99].sk } } : {}) };
      }
      if (pk === keys.volunteerTally(volunteerId, 'ALL').pk) return { Items: [{ ...keys.volunteerTally(volunteerId, 'ALL'), name: '张建国' }] };
      return { Items: [] };
    });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const res = await decide(decideDeletion, requestId, { decision: 'accept' });
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', erasedAt: expect.any(String) });

    const batches = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(100);
    // Decision + audit first.
    expect(batches[0][1].Put!.Item).toMatchObject({ action: 'deletion.accept', target: { type: 'volunteer', id: volunteerId } });
    // Every hour record loses its name and keeps the rest.
    const hourUpdates = batches.flat().filter((i) => i.Update?.UpdateExpression === 'REMOVE volunteerName');
    expect(hourUpdates).toHaveLength(150);
    const tally = batches.flat().find((i) => i.Update?.Key?.pk === keys.volunteerTally(volunteerId, 'ALL').pk);
    expect(tally!.Update!.ExpressionAttributeValues).toEqual({ ':pseudonym': '已注销志愿者' });
    // Last: the volunteer and both uniqueness items.
    const last = batches[batches.length - 1];
    expect(last[0].Update!.Key).toEqual(keys.volunteer(volunteerId));
    expect(last[0].Update!.UpdateExpression).toMatch(/REMOVE phone, idNumber, idNumberCiphertext, idNumberKey, idNumberIv, idNumberTag, idNumberMasked, veteran/);
    expect(last[1].Delete!.Key).toEqual(keys.uniquePhone(hmacHex(PII_HASH_KEY!, 'phone', VALID_PHONE)));
    expect(last[2].Delete!.Key).toEqual(keys.uniqueIdNumber(hmacHex(PII_HASH_KEY!, 'idNumber', VALID_ID_NUMBER)));
    // Neither number is in the answer.
    expect(res.raw).not.toContain(VALID_PHONE);
    expect(res.raw).not.toContain(VALID_ID_NUMBER);

    // Deciding again once the erasure finished changes nothing.
    resetMocks();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({
      Item: requestItem(requestId, volunteerId, 'deletion', { status: 'accepted', erasedAt: '2025-01-02T00:00:00.000Z' }),
    });
    const again = await decide(decideDeletion, requestId, { decision: 'accept' });
    expect(again.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    // Rejecting an accepted request is 409.
    expect((await decide(decideDeletion, requestId, { decision: 'reject' })).statusCode).toBe(409);
  });

  describe('when other writes contend with the erasure', () => {
    const setUp = async () => {
      const volunteer = await registered();
      const requestId = newId();
      const hour = hourRecordItem({ id: newId(), volunteerId: volunteer.id, activityId: newId(), startedAt: isoAgo(3 * HOUR), endedAt: isoAgo(2 * HOUR) });
      ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: requestItem(requestId, volunteer.id, 'deletion', { status: 'accepted' }) });
      ddb.on(GetCommand, { Key: keys.volunteer(volunteer.id) }).resolves({ Item: volunteer });
      ddb.on(QueryCommand).callsFake((input: any) => ({ Items: input.ExpressionAttributeValues[':pk'] === keys.volunteerHoursPk(volunteer.id) ? [hour] : [] }));
      ddb.on(UpdateCommand).resolves({});
      return { volunteer, requestId };
    };
    /** Fails the hour-record batch (the one that removes names) with `error` for its first `times` calls. */
    const hourBatchFails = (error: Error, times: number) => {
      let calls = 0;
      ddb.on(TransactWriteCommand).callsFake(async (input: any) => {
        if (input.TransactItems[0].Update?.UpdateExpression === 'REMOVE volunteerName' && calls++ < times) throw error;
        return {};
      });
    };
    const leaseReleases = (requestId: string) =>
      ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.UpdateExpression === 'REMOVE erasingUntil' && c.args[0].input.Key?.pk === keys.rightsRequest(requestId).pk);

    it('a batch cancelled by a conflicting transaction (a tally consumer, say) is retried and the erasure finishes', async () => {
      const { requestId } = await setUp();
      hourBatchFails(cancelled('TransactionConflict'), 2);
      const res = await decide(decideDeletion, requestId, { decision: 'accept' });
      expect(res.statusCode, res.raw).toBe(200);
      expect(res.body).toMatchObject({ erasedAt: expect.any(String) });
      const hourBatches = ddb.commandCalls(TransactWriteCommand).filter((c) => c.args[0].input.TransactItems![0].Update?.UpdateExpression === 'REMOVE volunteerName');
      expect(hourBatches).toHaveLength(3);
    });

    it('contention that outlasts the retries is a 503 with Retry-After, and the lease is given back so a retry need not wait 90 s', async () => {
      const { requestId } = await setUp();
      hourBatchFails(cancelled('TransactionConflict'), Infinity);
      const res = await decide(decideDeletion, requestId, { decision: 'accept' });
      expect(res.statusCode, res.raw).toBe(503);
      expect(res.headers?.['retry-after']).toBe('1');
      expect(leaseReleases(requestId)).toHaveLength(1);
    }, 20_000);

    it('any other failure gives the lease back too, and is still an error', async () => {
      const { requestId } = await setUp();
      hourBatchFails(new Error('network down'), Infinity);
      const res = await decide(decideDeletion, requestId, { decision: 'accept' });
      expect(res.statusCode).toBe(500);
      expect(leaseReleases(requestId)).toHaveLength(1);
    });
  });

  it('a second open deletion request is 409', async () => {
    const volunteerId = newId();
    ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: { ...keys.volunteer(volunteerId), id: volunteerId, name: '张建国', phone: VALID_PHONE, orgUnitId: ORG } });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    const res = await invokeHttp(
      requestDeletion,
      httpEvent({ method: 'POST', path: '/v1/me/deletion-request', body: {}, token: await tokenFor({ subject: 'v', role: 'volunteer', volunteerId }) }),
    );
    expect(res.statusCode).toBe(409);
  });
});

describe('GET /v1/me/export', () => {
  it('answers a download with the person’s own numbers in full, and audits the export without them', async () => {
    const volunteer = await registered();
    ddb.on(BatchGetCommand).resolves({ Responses: { 'test-table': [volunteer] } });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).resolves({});
    const res = await invokeHttp(
      exportMe,
      httpEvent({ method: 'GET', path: '/v1/me/export', token: await tokenFor({ subject: 'v', role: 'volunteer', volunteerId: volunteer.id }) }),
    );
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="redstar-export-/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.volunteer).toMatchObject({ id: volunteer.id, phone: VALID_PHONE, idNumber: VALID_ID_NUMBER, name: '张建国' });
    for (const section of ['teamMemberships', 'enrollments', 'attendance', 'hourRecords', 'tallies', 'notifications', 'requests', 'auditEntries', 'consents', 'sessions']) {
      expect(res.body[section], section).toMatchObject({ items: [], truncated: false });
    }
    const audit = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems![0].Put!.Item!;
    expect(audit).toMatchObject({ action: 'person.export', target: { type: 'volunteer', id: volunteer.id } });
    expect(JSON.stringify(audit)).not.toContain(VALID_PHONE);
    expect(JSON.stringify(audit)).not.toContain(VALID_ID_NUMBER);
  });
});

describe('GET /v1/audit', () => {
  const get = async (query: Record<string, string>, principal: Principal = admin) =>
    invokeHttp(listAudit, httpEvent({ method: 'GET', path: '/v1/audit', query, token: await tokenFor(principal) }));

  it('queries the by-level index of the node, newest first, within from/to', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...keys.audit('A1'), id: 'A1', at: '2025-01-01T00:00:00.000Z', action: 'team.create', actor: { subject: 'x', role: 'city_admin' }, target: { type: 'team', id: 't' }, before: null, after: {}, orgUnitId: ORG }] });
    const res = await get({ orgUnitId: ORG, from: '2025-01-01T00:00:00+08:00', to: '2025-02-01T00:00:00Z', limit: '10' });
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body.items[0]).toMatchObject({ id: 'A1', action: 'team.create' });
    expect(res.raw).not.toMatch(/"(pk|sk|\w+Pk|\w+Sk)"/);
    const input = ddb.commandCalls(QueryCommand)[0].args[0].input;
    expect(input).toMatchObject({ IndexName: 'by-street', ScanIndexForward: false, Limit: 10 });
    expect(input.ExpressionAttributeValues).toMatchObject({ ':pk': `AUDIT#${ORG}`, ':from': '2024-12-31T16:00:00.000Z', ':to': '2025-02-01T00:00:00.000Z~' });
  });

  it('defaults to the caller’s scope; outside it is 403; from after to is 400; a volunteer is 403', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    // An empty page asks whether the node exists (404 if not, like every list under a node).
    ddb.on(GetCommand).resolves({ Item: { pk: 'ORG#futian', sk: 'ORG', id: 'futian' } });
    expect((await get({})).statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input.ExpressionAttributeValues![':pk']).toBe('AUDIT#futian');
    ddb.on(GetCommand).resolves({});
    expect((await get({})).statusCode).toBe(404);
    expect((await get({ orgUnitId: 'luohu' })).statusCode).toBe(403);
    expect((await get({ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await get({}, { subject: 'v', role: 'volunteer', volunteerId: newId() })).statusCode).toBe(403);
  });
});
