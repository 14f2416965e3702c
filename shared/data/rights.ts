/**
 * Data-subject rights (PIPL): correction and deletion requests, applying an accepted correction,
 * erasing a volunteer's personal data, and reading everything held about a person for their
 * export. Rules (what may be corrected, what erasure keeps) are in shared/domain/rights.ts.
 *
 * Items (docs/data-model.md): a request `RIGHTS#<id>`/`REQUEST`, listed at or under its node by
 * status through the by-level indexes (`CORRECTION#<node>` / `DELETION#<node>`, sort key
 * `<status>#<createdAt>#<id>`), and per volunteer on gsi2 (`VOL#<id>#RIGHTS`). A deletion guard
 * `VOL#<id>`/`DELETION` keeps one deletion request open per volunteer.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import { keyedHash } from '../crypto/keyed-hash.js';
import type { Principal } from '../domain/access.js';
import {
  DELETED_VOLUNTEER_NAME,
  correctionAuditValues,
  type CorrectableField,
  type RequestStatus,
} from '../domain/rights.js';
import { Failure, conflict, notFound } from '../errors.js';
import { recordAudit } from './audit.js';
import { withdrawConsent, type ConsentRecord } from './consents.js';
import { finishCorrection } from './name-propagation.js';
import { withdrawFromUpcoming } from './enrollments.js';
import { cancelPendingForVolunteer } from './notifications.js';
import { db, failedConditionIndex, isConditionFailure, isTransactionConflict, retryOnConflict, table } from './client.js';
import { keys, levelQuery, withoutKeys, type Key } from './keys.js';
import { queryAll, queryPage, type Page } from './query.js';

export type RequestKind = 'correction' | 'deletion';

export interface RightsRequest {
  id: string;
  kind: RequestKind;
  volunteerId: string;
  /** The login account the request came from (absent on dev tokens). */
  accountId?: string;
  /** The volunteer's node: admins over it decide. */
  orgUnitId: string;
  field?: CorrectableField;
  proposedValue?: unknown;
  reason?: string;
  status: RequestStatus;
  createdAt: string;
  requestedBy: string;
  decidedAt?: string;
  decidedBy?: string;
  note?: string;
  /** Deletion: when the erasure finished (it runs in steps and can be resumed). */
  erasedAt?: string;
  /** Name correction: when the new name reached its copies (hour records, tallies; resumable). */
  propagatedAt?: string;
}

export const RIGHTS_REQUEST = { zh: '申请', en: 'Request' };

const busy = () => conflict({ zh: '记录正被修改，请重试', en: 'The record changed meanwhile; retry' });
const alreadyDecided = (status: string) => conflict({ zh: `该申请已处理（${status}）`, en: `The request is already ${status}` });
const erased = () => conflict({ zh: '该志愿者的个人信息已删除', en: "The volunteer's personal data has been deleted" });

const requestItem = (r: RightsRequest) => ({
  ...keys.rightsRequest(r.id),
  ...keys.rightsRequestLevels(r.kind, r.orgUnitId, r.status, r.createdAt, r.id),
  ...keys.volunteerRightsIndex(r.volunteerId, r.createdAt, r.id),
  type: 'RightsRequest',
  ...r,
});

/**
 * The volunteer must exist and be neither erased nor being erased: a request filed after the
 * erasure's mark would keep the value and reason that step 5 strips from the others.
 */
const volunteerLive = (volunteerId: string) => ({
  ConditionCheck: {
    TableName: table(),
    Key: keys.volunteer(volunteerId),
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erasedAt) AND attribute_not_exists(erasing)',
  },
});

export const createCorrectionRequest = async (input: {
  volunteerId: string;
  orgUnitId: string;
  accountId?: string;
  field: CorrectableField;
  proposedValue: unknown;
  reason: string;
  requestedBy: string;
}): Promise<RightsRequest> => {
  const request: RightsRequest = { id: ulid(), kind: 'correction', status: 'pending', createdAt: new Date().toISOString(), ...input };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [volunteerLive(input.volunteerId), { Put: { TableName: table(), Item: requestItem(request), ConditionExpression: 'attribute_not_exists(pk)' } }],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 0) throw erased();
    throw error;
  }
  return request;
};

