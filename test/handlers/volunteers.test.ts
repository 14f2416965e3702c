import { DecryptCommand, GenerateDataKeyCommand } from '../../shared/aws/kms.js';
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  PII_HASH_KEY,
  PII_KEY_ID,
  TABLE_NAME,
  VALID_ID_NUMBER,
  VALID_PHONE,
  cancelled,
  ddb,
  httpEvent,
  invokeHttp,
  kms,
  newId,
  resetMocks,
  tokenFor,
  volunteerItem,
} from './helpers.js';
import { hmacHex } from '../../shared/crypto/keyed-hash.js';
import { awsError } from '../aws-mock.js';
import { keys } from '../../shared/data/keys.js';
import { volunteerIdByPhone } from '../../shared/data/volunteers.js';
import { MAX_BODY_BYTES } from '../../shared/http/route.js';
import { shanghaiYear } from '../../shared/domain/time.js';
import type { Principal } from '../../shared/domain/access.js';
import { handler as createVolunteer } from '../../functions/http/volunteers/create.js';
import { handler as getVolunteer } from '../../functions/http/volunteers/get.js';

const futianAdmin: Principal = { subject: 'admin-futian', role: 'district_admin', scope: 'futian' };

const body = (over: Record<string, unknown> = {}) => ({
  name: '张建国',
  phone: '+86 138-1234-1234',
  idNumber: VALID_ID_NUMBER,
  orgUnitId: 'futian.yuanling',
  veteran: { branch: '陆军', enlistmentYear: 1968, dischargeYear: 1975, partyMember: true },
  skills: ['急救'],
  ...over,
});

const post = async (principal: Principal, payload: unknown, headers: Record<string, string> = {}) =>
  invokeHttp(createVolunteer, httpEvent({ method: 'POST', path: '/v1/volunteers', body: payload, token: await tokenFor(principal), headers }));

const stubRegistration = () => {
  ddb.on(UpdateCommand, { Key: keys.counter('VOLUNTEER') }).resolves({ Attributes: { value: 42 } });
  ddb.on(TransactWriteCommand).resolves({});
};

beforeEach(resetMocks);

