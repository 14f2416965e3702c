/**
 * Personal data through the real local runtime: who sees which number, the reveal, what lands
 * in DynamoDB Local (sealed identity number, keyed-hash uniqueness keys), and the 64 KiB body limit.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { localKeyProvider, open } from '../../../shared/crypto/envelope.js';
import { hmacHex } from '../../../shared/crypto/keyed-hash.js';
import { keys } from '../../../shared/data/keys.js';
import { api, dynamo, expectStatus, rt, tableName, tokenFor, uniquePhone, uniqueResidentId, volunteerToken } from './client.js';

const ORG = 'futian.yuanling';
let phone: string;
let idNumber: string;
let volunteerId: string;

beforeAll(async () => {
  phone = uniquePhone();
  idNumber = uniqueResidentId();
  const admin = await tokenFor('district_admin', { scope: 'futian' });
  const created = expectStatus(await api('/v1/volunteers', { token: admin, body: { name: '孙卫国', phone, idNumber, orgUnitId: ORG } }), 201);
  volunteerId = created.id;
  expect(created.phone).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
  expect(created.idNumber).toBe(`${idNumber.slice(0, 3)}${'*'.repeat(11)}${idNumber.slice(14)}`);
});

const read = async (token: string, query = '') => api(`/v1/volunteers/${volunteerId}${query}`, { token });

describe('personal data through the local runtime', () => {
  it('the volunteer sees their own phone in full; a district admin and a team leader see it masked; a station liaison in full', async () => {
    const self = expectStatus(await read(await volunteerToken(volunteerId)), 200);
    expect(self.phone).toBe(phone);
    expect(self.idNumber).not.toContain(idNumber.slice(3, 14));
    const admin = expectStatus(await read(await tokenFor('district_admin', { scope: 'futian' })), 200);
    expect(admin.phone).toMatch(/^139\*{4}\d{4}$/);
    const liaison = expectStatus(await read(await tokenFor('station_liaison', { scope: ORG })), 200);
    expect(liaison.phone).toBe(phone);
    expect(liaison.idNumber).toMatch(/^\d{3}\*{11}\d{3}[\dX]$/);
  });

  it('a city admin who asks gets the identity number in full, with no-store; a liaison who asks gets 403', async () => {
    const revealed = await read(await tokenFor('city_admin', { scope: 'sz' }), '?reveal=idNumber');
    expect(expectStatus(revealed, 200).idNumber).toBe(idNumber);
    expect(revealed.headers.get('cache-control')).toBe('no-store');
    const refused = await read(await tokenFor('station_liaison', { scope: ORG }), '?reveal=idNumber');
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain(idNumber);
  });

  it('the stored volunteer holds the identity number only sealed (local key), and keys hold neither number', async () => {
    const db = dynamo();
    const { Item } = await db.send(new GetCommand({ TableName: tableName(), Key: keys.volunteer(volunteerId) }));
    expect(Item).toBeDefined();
    expect(Item!.idNumber).toBeUndefined();
    expect(JSON.stringify(Item)).not.toContain(idNumber);
    expect(Item!.phone).toBe(phone);
    const envelope = { ciphertext: Item!.idNumberCiphertext, key: Item!.idNumberKey, iv: Item!.idNumberIv, tag: Item!.idNumberTag };
    const local = localKeyProvider(Buffer.from(rt.env.PII_LOCAL_KEY!, 'base64'));
    expect(await open(envelope, { field: 'volunteer.idNumber', volunteerId }, local)).toBe(idNumber);

    // Uniqueness items are keyed by HMACs under the runtime's hash key; the plain numbers key nothing.
    const byPhone = await db.send(new GetCommand({ TableName: tableName(), Key: keys.uniquePhone(hmacHex(rt.env.PII_HASH_KEY!, 'phone', phone)) }));
    expect(byPhone.Item?.volunteerId).toBe(volunteerId);
    const byId = await db.send(new GetCommand({ TableName: tableName(), Key: keys.uniqueIdNumber(hmacHex(rt.env.PII_HASH_KEY!, 'idNumber', idNumber)) }));
    expect(byId.Item?.volunteerId).toBe(volunteerId);
    for (const key of [keys.uniquePhone(phone), keys.uniqueIdNumber(idNumber)]) {
      const plain = await db.send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': key.pk } }));
      expect(plain.Items ?? []).toHaveLength(0);
    }
  });

  it('a body over 64 KiB is a 413 problem from the route (the gateway takes up to 1 MiB)', async () => {
    const admin = await tokenFor('district_admin', { scope: 'futian' });
    const res = await api('/v1/volunteers', { token: admin, body: { name: 'x'.repeat(100_000), phone: uniquePhone(), idNumber: uniqueResidentId(), orgUnitId: ORG } });
    expect(res.status).toBe(413);
    expect(res.contentType).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 413, detail: 'The request body exceeds the 64 KiB limit' });
  });
});
