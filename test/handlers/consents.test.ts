/**
 * Consent, beneficiaries and the public-name rule of the rankings, with mocked DynamoDB and KMS.
 */
import { DecryptCommand, GenerateDataKeyCommand } from '../../shared/aws/kms.js';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { TABLE_NAME, cancelled, ddb, httpEvent, invokeHttp, kms, newId, resetMocks, tokenFor, volunteerItem } from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import { residentIdCheckChar } from '../../shared/domain/identity.js';
import type { Principal } from '../../shared/domain/access.js';
import { handler as createConsent } from '../../functions/http/consents/create.js';
import { handler as withdrawConsent } from '../../functions/http/consents/withdraw.js';
import { handler as createBeneficiary } from '../../functions/http/beneficiaries/create.js';
import { handler as getBeneficiary } from '../../functions/http/beneficiaries/get.js';
import { handler as setSensitive } from '../../functions/http/beneficiaries/set-sensitive-details.js';
import { handler as createVolunteer } from '../../functions/http/volunteers/create.js';
import { handler as volunteerRanking } from '../../functions/http/rankings/volunteers.js';

const ORG = 'futian.yuanling';
const liaison: Principal = { subject: 'u-liaison', role: 'station_liaison', scope: ORG };
const leader: Principal = { subject: 'u-leader', role: 'team_leader', scope: newId() };
const cityAdmin: Principal = { subject: 'u-city', role: 'city_admin', scope: 'sz' };

type Item = Record<string, any>;
const call = async (handler: any, principal: Principal, input: { method: string; path: string; body?: unknown; pathParameters?: Record<string, string>; query?: Record<string, string> }) =>
  invokeHttp(handler, httpEvent({ ...input, token: await tokenFor(principal) }));

const transactItems = (n = 0): Item[] => ddb.commandCalls(TransactWriteCommand)[n].args[0].input.TransactItems as Item[];
const writes = () => ddb.commandCalls(TransactWriteCommand).length + ddb.commandCalls(UpdateCommand).length;

const idBornOn = (yyyymmdd: string) => {
  const first17 = `440304${yyyymmdd}123`;
  return first17 + residentIdCheckChar(first17);
};

