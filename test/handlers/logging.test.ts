/**
 * No full identity number or phone in any log line. The logger's real output (what Powertools
 * writes to stdout/stderr) is captured while handlers run through registration with a duplicate,
 * a DynamoDB error that quotes the numbers, a validation failure, a reveal, and direct logging.
 */
import { TransactWriteCommand, UpdateCommand, BatchGetCommand } from '../../shared/aws/dynamodb.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TABLE_NAME, VALID_ID_NUMBER, VALID_PHONE, cancelled, ddb, httpEvent, invokeHttp, resetMocks, tokenFor } from './helpers.js';
import type { Principal } from '../../shared/domain/access.js';
import { errorSummary, logger } from '../../shared/log.js';
import { handler as createVolunteer } from '../../functions/http/volunteers/create.js';
import { handler as getVolunteer } from '../../functions/http/volunteers/get.js';

/** An 18-character resident ID or an 11-digit mainland mobile, anywhere in the text. */
const FULL_ID = /(?<!\d)\d{17}[\dXx](?!\d)/;
const FULL_PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

let lines: string[] = [];
const capture = (chunk: unknown) => {
  lines.push(...String(chunk).split('\n').filter(Boolean));
  return true;
};

beforeAll(() => logger.setLogLevel('DEBUG'));
afterAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  resetMocks();
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const expectNoPersonalNumbers = () => {
  for (const line of lines) {
    expect(line, line).not.toMatch(FULL_ID);
    expect(line, line).not.toMatch(FULL_PHONE);
    expect(line).not.toContain(VALID_ID_NUMBER);
    expect(line).not.toContain(VALID_PHONE);
  }
};

const admin: Principal = { subject: 'admin-futian', role: 'district_admin', scope: 'futian' };
const body = { name: '张建国', phone: VALID_PHONE, idNumber: VALID_ID_NUMBER, orgUnitId: 'futian.yuanling', skills: [] };
const register = async (payload: unknown = body) =>
  invokeHttp(createVolunteer, httpEvent({ method: 'POST', path: '/v1/volunteers', body: payload, token: await tokenFor(admin) }));

describe('no full identity number or phone reaches a log line', () => {
  it('a duplicate registration (409)', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed', 'None'));
    expect((await register()).statusCode).toBe(409);
    expectNoPersonalNumbers();
  });

  it('a DynamoDB error quoting both numbers and carrying the item (500): logged, masked, without the item', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
    const error = Object.assign(
      new Error(`One or more parameter values were invalid: phone ${VALID_PHONE} (+86 138-1234-1234), idNumber ${VALID_ID_NUMBER}, in ${JSON.stringify(body)}`),
      { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'req-1' }, Item: body, input: { body: JSON.stringify(body) } },
    );
    ddb.on(TransactWriteCommand).rejects(error);
    const res = await register();
    expect(res.statusCode).toBe(500);
    expect(res.raw).not.toContain(VALID_PHONE);

    const logged = lines.map((line) => JSON.parse(line) as Record<string, any>);
    const unhandled = logged.find((l) => l.message === 'unhandled error');
    expect(unhandled, 'the error is logged').toBeDefined();
    expect(unhandled!.level).toBe('ERROR');
    expect(unhandled!.error).toMatchObject({ name: 'ValidationException', fault: 'client', httpStatusCode: 400, awsRequestId: 'req-1' });
    // The numbers are masked where they stood; the extra fields (the item, the request) are not copied.
    expect(unhandled!.error.message).toContain('138****1234');
    expect(unhandled!.error.message).toContain('110***********002X');
    expect(unhandled!.error.Item).toBeUndefined();
    expect(unhandled!.error.input).toBeUndefined();
    expect(unhandled!.error.message.length).toBeLessThanOrEqual(301);
    expectNoPersonalNumbers();
  });

  it('a validation failure (400)', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
    const res = await register({ ...body, idNumber: '110105194912310029', phone: '1381234123' });
    expect(res.statusCode).toBe(400);
    expectNoPersonalNumbers();
    expect(res.raw).not.toContain('110105194912310029');
  });

  it('a reveal is logged as an access event: who, whose, which field — not the number', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
    ddb.on(TransactWriteCommand).resolves({});
    const created = await register();
    const item = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems![3].Put!.Item!;
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [item] } });
    const id = created.body.id as string;
    const res = await invokeHttp(
      getVolunteer,
      httpEvent({
        method: 'GET',
        path: `/v1/volunteers/${id}`,
        routeKey: 'GET /v1/volunteers/{id}',
        pathParameters: { id },
        query: { reveal: 'idNumber' },
        token: await tokenFor(admin),
      }),
    );
    expect(res.body.idNumber).toBe(VALID_ID_NUMBER);
    const events = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((l) => l.accessEvent === 'pii-reveal');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'INFO', field: 'idNumber', volunteerId: id, subject: 'admin-futian', role: 'district_admin', scope: 'futian' });
    expectNoPersonalNumbers();
  });

  it('anything logged directly is redacted: message, nested attributes, keys, numbers, errors and causes', () => {
    const cause = new Error(`upstream said ${VALID_ID_NUMBER}`);
    logger.info(`calling ${VALID_PHONE}`, {
      nested: { deeper: [{ phone: VALID_PHONE, id: VALID_ID_NUMBER.toLowerCase() }] },
      [VALID_PHONE]: 'as a key',
      asNumber: Number(VALID_PHONE),
      withPrefix: '+8613812341234',
      spaced: '138 1234 1234',
    });
    logger.error('failed', new Error(`for ${VALID_PHONE}`, { cause }));
    logger.warn('summary', { error: errorSummary(new Error(`again ${VALID_ID_NUMBER}`, { cause })) });
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toContain('138****1234');
    expect(lines.join('\n')).toContain('110***********002x');
    expect(lines.join('\n')).not.toMatch(/138\s?1234\s?1234/);
    expectNoPersonalNumbers();
  });

  it('ids and counts are not mistaken for personal numbers', () => {
    logger.info('registered', { volunteerId: '01JB2X3Y4Z5A6B7C8D9E0F1G2H', volunteerNumber: 'SZV00000042', minutes: 18_000, at: '2024-05-01T09:30:00.000Z' });
    const [line] = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(line).toMatchObject({ volunteerId: '01JB2X3Y4Z5A6B7C8D9E0F1G2H', volunteerNumber: 'SZV00000042', minutes: 18_000, at: '2024-05-01T09:30:00.000Z' });
  });
});