export const createDeletionRequest = async (input: { volunteerId: string; orgUnitId: string; accountId?: string; reason?: string; requestedBy: string }) => {
  const request: RightsRequest = { id: ulid(), kind: 'deletion', status: 'pending', createdAt: new Date().toISOString(), ...input };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          volunteerLive(input.volunteerId),
          {
            Put: {
              TableName: table(),
              Item: { ...keys.deletionGuard(input.volunteerId), type: 'DeletionGuard', requestId: request.id, createdAt: request.createdAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: table(), Item: requestItem(request), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw erased();
    if (failed === 1) throw conflict({ zh: '已有待处理的删除申请', en: 'A deletion request is already open' });
    throw error;
  }
  return request;
};

export const findRequest = async (id: string): Promise<RightsRequest | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.rightsRequest(id), ConsistentRead: true }));
  return out.Item ? (withoutKeys(out.Item) as unknown as RightsRequest) : undefined;
};

export const getRequest = async (id: string, kind: RequestKind) => {
  const request = await findRequest(id);
  if (!request || request.kind !== kind) throw notFound(RIGHTS_REQUEST);
  return request;
};

/** Requests of one kind at or under a node, oldest first; `status` narrows to one status. */
export const listRequestsUnder = async (q: { kind: RequestKind; orgUnitId: string; status?: RequestStatus; limit: number; cursor?: string }) => {
  const where = levelQuery(q.kind === 'correction' ? 'CORRECTION' : 'DELETION', q.orgUnitId);
  const page = await queryPage<Record<string, unknown>>({
    index: where.index,
    pkName: where.pkName,
    pk: where.pk,
    ...(q.status ? { sortKey: { name: where.skName, expression: 'begins_with(#sk, :status)', values: { ':status': `${q.status}#` } } } : {}),
    limit: q.limit,
    cursor: q.cursor,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as RightsRequest) };
};

/** The request's move from pending to its decision, with its list keys re-sorted under the new status. */
const decisionUpdate = (request: RightsRequest, status: 'accepted' | 'rejected', actor: Principal, note: string | undefined, now: string) => {
  const levels = keys.rightsRequestLevels(request.kind, request.orgUnitId, status, request.createdAt, request.id);
  const names = Object.keys(levels);
  return {
    Update: {
      TableName: table(),
      Key: keys.rightsRequest(request.id),
      UpdateExpression: `SET #status = :to, decidedAt = :now, decidedBy = :by${note ? ', note = :note' : ''}, ${names.map((n, i) => `#l${i} = :l${i}`).join(', ')}`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((n, i) => [`#l${i}`, n])) },
      ExpressionAttributeValues: {
        ':to': status,
        ':pending': 'pending',
        ':now': now,
        ':by': actor.accountId ?? actor.subject,
        ...(note ? { ':note': note } : {}),
        ...Object.fromEntries(names.map((n, i) => [`:l${i}`, levels[n]])),
      },
    },
  };
};

const decided = (request: RightsRequest, status: 'accepted' | 'rejected', actor: Principal, note: string | undefined, now: string): RightsRequest => ({
  ...request,
  status,
  decidedAt: now,
  decidedBy: actor.accountId ?? actor.subject,
  ...(note ? { note } : {}),
});

/** Rejects a pending request (either kind); audited in the same transaction. */
export const rejectRequest = async (request: RightsRequest, actor: Principal, note?: string) => {
  const now = new Date().toISOString();
  const items: Record<string, unknown>[] = [
    decisionUpdate(request, 'rejected', actor, note, now),
    recordAudit({
      actor,
      action: `${request.kind}.reject`,
      target: { type: 'rightsRequest', id: request.id },
      before: { status: request.status },
      after: { status: 'rejected', ...(note ? { note } : {}) },
      orgUnitId: request.orgUnitId,
      about: { type: 'volunteer', id: request.volunteerId },
    }),
  ];
  // A rejected deletion request no longer blocks a new one.
  if (request.kind === 'deletion') {
    items.push({
      Delete: {
        TableName: table(),
        Key: keys.deletionGuard(request.volunteerId),
        ConditionExpression: 'attribute_not_exists(pk) OR requestId = :id',
        ExpressionAttributeValues: { ':id': request.id },
      },
    });
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    if (failedConditionIndex(error) === 0) throw alreadyDecided('decided');
    if (isTransactionConflict(error)) throw busy();
    throw error;
  }
  return decided(request, 'rejected', actor, note, now);
};

