import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TABLE_NAME,
  VALID_ID_NUMBER,
  cancelled,
  ddb,
  httpEvent,
  invokeHttp,
  newId,
  resetMocks,
  tokenFor,
  volunteerItem,
} from './helpers.js';
import { keys } from '../../shared/data/keys.js';
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

    // One transaction: org exists, phone unique (normalised), id number unique (hashed), volunteer.
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const items = writes[0].args[0].input.TransactItems!;
    expect(items).toHaveLength(4);
    expect(items[0].ConditionCheck?.Key).toEqual(keys.orgUnit('futian.yuanling'));
    expect(items[1].Put?.Item).toMatchObject({ ...keys.uniquePhone('13812341234') });
    expect(items[1].Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(JSON.stringify(items[2].Put?.Item)).not.toContain(VALID_ID_NUMBER);
    expect(items[3].Put?.Item).toMatchObject({ ...keys.volunteer(res.body.id), phone: '13812341234', idNumber: VALID_ID_NUMBER });
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
    expect(res.body.phone).toBe('138****1234');
    expect(res.body.idNumber).toBe('110***********002X');
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