beforeEach(() => {
  resetMocks();
  ddb.on(GetCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
});

describe('POST /v1/consents', () => {
  const V = newId();
  const stubVolunteer = (over: Item = {}) => ddb.on(GetCommand, { Key: keys.volunteer(V) }).resolves({ Item: volunteerItem({ id: V, orgUnitId: ORG, ...over }) });

  it('a volunteer records their own public-name consent: state, record and audit in one transaction, and their tallies show the name', async () => {
    stubVolunteer();
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...keys.volunteerTally(V, 'ALL'), recordCount: 4 },
        { ...keys.volunteerTally(V, '2026'), recordCount: 2 },
      ],
    });
    const me: Principal = { subject: 'u-v', role: 'volunteer', volunteerId: V };
    const res = await call(createConsent, me, {
      method: 'POST',
      path: '/v1/consents',
      body: { subjectType: 'volunteer', subjectId: V, purpose: 'public-name', policyVersion: '2025-01', granted: true },
    });
    expect(res.statusCode, res.raw).toBe(201);
    expect(res.body).toMatchObject({ subjectId: V, purpose: 'public-name', policyVersion: '2025-01', status: 'granted', withdrawnAt: null });
    expect(res.body.recordedBy).toMatchObject({ method: 'self', subject: 'u-v' });
    const items = transactItems();
    const state = items[0].Put;
    expect(state.Item).toMatchObject({ ...keys.consentState('volunteer', V, 'public-name'), granted: true, consentId: res.body.id, version: 1 });
    expect(state.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items.some((i) => i.Put?.Item?.pk === keys.consentRecord(res.body.id).pk)).toBe(true);
    const audit = items.find((i) => i.Put?.Item?.type === 'Audit')!.Put.Item;
    expect(audit).toMatchObject({ action: 'consent.grant', target: { type: 'consent', id: res.body.id }, orgUnitId: ORG });
    const flags = items.filter((i) => i.Update?.UpdateExpression === 'SET namePublic = :p');
    expect(flags.map((f) => f.Update.Key)).toEqual([keys.volunteerTally(V, 'ALL'), keys.volunteerTally(V, '2026')]);
    expect(flags[0].Update.ConditionExpression).toBe('recordCount = :n');
    expect(flags[0].Update.ExpressionAttributeValues).toEqual({ ':p': true, ':n': 4 });
  });

  it('staff recording a consent without the signed form’s reference is 400 at documentRef, and nothing is written', async () => {
    stubVolunteer();
    const res = await call(createConsent, liaison, {
      method: 'POST',
      path: '/v1/consents',
      body: { subjectType: 'volunteer', subjectId: V, purpose: 'registration', policyVersion: '2025-01', granted: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['documentRef']);
    expect(writes()).toBe(0);
  });

  it('a purpose that does not fit the person (sensitive details of a volunteer) is 400 at purpose', async () => {
    stubVolunteer();
    const res = await call(createConsent, liaison, {
      method: 'POST',
      path: '/v1/consents',
      body: { subjectType: 'volunteer', subjectId: V, purpose: 'sensitive-details', policyVersion: '2025-01', granted: true, documentRef: 'X1' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['purpose']);
  });

  it('granted must be true: “not consenting” is no record at all', async () => {
    const res = await call(createConsent, liaison, {
      method: 'POST',
      path: '/v1/consents',
      body: { subjectType: 'volunteer', subjectId: V, purpose: 'registration', policyVersion: '2025-01', granted: false, documentRef: 'X1' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['granted']);
  });

  it('consent for a child under 14 without the guardian is 400 at guardian', async () => {
    stubVolunteer({ guardianConsentUntil: '2099-01-01' });
    const res = await call(createConsent, liaison, {
      method: 'POST',
      path: '/v1/consents',
      body: { subjectType: 'volunteer', subjectId: V, purpose: 'public-name', policyVersion: '2025-01', granted: true, documentRef: 'X1' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['guardian']);
    expect(writes()).toBe(0);
  });

  it('the same policy version granted twice is 409; a new version supersedes the old record', async () => {
    stubVolunteer();
    const old = newId();
    ddb
      .on(GetCommand, { Key: keys.consentState('volunteer', V, 'registration') })
      .resolves({ Item: { granted: true, consentId: old, policyVersion: '2025-01', version: 2 } });
    ddb.on(GetCommand, { Key: keys.consentRecord(old) }).resolves({
      Item: { ...keys.consentRecord(old), id: old, subjectType: 'volunteer', subjectId: V, orgUnitId: ORG, purpose: 'registration', policyVersion: '2025-01', grantedAt: '2025-01-01T00:00:00.000Z' },
    });
    const body = { subjectType: 'volunteer', subjectId: V, purpose: 'registration', granted: true, documentRef: 'X1' };
    const again = await call(createConsent, liaison, { method: 'POST', path: '/v1/consents', body: { ...body, policyVersion: '2025-01' } });
    expect(again.statusCode).toBe(409);
    const newer = await call(createConsent, liaison, { method: 'POST', path: '/v1/consents', body: { ...body, policyVersion: '2026-01' } });
    expect(newer.statusCode, newer.raw).toBe(201);
    const items = transactItems();
    expect(items[0].Put.ConditionExpression).toBe('version = :seen');
    expect(items[0].Put.Item.version).toBe(3);
    const superseded = items.find((i) => i.Update?.Key?.pk === keys.consentRecord(old).pk)!;
    expect(superseded.Update.ExpressionAttributeValues[':by']).toBe(newer.body.id);
  });

  it('an unknown subject is 404', async () => {
    const res = await call(createConsent, liaison, {
      method: 'POST',
      path: '/v1/consents',
      body: { subjectType: 'beneficiary', subjectId: newId(), purpose: 'registration', policyVersion: '1', granted: true, documentRef: 'X1' },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('POST /v1/consents/{id}/withdraw', () => {
  const C = newId();
  const V = newId();
  const B = newId();
  const record = (over: Item = {}) => ({
    ...keys.consentRecord(C),
    type: 'Consent',
    id: C,
    subjectType: 'volunteer',
    subjectId: V,
    orgUnitId: ORG,
    purpose: 'public-name',
    policyVersion: '2025-01',
    grantedAt: '2025-01-01T00:00:00.000Z',
    recordedBy: { method: 'self', subject: 'u-v', role: 'volunteer' },
    ...over,
  });

  it('withdrawing public-name masks the name again in the same transaction: every tally says namePublic = false', async () => {
    ddb.on(GetCommand, { Key: keys.consentRecord(C) }).resolves({ Item: record() });
    ddb.on(QueryCommand).resolves({ Items: [{ ...keys.volunteerTally(V, 'ALL'), recordCount: 1 }] });
    const res = await call(withdrawConsent, { subject: 'u-v', role: 'volunteer', volunteerId: V }, { method: 'POST', path: `/v1/consents/${C}/withdraw`, pathParameters: { id: C } });
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ id: C, status: 'withdrawn' });
    expect(res.body.withdrawnAt).toBeTruthy();
    const items = transactItems();
    expect(items[0].Update.Key).toEqual(keys.consentRecord(C));
    expect(items[1].Update.Key).toEqual(keys.consentState('volunteer', V, 'public-name'));
    expect(items[1].Update.ConditionExpression).toBe('consentId = :id AND granted = :true');
    expect(items[2].Put.Item).toMatchObject({ type: 'Audit', action: 'consent.withdraw' });
    expect(items[3].Update).toMatchObject({ Key: keys.volunteerTally(V, 'ALL'), ExpressionAttributeValues: { ':p': false, ':n': 1 } });
  });

  it('a consent already withdrawn is 409 and nothing is written', async () => {
    ddb.on(GetCommand, { Key: keys.consentRecord(C) }).resolves({ Item: record({ withdrawnAt: '2025-02-01T00:00:00.000Z' }) });
    const res = await call(withdrawConsent, liaison, { method: 'POST', path: `/v1/consents/${C}/withdraw`, pathParameters: { id: C } });
    expect(res.statusCode).toBe(409);
    expect(writes()).toBe(0);
  });

  it('a withdrawal that loses a race (state no longer pointing at it) is 409', async () => {
    ddb.on(GetCommand, { Key: keys.consentRecord(C) }).resolves({ Item: record({ purpose: 'registration' }) });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    const res = await call(withdrawConsent, liaison, { method: 'POST', path: `/v1/consents/${C}/withdraw`, pathParameters: { id: C } });
    expect(res.statusCode).toBe(409);
  });

  it('withdrawing a beneficiary’s sensitive-details consent erases the sealed details in the same transaction', async () => {
    ddb.on(GetCommand, { Key: keys.consentRecord(C) }).resolves({ Item: record({ subjectType: 'beneficiary', subjectId: B, purpose: 'sensitive-details' }) });
    const res = await call(withdrawConsent, liaison, { method: 'POST', path: `/v1/consents/${C}/withdraw`, pathParameters: { id: C } });
    expect(res.statusCode, res.raw).toBe(200);
    const erase = transactItems().find((i) => i.Update?.Key?.pk === keys.beneficiary(B).pk)!;
    expect(erase.Update.UpdateExpression).toMatch(/^REMOVE sensitiveCiphertext, sensitiveKey, sensitiveIv, sensitiveTag SET hasSensitiveDetails = :false/);
  });

  it('another volunteer may not withdraw it (403, nothing written)', async () => {
    ddb.on(GetCommand, { Key: keys.consentRecord(C) }).resolves({ Item: record() });
    const res = await call(withdrawConsent, { subject: 'u-o', role: 'volunteer', volunteerId: newId() }, { method: 'POST', path: `/v1/consents/${C}/withdraw`, pathParameters: { id: C } });
    expect(res.statusCode).toBe(403);
    expect(writes()).toBe(0);
  });
});

describe('beneficiaries and their sensitive details', () => {
  const base = { name: '陈秀英', phone: '13344445555', idNumber: '11010519491231002X', orgUnitId: ORG, careCategories: ['elderly-alone', 'disabled'] };
  const sensitive = { health: '糖尿病，需每周上门测血糖', disability: '肢体二级' };

  it('sensitive details without the separate consent are refused (400 at sensitive): nothing sealed, nothing written', async () => {
    const res = await call(createBeneficiary, liaison, {
      method: 'POST',
      path: '/v1/beneficiaries',
      body: { ...base, sensitive, consents: [{ purpose: 'registration', policyVersion: '2025-01', documentRef: 'YL-1' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['sensitive']);
    expect(writes()).toBe(0);
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(0);
  });

  const register = async () => {
    const res = await call(createBeneficiary, liaison, {
      method: 'POST',
      path: '/v1/beneficiaries',
      body: { ...base, sensitive, consents: [{ purpose: 'sensitive-details', policyVersion: '2025-01', documentRef: 'YL-2' }] },
    });
    expect(res.statusCode, res.raw).toBe(201);
    return { res, items: transactItems() };
  };

  it('with the consent: identity number and details sealed, identity number unique by keyed hash, consent and audit in the same transaction', async () => {
    const { res, items } = await register();
    expect(res.body).toMatchObject({ name: '陈秀英', phone: '13344445555', idNumber: '110***********002X', hasSensitiveDetails: true });
    expect(res.body.sensitive).toBeUndefined();
    const stored = items.find((i) => i.Put?.Item?.type === 'Beneficiary')!.Put.Item;
    expect(stored).toMatchObject({ ...keys.beneficiary(res.body.id), ...keys.beneficiaryLevels(ORG, res.body.id) });
    const all = JSON.stringify(items);
    expect(all).not.toContain('11010519491231002X');
    expect(all).not.toContain('糖尿病');
    expect(stored.sensitiveCiphertext).toBeTruthy();
    expect(stored.idNumberCiphertext).toBeTruthy();
    expect(items[1].Put.Item.pk).toMatch(/^UNIQUE#BENIDNUMBER#[0-9a-f]{64}$/);
    const contexts = kms.commandCalls(GenerateDataKeyCommand).map((c) => c.args[0].input.EncryptionContext);
    expect(contexts).toEqual(
      expect.arrayContaining([
        { field: 'beneficiary.idNumber', beneficiaryId: res.body.id },
        { field: 'beneficiary.sensitive', beneficiaryId: res.body.id },
      ]),
    );
    expect(items.filter((i) => i.Put?.Item?.type === 'Audit').map((i) => i.Put.Item.action)).toEqual(['beneficiary.create', 'consent.grant']);
    expect(items.find((i) => i.Put?.Item?.type === 'ConsentState')!.Put.Item).toMatchObject({ purpose: 'sensitive-details', granted: true });
  });

  it('a second beneficiary with the same identity number is 409', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None', 'None'));
    const res = await call(createBeneficiary, liaison, { method: 'POST', path: '/v1/beneficiaries', body: base });
    expect(res.statusCode).toBe(409);
  });

  it('a child beneficiary without a guardian is 400 at guardian', async () => {
    const res = await call(createBeneficiary, liaison, {
      method: 'POST',
      path: '/v1/beneficiaries',
      body: { ...base, idNumber: idBornOn('20180601'), consents: [{ purpose: 'registration', policyVersion: '2025-01', documentRef: 'YL-3' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['guardian']);
  });

  it('the liaison in scope reads the details while the consent holds (decrypted, logged, no-store); without the consent, not even the city admin', async () => {
    const { res } = await register();
    const stored = transactItems().find((i) => i.Put?.Item?.type === 'Beneficiary')!.Put.Item;
    const stateKey = keys.consentState('beneficiary', res.body.id, 'sensitive-details');
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [stored, { ...stateKey, granted: true }] } });
    const read = await call(getBeneficiary, liaison, { method: 'GET', path: `/v1/beneficiaries/${res.body.id}`, pathParameters: { id: res.body.id } });
    expect(read.statusCode, read.raw).toBe(200);
    expect(read.body.sensitive).toEqual(sensitive);
    expect(read.headers['cache-control']).toBe('no-store');

    kms.resetHistory();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [stored, { ...stateKey, granted: false }] } });
    const withheld = await call(getBeneficiary, cityAdmin, { method: 'GET', path: `/v1/beneficiaries/${res.body.id}`, pathParameters: { id: res.body.id } });
    expect(withheld.statusCode).toBe(200);
    expect(withheld.body.sensitive).toBeUndefined();
    expect(withheld.body.phone).toBe('133****5555');
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0);
  });

  it('a team leader may not read a beneficiary at all (403)', async () => {
    const B = newId();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [{ ...keys.beneficiary(B), id: B, name: '陈秀英', orgUnitId: ORG, careCategories: [], hasSensitiveDetails: true }] } });
    const res = await call(getBeneficiary, leader, { method: 'GET', path: `/v1/beneficiaries/${B}`, pathParameters: { id: B } });
    expect(res.statusCode).toBe(403);
  });

  it('replacing the details is conditional on the consent holding at commit: 409 naming sensitive when it does not', async () => {
    const B = newId();
    ddb.on(GetCommand, { Key: keys.beneficiary(B) }).resolves({ Item: { ...keys.beneficiary(B), id: B, name: '陈秀英', orgUnitId: ORG, careCategories: [], hasSensitiveDetails: false } });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const res = await call(setSensitive, liaison, { method: 'PUT', path: `/v1/beneficiaries/${B}/sensitive-details`, pathParameters: { id: B }, body: { hardship: '低保户' } });
    expect(res.statusCode).toBe(409);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['sensitive']);
    const items = transactItems();
    expect(items[0].ConditionCheck.Key).toEqual(keys.consentState('beneficiary', B, 'sensitive-details'));
    expect(JSON.stringify(items)).not.toContain('低保户');
  });
});

describe('POST /v1/volunteers: children under 14', () => {
  const body = { name: '李小兵', phone: '13912345678', idNumber: idBornOn('20150301'), orgUnitId: ORG };

  it('without a guardian: 400 naming guardian (and the registration consent), nothing written', async () => {
    const res = await call(createVolunteer, liaison, { method: 'POST', path: '/v1/volunteers', body });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['guardian', 'consents']);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('with a guardian and the registration consent: the consent is recorded in the registration’s transaction', async () => {
    const res = await call(createVolunteer, liaison, {
      method: 'POST',
      path: '/v1/volunteers',
      body: {
        ...body,
        guardian: { name: '李大军', phone: '13811112222', relationship: 'parent' },
        consents: [{ purpose: 'registration', policyVersion: '2025-01', documentRef: 'YL-G-1' }],
      },
    });
    expect(res.statusCode, res.raw).toBe(201);
    expect(res.body.guardian).toEqual({ name: '李大军', relationship: 'parent', phone: '13811112222' });
    const items = transactItems();
    const volunteer = items.find((i) => i.Put?.Item?.type === 'Volunteer')!.Put.Item;
    expect(volunteer.guardian).toMatchObject({ name: '李大军' });
    expect(volunteer.guardianConsentUntil).toBe('2029-03-01');
    const consent = items.find((i) => i.Put?.Item?.type === 'Consent')!.Put.Item;
    expect(consent).toMatchObject({ subjectId: res.body.id, purpose: 'registration', guardian: { name: '李大军' }, recordedBy: { method: 'paper', documentRef: 'YL-G-1' } });
    const consentAudit = items.find((i) => i.Put?.Item?.action === 'consent.grant')!.Put.Item;
    expect(consentAudit.after.guardian.phone).toBe('138****2222');
  });
});

describe('GET /v1/rankings/volunteers: names only with consent', () => {
  it('a volunteer whose tally says namePublic is named in full; the others are masked', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { volunteerId: 'A', name: '张建国', minutes: 300, namePublic: true, orgUnitId: ORG },
        { volunteerId: 'B', name: '李卫东', minutes: 200, namePublic: false, orgUnitId: ORG },
        { volunteerId: 'C', name: '王保国', minutes: 100, orgUnitId: ORG },
      ],
    });
    const res = await call(volunteerRanking, { subject: 'anyone', role: 'beneficiary' }, { method: 'GET', path: '/v1/rankings/volunteers', query: { orgUnitId: ORG } });
    expect(res.statusCode).toBe(200);
    expect(res.body.items.map((i: { name: string }) => i.name)).toEqual(['张建国', '李*东', '王*国']);
    expect(ddb.calls()).toHaveLength(1);
  });
});