const volunteerRaw = async (volunteerId: string) => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.volunteer(volunteerId), ConsistentRead: true }));
  return out.Item;
};

/**
 * Applies an accepted correction to the volunteer in one transaction with the request's decision
 * and its audit entry (before and after masked). A phone change moves the keyed-hash uniqueness
 * item, and the phone login item of an account that logs in with the old phone. A name change
 * then reaches the name's copies (shared/data/name-propagation.ts); accepting again an accepted
 * request whose propagation did not finish resumes it, a finished one is returned as it is.
 */
export const acceptCorrection = async (request: RightsRequest, actor: Principal, note?: string) => {
  if (request.status === 'accepted') return finishCorrection(request);
  if (request.status !== 'pending') throw alreadyDecided(request.status);
  // Erasure removes the proposed values of the person's requests.
  if (request.proposedValue === undefined) throw erased();
  const field = request.field!;
  const value = request.proposedValue;
  const item = await volunteerRaw(request.volunteerId);
  if (!item) throw notFound({ zh: '志愿者', en: 'Volunteer' });
  if (item.erasedAt || item.erasing) throw erased();
  const before = item[field];
  const now = new Date().toISOString();
  const audit = correctionAuditValues(field, before, value);
  const items: Record<string, unknown>[] = [
    decisionUpdate(request, 'accepted', actor, note, now),
    recordAudit({
      actor,
      action: 'correction.accept',
      target: { type: 'volunteer', id: request.volunteerId },
      before: audit.before,
      after: audit.after,
      orgUnitId: request.orgUnitId,
    }),
  ];
  const volunteerUpdate = (condition: string, values: Record<string, unknown> = {}) => ({
    Update: {
      TableName: table(),
      Key: keys.volunteer(request.volunteerId),
      UpdateExpression: 'SET #field = :value, updatedAt = :now',
      // Not once erasure has begun: it has read the phone whose uniqueness items it deletes.
      ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(erasedAt) AND attribute_not_exists(erasing)${condition}`,
      ExpressionAttributeNames: { '#field': field },
      ExpressionAttributeValues: { ':value': value, ':now': now, ...values },
    },
  });
  if (field !== 'phone' || before === value) {
    items.push(volunteerUpdate(''));
  } else {
    const oldPhone = String(before);
    const newPhone = String(value);
    const [oldHash, newHash] = await Promise.all([keyedHash('phone', oldPhone), keyedHash('phone', newPhone)]);
    items.push(
      volunteerUpdate(' AND phone = :old', { ':old': oldPhone }),
      {
        Put: {
          TableName: table(),
          Item: { ...keys.uniquePhone(newHash), type: 'Unique', volunteerId: request.volunteerId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Delete: {
          TableName: table(),
          Key: keys.uniquePhone(oldHash),
          ConditionExpression: 'attribute_not_exists(pk) OR volunteerId = :vid',
          ExpressionAttributeValues: { ':vid': request.volunteerId },
        },
      },
    );
    // The account that logs in with the old phone follows it (its login item and its phone).
    const login = await db.send(new GetCommand({ TableName: table(), Key: keys.phoneLogin(oldHash), ConsistentRead: true }));
    const accountId = login?.Item?.accountId as string | undefined;
    if (accountId) {
      items.push(
        {
          Delete: {
            TableName: table(),
            Key: keys.phoneLogin(oldHash),
            ConditionExpression: 'accountId = :acc',
            ExpressionAttributeValues: { ':acc': accountId },
          },
        },
        {
          Put: {
            TableName: table(),
            Item: { ...keys.phoneLogin(newHash), type: 'Login', via: 'phone', accountId, createdAt: now },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: table(),
            Key: keys.account(accountId),
            UpdateExpression: 'SET phone = :new',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':new': newPhone },
          },
        },
      );
    }
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw alreadyDecided('decided');
    if (failed === 2) {
      const now = await volunteerRaw(request.volunteerId);
      throw now?.erasedAt || now?.erasing ? erased() : busy();
    }
    if (failed === 3) throw conflict({ zh: '该手机号已被其他志愿者使用', en: 'Another volunteer is registered with this phone' });
    if (failed === 6) throw conflict({ zh: '该手机号已被其他账号使用', en: 'Another account logs in with this phone' });
    if (failed >= 0 || isTransactionConflict(error)) throw busy();
    throw error;
  }
  return finishCorrection(decided(request, 'accepted', actor, note, now));
};

// ── Reading everything about a person ────────────────────────────────────────────────────────

/** The most items of one kind an export holds; beyond it the section says `truncated`. */
export const EXPORT_SECTION_LIMIT = 2000;

export interface Section<T> {
  items: T[];
  truncated: boolean;
}

/** Reads page after page (100 at a time) up to `limit` items. */
export const collect = async <T>(page: (cursor: string | undefined) => Promise<Page<T>>, limit = EXPORT_SECTION_LIMIT): Promise<Section<T>> => {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const out = await page(cursor);
    items.push(...out.items);
    cursor = out.nextCursor ?? undefined;
  } while (cursor && items.length < limit);
  return { items: items.slice(0, limit), truncated: !!cursor || items.length > limit };
};

const indexPage = (index: 'gsi1' | 'gsi2', pk: string) => (cursor: string | undefined) =>
  queryPage<Record<string, unknown>>({ index, pkName: `${index}pk`, pk, limit: 100, cursor }).then((p) => ({ ...p, items: p.items.map((i) => withoutKeys(i)) }));

const partitionPage = (pk: string) => (cursor: string | undefined) =>
  queryPage<Record<string, unknown>>({ pkName: 'pk', pk, limit: 100, cursor }).then((p) => ({ ...p, items: p.items.map((i) => withoutKeys(i)) }));

export const personReads = {
  sessions: (accountId: string) => collect(indexPage('gsi2', keys.accountSessionsPk(accountId))),
  memberships: (volunteerId: string) => collect(indexPage('gsi1', keys.volunteerTeamsPk(volunteerId))),
  activities: (volunteerId: string) => collect(indexPage('gsi2', keys.volunteerActivitiesPk(volunteerId))),
  hourRecords: (volunteerId: string) => collect(indexPage('gsi1', keys.volunteerHoursPk(volunteerId))),
  tallies: (volunteerId: string) => collect(partitionPage(keys.volunteerTally(volunteerId, 'ALL').pk)),
  notifications: (volunteerId: string) => collect(indexPage('gsi2', keys.volunteerNotificationsPk(volunteerId))),
  requests: (volunteerId: string) => collect(indexPage('gsi2', keys.volunteerRightsPk(volunteerId))),
  auditAbout: (type: 'volunteer' | 'account', id: string) => collect(indexPage('gsi2', keys.auditAboutPk(type, id))),
  consents: (volunteerId: string) => collect(indexPage('gsi2', keys.consentHistoryPk('volunteer', volunteerId))),
};

// ── Erasure ──────────────────────────────────────────────────────────────────────────────────

/** At most this many items per transaction (DynamoDB's limit is 100). */
const BATCH = 100;

const inBatches = async (items: Record<string, unknown>[], size = BATCH) => {
  for (let i = 0; i < items.length; i += size) {
    const batch = items.slice(i, i + size);
    // A record or tally being written by a consumer at that moment cancels the whole batch: again.
    await retryOnConflict(() => db.send(new TransactWriteCommand({ TransactItems: batch as never })));
  }
};

/** Every key of a gsi partition (all pages), for steps that touch each item. */
const allOf = queryAll;

const keyOf = (item: Record<string, unknown>): Key => ({ pk: String(item.pk), sk: String(item.sk) });

/** The erasure function's timeout (shared/functions.ts) and a margin: a lease held longer was abandoned. */
const ERASURE_LEASE_MS = 90_000;

/**
 * Takes the request's erasure lease, or answers 409 while another accept is erasing (a repeat
 * after it finishes answers 200). A run that died leaves a lease that lapses after 90 s.
 */
/** Gives the lease up (the run failed), so that a retry need not wait for it to lapse. */
const releaseErasure = (requestId: string) =>
  db.send(new UpdateCommand({ TableName: table(), Key: keys.rightsRequest(requestId), UpdateExpression: 'REMOVE erasingUntil', ConditionExpression: 'attribute_exists(pk)' }));

const claimErasure = async (requestId: string, now: string) => {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.rightsRequest(requestId),
        UpdateExpression: 'SET erasingUntil = :until',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(erasingUntil) OR erasingUntil < :now)',
        ExpressionAttributeValues: { ':until': new Date(Date.parse(now) + ERASURE_LEASE_MS).toISOString(), ':now': now },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw conflict({ zh: '删除正在进行中，请稍后查看', en: 'The erasure is under way; look again shortly' });
    throw error;
  }
};

/**
 * The erasure's steps, for an accepted request whose lease this run holds. Each step is
 * conditional or naturally idempotent, and retried when another transaction holds its items.
 */
const eraseVolunteer = async (
  request: RightsRequest,
  actor: Principal,
  openIdNumber: (item: Record<string, unknown>) => Promise<string | undefined>,
  now: string,
) => {
  const volunteerId = request.volunteerId;
  let item = await volunteerRaw(volunteerId);
  if (!item) throw notFound({ zh: '志愿者', en: 'Volunteer' });
  if (item.erasedAt) return;

  // 0. From here on nothing new is recorded for the volunteer (shared/data/participation.ts):
  //    a place, hour record or consent written after this mark fails, so the steps below see
  //    everything there is to remove.
  const marked = await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.volunteer(volunteerId),
      UpdateExpression: 'SET erasing = :request',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erasedAt)',
      ExpressionAttributeValues: { ':request': request.id },
      // The volunteer as of the mark: a correction (of the phone, say) cannot commit after it.
      ReturnValues: 'ALL_NEW',
    }),
  );
  item = marked?.Attributes ?? item;
  const phone = typeof item.phone === 'string' ? item.phone : undefined;
  const phoneHash = phone ? await keyedHash('phone', phone) : undefined;

  // 1. The login account(s): the one the request came from and the one that logs in with the phone.
  const accountIds = new Set<string>(request.accountId ? [request.accountId] : []);
  if (phoneHash) {
    const login = await db.send(new GetCommand({ TableName: table(), Key: keys.phoneLogin(phoneHash), ConsistentRead: true }));
    if (login?.Item?.accountId) accountIds.add(String(login.Item.accountId));
  }
  for (const accountId of accountIds) await eraseAccount(accountId, volunteerId);

  // 2. Hour records keep volunteerId and minutes; the denormalised name goes.
  const hours = await allOf('gsi1', keys.volunteerHoursPk(volunteerId));
  await inBatches(
    hours.map((h) => ({
      Update: { TableName: table(), Key: keyOf(h), UpdateExpression: 'REMOVE volunteerName', ConditionExpression: 'attribute_exists(pk)' },
    })),
  );
  // 3. Tallies stay for statistics; rankings show the pseudonym.
  const tallies = await allOf(undefined, keys.volunteerTally(volunteerId, 'ALL').pk);
  await inBatches(
    tallies.map((t) => ({
      Update: {
        TableName: table(),
        Key: keyOf(t),
        UpdateExpression: 'SET #name = :pseudonym',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':pseudonym': DELETED_VOLUNTEER_NAME },
      },
    })),
  );
  // 4. Team memberships end (each with its team's member count).
  for (const m of await allOf('gsi1', keys.volunteerTeamsPk(volunteerId))) {
    try {
      await retryOnConflict(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: table(), Key: keyOf(m), ConditionExpression: 'attribute_exists(pk)' } },
              {
                Update: {
                  TableName: table(),
                  Key: keys.team(String(m.teamId)),
                  UpdateExpression: 'ADD memberCount :minus',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':minus': -1 },
                },
              },
            ],
          }),
        ),
      );
    } catch (error) {
      if (failedConditionIndex(error) < 0) throw error; // already gone: nothing to undo
    }
  }
  // 5. The person's own requests keep their decisions, not the values they proposed.
  const requests = await allOf('gsi2', keys.volunteerRightsPk(volunteerId));
  await inBatches(
    requests.map((r) => ({
      Update: { TableName: table(), Key: keyOf(r), UpdateExpression: 'REMOVE proposedValue, reason', ConditionExpression: 'attribute_exists(pk)' },
    })),
  );
  // 6. Consents in force are closed (withdrawn, each audited by the consent module).
  // Read once: the mark (step 0) stops new consents, and withdrawing changes no key or guardian.
  const consents = await allOf('gsi2', keys.consentHistoryPk('volunteer', volunteerId));
  for (const c of consents) {
    const record = withoutKeys(c) as unknown as ConsentRecord;
    if (record.withdrawnAt || record.supersededAt) continue;
    try {
      await withdrawConsent(record, actor);
    } catch (error) {
      // Withdrawn or superseded meanwhile: closed either way.
      if (!(error instanceof Failure && error.kind === 'conflict')) throw error;
    }
  }
  //    The records stay as proof of what was consented and when; a guardian's name and phone go.
  await inBatches(
    consents
      .filter((c) => c.guardian !== undefined)
      .map((c) => ({ Update: { TableName: table(), Key: keyOf(c), UpdateExpression: 'REMOVE guardian', ConditionExpression: 'attribute_exists(pk)' } })),
  );
  // 7. Places in activities not started yet are given up (the waitlist fills them, as on a
  //    withdrawal); started or ended ones keep the enrollment, which hour records rest on.
  await withdrawFromUpcoming(volunteerId);
  // 8. Messages not sent yet are cancelled; after step 7, so no new reminder can follow.
  await cancelPendingForVolunteer(volunteerId, 'erasure');
  // 9. Last: the volunteer item and its uniqueness items, in one transaction.
  const idNumber = await openIdNumber(item);
  const idHash = idNumber ? await keyedHash('idNumber', idNumber) : undefined;
  const uniqueDelete = (key: Key) => ({
    Delete: {
      TableName: table(),
      Key: key,
      ConditionExpression: 'attribute_not_exists(pk) OR volunteerId = :vid',
      ExpressionAttributeValues: { ':vid': volunteerId },
    },
  });
  const finalStep = new TransactWriteCommand({
    TransactItems: [
      {
        Update: {
          TableName: table(),
          Key: keys.volunteer(volunteerId),
          UpdateExpression:
            'SET #name = :pseudonym, skills = :none, erasedAt = :now ' +
            'REMOVE phone, idNumber, idNumberCiphertext, idNumberKey, idNumberIv, idNumberTag, idNumberMasked, veteran, guardian, guardianConsentUntil, erasing',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erasedAt)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':pseudonym': DELETED_VOLUNTEER_NAME, ':none': [], ':now': now },
        },
      },
      ...(phoneHash ? [uniqueDelete(keys.uniquePhone(phoneHash))] : []),
      ...(idHash ? [uniqueDelete(keys.uniqueIdNumber(idHash))] : []),
    ] as never,
  });
  await retryOnConflict(() => db.send(finalStep)).catch(async (error) => {
    // Finished by a run whose lease had lapsed: done either way.
    if (failedConditionIndex(error) === 0 && (await volunteerRaw(volunteerId))?.erasedAt) return;
    throw error;
  });
};

/**
 * Accepts a deletion request and erases the volunteer's personal data. The decision and its
 * audit entry commit first; then each step is conditional or naturally idempotent and runs in
 * transactions of at most 100 items, and the volunteer item is stripped last (its phone and
 * identity number are what find the uniqueness and login items). Calling it again for an
 * accepted request whose erasure did not finish resumes it; a finished one is left alone.
 */
export const acceptDeletion = async (
  request: RightsRequest,
  actor: Principal,
  note: string | undefined,
  openIdNumber: (item: Record<string, unknown>) => Promise<string | undefined>,
) => {
  const now = new Date().toISOString();
  let current = request;
  if (request.status === 'pending') {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            decisionUpdate(request, 'accepted', actor, note, now),
            recordAudit({
              actor,
              action: 'deletion.accept',
              target: { type: 'volunteer', id: request.volunteerId },
              before: { status: 'pending' },
              after: { status: 'accepted', erased: ['name', 'phone', 'idNumber', 'veteran', 'skills', 'account', 'sessions', 'memberships', 'upcomingEnrollments', 'pendingNotifications'] },
              orgUnitId: request.orgUnitId,
            }),
          ] as never,
        }),
      );
    } catch (error) {
      if (failedConditionIndex(error) !== 0) throw isTransactionConflict(error) ? busy() : error;
      // Decided meanwhile: by another accept (this one then carries on, as a repeat would) or not.
      const fresh = await findRequest(request.id);
      if (fresh?.status !== 'accepted') throw alreadyDecided(fresh?.status ?? 'decided');
      current = fresh;
    }
    if (current.status === 'pending') current = decided(request, 'accepted', actor, note, now);
  } else if (request.status !== 'accepted') {
    throw alreadyDecided(request.status);
  }
  if (current.erasedAt) return current;
  // One erasure at a time per request: two accepts at once would race each other's steps.
  await claimErasure(request.id, now);

  try {
    await eraseVolunteer(request, actor, openIdNumber, now);
  } catch (error) {
    // A retry may start at once instead of waiting out the lease; every step resumes where it stopped.
    await releaseErasure(request.id).catch(() => undefined);
    throw error;
  }
  const finished = await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.rightsRequest(request.id),
      UpdateExpression: 'SET erasedAt = if_not_exists(erasedAt, :now) REMOVE erasingUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': now },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  // Step 5 removed the request's own reason too; an earlier run may have finished first.
  const { reason: _reason, proposedValue: _value, ...kept } = current;
  return { ...kept, erasedAt: (finished?.Attributes?.erasedAt as string | undefined) ?? current.erasedAt ?? now };
};

/** Deletes an account with its grants and login items, and revokes its sessions. Idempotent. */
const eraseAccount = async (accountId: string, volunteerId: string) => {
  const partition = await allOf(undefined, keys.accountPk(accountId));
  const account = partition.find((i) => i.sk === keys.account(accountId).sk);
  // Only the volunteer's own account (or one not linked to anyone else).
  if (account?.volunteerId && account.volunteerId !== volunteerId) return;
  const now = new Date().toISOString();
  const sessions = await allOf('gsi2', keys.accountSessionsPk(accountId));
  await inBatches(
    sessions
      .filter((s) => s.revoked !== true)
      .map((s) => ({
        Update: {
          TableName: table(),
          Key: keyOf(s),
          UpdateExpression: 'SET revoked = :true, revokedAt = :now, revokedReason = :reason',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true, ':now': now, ':reason': 'erasure' },
        },
      })),
  );
  const logins: Key[] = [];
  if (typeof account?.phone === 'string') logins.push(keys.phoneLogin(await keyedHash('phone', account.phone)));
  if (typeof account?.wechatOpenid === 'string') logins.push(keys.wechatLogin(account.wechatOpenid));
  const deletes = [
    ...logins.map((key) => ({
      Delete: {
        TableName: table(),
        Key: key,
        ConditionExpression: 'attribute_not_exists(pk) OR accountId = :acc',
        ExpressionAttributeValues: { ':acc': accountId },
      },
    })),
    ...partition.map((i) => ({ Delete: { TableName: table(), Key: keyOf(i) } })),
  ];
  try {
    await inBatches(deletes);
  } catch (error) {
    if (!isConditionFailure(error) && failedConditionIndex(error) < 0) throw error;
  }
};