describe('POST /v1/volunteers', () => {
  it('a resident ID with a wrong check character is 400 with an error at idNumber, and nothing is written', async () => {
    stubRegistration();
    const res = await post(futianAdmin, body({ idNumber: '110105194912310029' }));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['idNumber']);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a phone that is not a mainland mobile number is 400 with an error at phone', async () => {
    stubRegistration();
    const res = await post(futianAdmin, body({ phone: '12812341234' }));
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['phone']);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('nested field errors carry their full path', async () => {
    const res = await post(futianAdmin, body({ veteran: { enlistmentYear: 1980, dischargeYear: 1970 } }));
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['veteran.dischargeYear']);
  });

  it('a body that is not JSON is 400', async () => {
    stubRegistration();
    const res = await post(futianAdmin, '{"name": "张建国",', { 'accept-language': 'en' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.detail).toBe('The body is not valid JSON');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a missing body is 400, not 500', async () => {
    const res = await invokeHttp(
      createVolunteer,
      httpEvent({ method: 'POST', path: '/v1/volunteers', token: await tokenFor(futianAdmin) }),
    );
    expect(res.statusCode).toBe(400);
  });

  it('a phone already registered (uniqueness item at index 1 fails its condition) is 409', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 43 } });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None', 'None'));
    const res = await post(futianAdmin, body(), { 'accept-language': 'en' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.title).toBe('Conflict');
    expect(res.body.detail).toBe('A volunteer with this phone is already registered');
  });

  it('an identity number already registered (index 2) is 409 with its own message', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 43 } });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed', 'None'));
    const res = await post(futianAdmin, body(), { 'accept-language': 'en' });
    expect(res.statusCode).toBe(409);
    expect(res.body.detail).toBe('A volunteer with this identity number is already registered');
  });

  it('an org unit that does not exist (index 0) is 404', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 43 } });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'));
    const res = await post(futianAdmin, body());
    expect(res.statusCode).toBe(404);
  });

  it('registers with 201, answering with phone and identity number masked', async () => {
    stubRegistration();
    const res = await post(futianAdmin, body());
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toMatchObject({
      volunteerNumber: 'SZV00000042',
      name: '张建国',
      phone: '138****1234',
      idNumber: '110***********002X',
      orgUnitId: 'futian.yuanling',
      skills: ['急救'],
    });
    expect(res.body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Neither number appears in clear anywhere in the answer.
    expect(res.raw).not.toContain('13812341234');
    expect(res.raw).not.toContain(VALID_ID_NUMBER);

    // One transaction: org exists, phone unique, id number unique (both keyed hashes), volunteer, audit.
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const items = writes[0].args[0].input.TransactItems!;
    expect(items).toHaveLength(5);
    // The audit entry says who registered whom, with name, phone and identity number masked.
    const audit = items[4].Put!.Item!;
    expect(audit).toMatchObject({
      type: 'Audit',
      action: 'volunteer.create',
      target: { type: 'volunteer', id: res.body.id },
      orgUnitId: 'futian.yuanling',
      after: { phone: '138****1234', idNumber: '110***********002X' },
    });
    expect(JSON.stringify(audit)).not.toContain(VALID_PHONE);
    expect(JSON.stringify(audit)).not.toContain(VALID_ID_NUMBER);
    expect(JSON.stringify(audit)).not.toContain('idNumberCiphertext');
    expect(items[0].ConditionCheck?.Key).toEqual(keys.orgUnit('futian.yuanling'));
    expect(items[1].Put?.Item).toMatchObject({ ...keys.uniquePhone(hmacHex(PII_HASH_KEY!, 'phone', VALID_PHONE)) });
    expect(items[1].Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items[2].Put?.Item).toMatchObject({ ...keys.uniqueIdNumber(hmacHex(PII_HASH_KEY!, 'idNumber', VALID_ID_NUMBER)) });
    expect(items[2].Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    // The phone stays in clear on the volunteer (SMS needs it); the identity number is only sealed.
    const stored = items[3].Put!.Item!;
    expect(stored).toMatchObject({ ...keys.volunteer(res.body.id), phone: VALID_PHONE, idNumberMasked: '110***********002X' });
    expect(stored.idNumber).toBeUndefined();
    for (const field of ['idNumberCiphertext', 'idNumberKey', 'idNumberIv', 'idNumberTag']) {
      expect(stored[field], field).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    }
    // No write carries the identity number in clear; keys carry neither number.
    expect(JSON.stringify(items)).not.toContain(VALID_ID_NUMBER);
    expect(JSON.stringify(items.slice(0, 3))).not.toContain(VALID_PHONE);

    // One data key per record, from the stack's key, bound to this volunteer.
    const dataKeys = kms.commandCalls(GenerateDataKeyCommand);
    expect(dataKeys).toHaveLength(1);
    expect(dataKeys[0].args[0].input).toMatchObject({
      KeyId: PII_KEY_ID,
      KeySpec: 'AES_256',
      EncryptionContext: { field: 'volunteer.idNumber', volunteerId: res.body.id },
    });
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0);
  });

  it('a station liaison registering sees the phone in full, the identity number still masked', async () => {
    stubRegistration();
    const res = await post({ subject: 'liaison', role: 'station_liaison', scope: 'futian.yuanling' }, body());
    expect(res.statusCode).toBe(201);
    expect(res.body.phone).toBe(VALID_PHONE);
    expect(res.body.idNumber).toBe('110***********002X');
  });

  it('the same number registered twice yields the same uniqueness keys; other numbers other keys', async () => {
    stubRegistration();
    await post(futianAdmin, body());
    await post(futianAdmin, body({ phone: '13900001111', idNumber: '440303196001010038' }));
    const [first, second] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    const again = ddb.commandCalls(TransactWriteCommand).length;
    await post(futianAdmin, body());
    const third = ddb.commandCalls(TransactWriteCommand)[again].args[0].input.TransactItems!;
    expect(third[1].Put?.Item?.pk).toBe(first[1].Put?.Item?.pk);
    expect(third[2].Put?.Item?.pk).toBe(first[2].Put?.Item?.pk);
    expect(second[1].Put?.Item?.pk).not.toBe(first[1].Put?.Item?.pk);
    expect(second[2].Put?.Item?.pk).not.toBe(first[2].Put?.Item?.pk);
    // Each record has its own data key and IV.
    expect(third[3].Put?.Item?.idNumberKey).not.toBe(first[3].Put?.Item?.idNumberKey);
    expect(third[3].Put?.Item?.idNumberCiphertext).not.toBe(first[3].Put?.Item?.idNumberCiphertext);
  });

  it('KMS failing on its side (after the retries) is a 503 with Retry-After, and nothing is written', async () => {
    stubRegistration();
    kms.on(GenerateDataKeyCommand).rejects(awsError('KMSInternalException', 'KMS is unavailable', {}, 500));
    const res = await post(futianAdmin, body());
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('2');
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('DynamoDB not answering in time is a 503 with Retry-After, not a 500', async () => {
    stubRegistration();
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('No answer from dynamodb within 3000 ms'), { name: 'TimeoutError' }));
    const res = await post(futianAdmin, body());
    expect(res.statusCode).toBe(503);
    expect(res.body.status).toBe(503);
  });

  it('an unexpected error (neither an answer from AWS nor a network failure) stays a 500', async () => {
    stubRegistration();
    kms.on(GenerateDataKeyCommand).rejects(Object.assign(new Error('KMS is unavailable'), { name: 'KMSInternalException' }));
    expect((await post(futianAdmin, body())).statusCode).toBe(500);
  });

  it(`a body over ${MAX_BODY_BYTES / 1024} KiB is a 413 problem before authentication or parsing; nothing is read or written`, async () => {
    stubRegistration();
    const huge = JSON.stringify(body({ name: 'x'.repeat(MAX_BODY_BYTES) }));
    const res = await post(futianAdmin, huge, { 'accept-language': 'en' });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 413, title: 'Payload too large', detail: 'The request body exceeds the 64 KiB limit' });
    expect(ddb.calls()).toHaveLength(0);
    expect(kms.calls()).toHaveLength(0);

    // Even without a token, and counted in bytes (3 per Chinese character), also when base64-encoded.
    const chinese = '{"name":"' + '张'.repeat(Math.floor(MAX_BODY_BYTES / 3)) + '"}';
    expect(chinese.length).toBeLessThan(MAX_BODY_BYTES);
    const anonymous = await invokeHttp(createVolunteer, httpEvent({ method: 'POST', path: '/v1/volunteers', body: chinese }));
    expect(anonymous.statusCode).toBe(413);
    const encoded = httpEvent({ method: 'POST', path: '/v1/volunteers', body: Buffer.from(huge).toString('base64'), token: await tokenFor(futianAdmin) });
    expect((await invokeHttp(createVolunteer, { ...encoded, isBase64Encoded: true })).statusCode).toBe(413);
  });

  it(`a body of exactly ${MAX_BODY_BYTES / 1024} KiB is parsed (here: 400 for a too-long name, not 413)`, async () => {
    stubRegistration();
    const base = Buffer.byteLength(JSON.stringify(body({ name: '' })));
    const exact = JSON.stringify(body({ name: 'x'.repeat(MAX_BODY_BYTES - base) }));
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    const res = await post(futianAdmin, exact);
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['name']);
  });

  it("a district admin of 'luohu' registering into 'futian.yuanling' is 403 and nothing is written", async () => {
    stubRegistration();
    const res = await post({ subject: 'admin-luohu', role: 'district_admin', scope: 'luohu' }, body());
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('a volunteer cannot register volunteers (403)', async () => {
    stubRegistration();
    const res = await post({ subject: 'v', role: 'volunteer', volunteerId: newId() }, body());
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('GET /v1/volunteers/{id}', () => {
  const id = newId();
  const year = shanghaiYear(new Date());
  const twoYearsAgo = new Date(Date.now() - 2 * 366 * 86_400_000).toISOString();

  const stubRead = () =>
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE_NAME]: [
          volunteerItem({ id, registeredAt: twoYearsAgo }),
          { ...keys.volunteerTally(id, 'ALL'), minutes: 18_000, starLevel: 0 },
          { ...keys.volunteerTally(id, `${year}`), minutes: 1_200 },
        ],
      },
    });

  const get = async (principal: Principal) =>
    invokeHttp(
      getVolunteer,
      httpEvent({
        method: 'GET',
        path: `/v1/volunteers/${id}`,
        routeKey: 'GET /v1/volunteers/{id}',
        pathParameters: { id },
        token: await tokenFor(principal),
      }),
    );

  it('reads the volunteer and totals with one BatchGet and answers hours {verifiedMinutes, yearMinutes, starLevel}', async () => {
    stubRead();
    const res = await get({ subject: 'me', role: 'volunteer', volunteerId: id });
    expect(res.statusCode).toBe(200);
    expect(res.body.id).toBe(id);
    // Their own phone in full; their identity number masked.
    expect(res.body.phone).toBe(VALID_PHONE);
    expect(res.body.idNumber).toBe('110***********002X');
    expect(res.headers['cache-control']).toBe('no-store');
    // Reading without a reveal never touches KMS.
    expect(kms.calls()).toHaveLength(0);
    // 300 h and two years registered: level 2 (computed on read, not the stored 0).
    expect(res.body.hours).toMatchObject({ verifiedMinutes: 18_000, yearMinutes: 1_200, starLevel: 2 });

    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(ddb.calls().length).toBeLessThanOrEqual(2);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const wanted = ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems![TABLE_NAME].Keys;
    expect(wanted).toEqual(
      expect.arrayContaining([keys.volunteer(id), keys.volunteerTally(id, 'ALL'), keys.volunteerTally(id, `${year}`)]),
    );
  });

  it('a volunteer with no tallies yet has zero hours', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [volunteerItem({ id })] } });
    const res = await get({ subject: 'me', role: 'volunteer', volunteerId: id });
    expect(res.statusCode).toBe(200);
    expect(res.body.hours).toMatchObject({ verifiedMinutes: 0, yearMinutes: 0, starLevel: 0 });
  });

  it('keys left unprocessed by the first BatchGet are fetched once more (still at most 2 calls)', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE_NAME]: [volunteerItem({ id, registeredAt: twoYearsAgo })] },
        UnprocessedKeys: { [TABLE_NAME]: { Keys: [keys.volunteerTally(id, 'ALL')] } },
      })
      .resolvesOnce({ Responses: { [TABLE_NAME]: [{ ...keys.volunteerTally(id, 'ALL'), minutes: 6_000 }] } });
    const res = await get({ subject: 'me', role: 'volunteer', volunteerId: id });
    expect(res.statusCode).toBe(200);
    expect(res.body.hours.verifiedMinutes).toBe(6_000);
    expect(ddb.calls()).toHaveLength(2);
  });

  it("another volunteer's token is 403", async () => {
    stubRead();
    const res = await get({ subject: 'someone-else', role: 'volunteer', volunteerId: newId() });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.raw).not.toContain('18000');
  });

  it('an admin of another district is 403; an admin above the volunteer may read', async () => {
    stubRead();
    expect((await get({ subject: 'a', role: 'district_admin', scope: 'luohu' })).statusCode).toBe(403);
    expect((await get({ subject: 'b', role: 'district_admin', scope: 'futian' })).statusCode).toBe(200);
  });

  it('an id that is not a ULID is 400 with an error at id', async () => {
    const res = await invokeHttp(
      getVolunteer,
      httpEvent({
        method: 'GET',
        path: '/v1/volunteers/42',
        routeKey: 'GET /v1/volunteers/{id}',
        pathParameters: { id: '42' },
        token: await tokenFor({ subject: 'me', role: 'city_admin', scope: 'sz' }),
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.errors[0].path).toBe('id');
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('who sees personal numbers (shared/domain/personal-data.ts)', () => {
  /** Registers through the create handler and returns the volunteer item exactly as it was written. */
  const registered = async (over: Record<string, unknown> = {}) => {
    resetMocks();
    stubRegistration();
    const res = await post(futianAdmin, body(over));
    expect(res.statusCode).toBe(201);
    const item = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems![3].Put!.Item!;
    resetMocks();
    return item as Record<string, unknown> & { id: string };
  };

  const serve = (item: Record<string, unknown>) =>
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [item] } });

  const get = async (principal: Principal, id: string, query?: Record<string, string>) =>
    invokeHttp(
      getVolunteer,
      httpEvent({
        method: 'GET',
        path: `/v1/volunteers/${id}`,
        routeKey: 'GET /v1/volunteers/{id}',
        pathParameters: { id },
        query,
        token: await tokenFor(principal),
        headers: { 'accept-language': 'en' },
      }),
    );

  const cityAdmin: Principal = { subject: 'admin-sz', role: 'city_admin', scope: 'sz' };
  const reveal = { reveal: 'idNumber' };

  it.each([
    ['city_admin', 'masked', { subject: 'c', role: 'city_admin', scope: 'sz' }],
    ['district_admin', 'masked', { subject: 'd', role: 'district_admin', scope: 'futian' }],
    ['station_liaison', 'full', { subject: 's', role: 'station_liaison', scope: 'futian.yuanling' }],
  ] as const)('%s reads the phone %s and the identity number masked', async (_, phone, principal) => {
    const item = await registered();
    serve(item);
    const res = await get(principal, item.id);
    expect(res.statusCode).toBe(200);
    expect(res.body.phone).toBe(phone === 'full' ? VALID_PHONE : '138****1234');
    expect(res.body.idNumber).toBe('110***********002X');
    expect(res.raw).not.toContain(VALID_ID_NUMBER);
    expect(kms.calls()).toHaveLength(0);
  });

  it('a team leader of their team reads both masked', async () => {
    const item = await registered();
    const teamId = newId();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [item, { ...keys.teamMember(teamId, item.id), volunteerId: item.id }] } });
    const res = await get({ subject: 'leader', role: 'team_leader', scope: teamId }, item.id);
    expect(res.statusCode).toBe(200);
    expect(res.body.phone).toBe('138****1234');
    expect(res.body.idNumber).toBe('110***********002X');
  });

  it.each([
    ['city_admin', { subject: 'c', role: 'city_admin', scope: 'sz' }],
    ['district_admin', { subject: 'd', role: 'district_admin', scope: 'futian' }],
  ] as const)('%s may ask for the identity number in full: one KMS Decrypt of this record, bound to it', async (_, principal) => {
    const item = await registered();
    serve(item);
    const res = await get(principal, item.id, reveal);
    expect(res.statusCode).toBe(200);
    expect(res.body.idNumber).toBe(VALID_ID_NUMBER);
    expect(res.body.phone).toBe('138****1234');
    expect(res.headers['cache-control']).toBe('no-store');
    const decrypts = kms.commandCalls(DecryptCommand);
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0].args[0].input).toMatchObject({
      KeyId: PII_KEY_ID,
      EncryptionContext: { field: 'volunteer.idNumber', volunteerId: item.id },
    });
    expect(Buffer.from(decrypts[0].args[0].input.CiphertextBlob!).toString('base64')).toBe(item.idNumberKey);
  });

  it.each([
    ['station_liaison', { subject: 's', role: 'station_liaison', scope: 'futian.yuanling' }],
    ['team_leader', { subject: 'l', role: 'team_leader', scope: newId() }],
    ['volunteer (themselves)', { subject: 'v', role: 'volunteer', volunteerId: 'SELF' }],
    ['assessor', { subject: 'a', role: 'assessor' }],
  ] as const)('%s asking for the identity number in full is 403, before anything is read', async (_, principal) => {
    const item = await registered();
    serve(item);
    const self = principal.role === 'volunteer' ? { ...principal, volunteerId: item.id } : principal;
    const res = await get(self as Principal, item.id, reveal);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(ddb.calls()).toHaveLength(0);
    expect(kms.calls()).toHaveLength(0);
  });

  it('a district admin of another district asking for the number is 403 and nothing is decrypted', async () => {
    const item = await registered();
    serve(item);
    const res = await get({ subject: 'luohu', role: 'district_admin', scope: 'luohu' }, item.id, reveal);
    expect(res.statusCode).toBe(403);
    expect(res.raw).not.toContain(VALID_ID_NUMBER);
    expect(kms.calls()).toHaveLength(0);
  });

  it('any other reveal value is a 400', async () => {
    const item = await registered();
    serve(item);
    const res = await get(cityAdmin, item.id, { reveal: 'phone' });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['reveal']);
  });

  it('a sealed number moved onto another volunteer does not open (500, no number in the answer)', async () => {
    const victim = await registered();
    const other = await registered({ phone: '13900001111', idNumber: '440303196001010038' });
    const forged = { ...other, idNumberCiphertext: victim.idNumberCiphertext, idNumberKey: victim.idNumberKey, idNumberIv: victim.idNumberIv, idNumberTag: victim.idNumberTag };
    serve(forged);
    const res = await get(cityAdmin, other.id, reveal);
    expect(res.statusCode).toBe(500);
    expect(res.raw).not.toContain(VALID_ID_NUMBER);
    expect(res.raw).not.toContain('440303196001010038');
  });

  it('a tampered ciphertext does not open (500)', async () => {
    const item = await registered();
    const bytes = Buffer.from(String(item.idNumberCiphertext), 'base64');
    bytes[0] ^= 1;
    serve({ ...item, idNumberCiphertext: bytes.toString('base64') });
    expect((await get(cityAdmin, item.id, reveal)).statusCode).toBe(500);
  });

  it('a legacy item (identity number in clear, written before encryption) is still shown masked, and revealed without KMS', async () => {
    const id = newId();
    const { idNumberMasked: _masked, ...legacy } = { ...volunteerItem({ id }), idNumber: VALID_ID_NUMBER };
    serve(legacy);
    const masked = await get(cityAdmin, id);
    expect(masked.statusCode).toBe(200);
    expect(masked.body.idNumber).toBe('110***********002X');
    expect(masked.raw).not.toContain(VALID_ID_NUMBER);
    const revealed = await get(cityAdmin, id, reveal);
    expect(revealed.body.idNumber).toBe(VALID_ID_NUMBER);
    expect(kms.calls()).toHaveLength(0);
  });
});

describe('volunteerIdByPhone', () => {
  it('finds the volunteer through the keyed hash of the phone, never the phone itself', async () => {
    const id = newId();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: keys.uniquePhone(hmacHex(PII_HASH_KEY!, 'phone', VALID_PHONE)) }).resolves({ Item: { volunteerId: id } });
    expect(await volunteerIdByPhone(VALID_PHONE)).toBe(id);
    expect(await volunteerIdByPhone('13900001111')).toBeUndefined();
    expect(JSON.stringify(ddb.calls().map((c) => c.args[0].input))).not.toContain(VALID_PHONE);
  });
});
