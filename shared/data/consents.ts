/**
 * Consent records (shared/domain/consent.ts for the rules).
 *
 * Two kinds of item:
 * - the **state** of one (person, purpose): `CONSENTSTATE#VOL|BEN#<id>` / `<purpose>`, with
 *   `granted`, the current record's id and policy version, and a `version` bumped by every change.
 *   Every check ("may we show this name?", "may we keep these details?") is one GetItem on it.
 * - the **record** of each consent as given: `CONSENT#<id>` / `CONSENT`, never deleted; a
 *   withdrawal stamps `withdrawnAt`, a newer consent for the same purpose stamps `supersededAt`.
 *   Listed per person, newest first, on gsi2 (`VOL|BEN#<id>#CONSENTS`).
 *
 * Every change writes the state, the record and an audit entry in one transaction, conditional on
 * the state version read, so two concurrent changes cannot both commit. What a consent governs
 * changes in the same transaction too:
 * - `public-name` (volunteers): the `namePublic` flag on each of the volunteer's tally items,
 *   which the rankings read (shared/data/tallies.ts). The transaction is conditional on the
 *   lifetime tally's `recordCount` as read, and the tally consumer's transaction is conditional
 *   on the consent state's `version` as read, so neither can leave a stale flag behind.
 * - `sensitive-details` (beneficiaries): withdrawing it erases the sealed details from the
 *   beneficiary item (shared/data/beneficiaries.ts).
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import type { Principal } from '../domain/access.js';
import type { ConsentPurpose, ConsentSubjectType, Guardian, RecordedBy } from '../domain/consent.js';
import { maskPhone } from '../domain/identity.js';
import { conflict, notFound, type Message } from '../errors.js';
import { recordAudit } from './audit.js';
import { Busy, db, failedConditionIndex, isTransactionConflict, retryOnConflict, table } from './client.js';
import { volunteerTakesPart, whyNotTakingPart } from './participation.js';
import { keys, withoutKeys, type Key } from './keys.js';
import { queryPage } from './query.js';

export const CONSENT: Message = { zh: '同意记录', en: 'Consent' };
const SUBJECT: Record<ConsentSubjectType, Message> = {
  volunteer: { zh: '志愿者', en: 'Volunteer' },
  beneficiary: { zh: '服务对象', en: 'Beneficiary' },
};

export interface ConsentRecord {
  id: string;
  subjectType: ConsentSubjectType;
  subjectId: string;
  /** The person's org node (authorization and the audit trail). */
  orgUnitId: string;
  purpose: ConsentPurpose;
  policyVersion: string;
  grantedAt: string;
  recordedBy: RecordedBy;
  /** The guardian who consented for a child under 14 (or for someone who cannot consent alone). */
  guardian?: Guardian;
  withdrawnAt?: string;
  withdrawnBy?: { subject: string; role: string; accountId?: string };
  supersededAt?: string;
  supersededBy?: string;
}

export type ConsentStatus = 'granted' | 'withdrawn' | 'superseded';
export const statusOf = (r: ConsentRecord): ConsentStatus => (r.withdrawnAt ? 'withdrawn' : r.supersededAt ? 'superseded' : 'granted');

export interface ConsentState {
  granted: boolean;
  consentId: string;
  policyVersion: string;
  version: number;
  grantedAt: string;
  withdrawnAt?: string;
}

/** The person a consent is about, as the consent rules need them. */
export interface ConsentSubject {
  type: ConsentSubjectType;
  id: string;
  orgUnitId: string;
  /** Last day a guardian consents for them (under 14), if ever. */
  guardianConsentUntil?: string;
}

const subjectKey = (type: ConsentSubjectType, id: string): Key => (type === 'volunteer' ? keys.volunteer(id) : keys.beneficiary(id));

/** The volunteer or beneficiary, or 404. */
export const getConsentSubject = async (type: ConsentSubjectType, id: string): Promise<ConsentSubject> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: subjectKey(type, id) }));
  if (!out.Item) throw notFound(SUBJECT[type]);
  return { type, id, orgUnitId: out.Item.orgUnitId as string, guardianConsentUntil: out.Item.guardianConsentUntil as string | undefined };
};

const actorOf = (p: Principal) => ({ subject: p.subject, role: p.role, ...(p.accountId ? { accountId: p.accountId } : {}) });

/** What the audit trail keeps of a consent: the guardian's phone only masked. */
const auditViewOf = (r: ConsentRecord) => ({
  ...r,
  ...(r.guardian ? { guardian: { ...r.guardian, phone: maskPhone(r.guardian.phone) } } : {}),
});

const audit = (actor: Principal, action: string, before: ConsentRecord | null, after: ConsentRecord) =>
  recordAudit({
    actor,
    action,
    target: { type: 'consent', id: after.id },
    before: before ? auditViewOf(before) : null,
    after: auditViewOf(after),
    orgUnitId: after.orgUnitId,
    ...(after.subjectType === 'volunteer' ? { about: { type: 'volunteer' as const, id: after.subjectId } } : {}),
  });

const recordPut = (r: ConsentRecord) => ({
  Put: {
    TableName: table(),
    Item: { ...keys.consentRecord(r.id), ...keys.consentHistoryIndex(r.subjectType, r.subjectId, r.grantedAt, r.id), type: 'Consent', ...r },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

const stateItem = (r: ConsentRecord, version: number) => ({
  ...keys.consentState(r.subjectType, r.subjectId, r.purpose),
  type: 'ConsentState',
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  purpose: r.purpose,
  granted: true,
  consentId: r.id,
  policyVersion: r.policyVersion,
  grantedAt: r.grantedAt,
  version,
});

export interface NewConsent {
  purpose: ConsentPurpose;
  policyVersion: string;
  recordedBy: RecordedBy;
  guardian?: Guardian;
}

const newRecord = (subject: Omit<ConsentSubject, 'guardianConsentUntil'>, c: NewConsent, now: Date): ConsentRecord => ({
  id: ulid(now.getTime()),
  subjectType: subject.type,
  subjectId: subject.id,
  orgUnitId: subject.orgUnitId,
  purpose: c.purpose,
  policyVersion: c.policyVersion,
  grantedAt: now.toISOString(),
  recordedBy: c.recordedBy,
  ...(c.guardian ? { guardian: c.guardian } : {}),
});

/**
 * Transaction items that record the consents given when a person is registered (a child's
 * guardian consent, a beneficiary's consent to keep sensitive details): first state, record and
 * audit entry for each purpose. Put them into the registration's transaction.
 */
export const registrationConsentItems = (
  subject: Omit<ConsentSubject, 'guardianConsentUntil'>,
  consents: NewConsent[],
  actor: Principal,
  now = new Date(),
) => {
  const records = consents.map((c) => newRecord(subject, c, now));
  const items = records.flatMap((r) => [
    { Put: { TableName: table(), Item: stateItem(r, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
    recordPut(r),
    audit(actor, 'consent.grant', null, r),
  ]);
  return { records, items };
};

/**
 * Sets `namePublic` on every tally item of a volunteer, conditional on the lifetime tally's
 * `recordCount` as read (every tally transaction adds to it): a tally committed in between
 * (perhaps creating a new year's item) fails the condition and the caller reads again.
 */
const namePublicItems = async (volunteerId: string, namePublic: boolean) => {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.volunteerTallyPk(volunteerId) },
      ConsistentRead: true,
    }),
  );
  const tallies = out.Items ?? [];
  const lifetime = tallies.find((t) => t.sk === 'ALL');
  const set = (key: Key, condition: string, values: Record<string, unknown> = {}) => ({
    Update: {
      TableName: table(),
      Key: key,
      UpdateExpression: 'SET namePublic = :p',
      ConditionExpression: condition,
      ExpressionAttributeValues: { ':p': namePublic, ...values },
    },
  });
  return [
    lifetime
      ? set(keys.volunteerTally(volunteerId, 'ALL'), 'recordCount = :n', { ':n': lifetime.recordCount ?? 0 })
      : { ConditionCheck: { TableName: table(), Key: keys.volunteerTally(volunteerId, 'ALL'), ConditionExpression: 'attribute_not_exists(pk)' } },
    ...tallies.filter((t) => t.sk !== 'ALL').map((t) => set({ pk: t.pk as string, sk: t.sk as string }, 'attribute_exists(pk)')),
  ];
};

/** Sealed sensitive details leave the beneficiary with the consent that allowed them. */
const SENSITIVE_ATTRIBUTES = ['sensitiveCiphertext', 'sensitiveKey', 'sensitiveIv', 'sensitiveTag'];
const eraseSensitive = (beneficiaryId: string, at: string) => ({
  Update: {
    TableName: table(),
    Key: keys.beneficiary(beneficiaryId),
    UpdateExpression: `REMOVE ${SENSITIVE_ATTRIBUTES.join(', ')} SET hasSensitiveDetails = :false, sensitiveErasedAt = :at`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':false': false, ':at': at },
  },
});

/** What a change of this purpose does besides the consent items. */
const effectsOf = async (subjectType: ConsentSubjectType, subjectId: string, purpose: ConsentPurpose, granted: boolean, at: string) => {
  if (purpose === 'public-name' && subjectType === 'volunteer') return namePublicItems(subjectId, granted);
  if (purpose === 'sensitive-details' && subjectType === 'beneficiary' && !granted) return [eraseSensitive(subjectId, at)];
  return [];
};

const readState = async (subjectType: ConsentSubjectType, subjectId: string, purpose: ConsentPurpose) => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.consentState(subjectType, subjectId, purpose), ConsistentRead: true }));
  return out.Item as (ConsentState & Record<string, unknown>) | undefined;
};

/** The current consent of a person for a purpose (one GetItem): does it hold? */
export const consentHolds = async (subjectType: ConsentSubjectType, subjectId: string, purpose: ConsentPurpose) =>
  (await readState(subjectType, subjectId, purpose))?.granted === true;

/** For the tally consumer: whether the volunteer's name may be shown, and the state version read. */
export const publicNameState = async (volunteerId: string) => {
  const state = await readState('volunteer', volunteerId, 'public-name');
  return { namePublic: state?.granted === true, version: state?.version as number | undefined };
};

const ATTEMPTS = 3;

/**
 * Records a consent for a purpose; one that held for the same purpose is superseded by it. The
 * same policy version granted twice is a 409. Retries (reading afresh) when a concurrent change
 * or tally moved what it read.
 */
export const grantConsent = async (subject: ConsentSubject, consent: NewConsent, actor: Principal): Promise<ConsentRecord> => {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = new Date();
    const state = await readState(subject.type, subject.id, consent.purpose);
    if (state?.granted && state.policyVersion === consent.policyVersion) {
      throw conflict({ zh: '该同意已登记且仍有效', en: 'This consent, for this policy version, is already recorded and in force' });
    }
    const record = newRecord(subject, consent, now);
    const previous = state?.granted ? await getConsentRecord(state.consentId) : undefined;
    const items = [
      {
        Put: {
          TableName: table(),
          Item: stateItem(record, (state?.version ?? 0) + 1),
          ConditionExpression: state ? 'version = :seen' : 'attribute_not_exists(pk)',
          ...(state ? { ExpressionAttributeValues: { ':seen': state.version } } : {}),
        },
      },
      subject.type === 'volunteer'
        ? volunteerTakesPart(subject.id)
        : { ConditionCheck: { TableName: table(), Key: subjectKey(subject.type, subject.id), ConditionExpression: 'attribute_exists(pk)' } },
      recordPut(record),
      audit(actor, 'consent.grant', previous ?? null, record),
      ...(previous
        ? [
            {
              Update: {
                TableName: table(),
                Key: keys.consentRecord(previous.id),
                UpdateExpression: 'SET supersededAt = :at, supersededBy = :by',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt) AND attribute_not_exists(supersededAt)',
                ExpressionAttributeValues: { ':at': record.grantedAt, ':by': record.id },
              },
            },
          ]
        : []),
      ...(await effectsOf(subject.type, subject.id, consent.purpose, true, record.grantedAt)),
    ];
    try {
      await retryOnConflict(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      return record;
    } catch (error) {
      const failed = failedConditionIndex(error);
      if (failed === 1) throw whyNotTakingPart(error, 1) ?? notFound(SUBJECT[subject.type]);
      if (failed < 0 && !isTransactionConflict(error)) throw error;
      // The state, the superseded record or a tally moved meanwhile: read again.
    }
  }
  throw new Busy();
};

/** Withdraws a consent that is in force; it stops counting at once. 409 if already withdrawn or superseded. */
export const withdrawConsent = async (record: ConsentRecord, actor: Principal): Promise<ConsentRecord> => {
  if (record.withdrawnAt || record.supersededAt) throw notInForce();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const at = new Date().toISOString();
    const after: ConsentRecord = { ...record, withdrawnAt: at, withdrawnBy: actorOf(actor) };
    const items = [
      {
        Update: {
          TableName: table(),
          Key: keys.consentRecord(record.id),
          UpdateExpression: 'SET withdrawnAt = :at, withdrawnBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt) AND attribute_not_exists(supersededAt)',
          ExpressionAttributeValues: { ':at': at, ':by': after.withdrawnBy },
        },
      },
      {
        Update: {
          TableName: table(),
          Key: keys.consentState(record.subjectType, record.subjectId, record.purpose),
          UpdateExpression: 'SET granted = :false, withdrawnAt = :at ADD version :one',
          ConditionExpression: 'consentId = :id AND granted = :true',
          ExpressionAttributeValues: { ':false': false, ':true': true, ':at': at, ':one': 1, ':id': record.id },
        },
      },
      audit(actor, 'consent.withdraw', record, after),
      ...(await effectsOf(record.subjectType, record.subjectId, record.purpose, false, at)),
    ];
    try {
      await retryOnConflict(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      return after;
    } catch (error) {
      const failed = failedConditionIndex(error);
      if (failed === 0 || failed === 1) throw notInForce();
      if (failed < 0 && !isTransactionConflict(error)) throw error;
      // A tally moved meanwhile: read again.
    }
  }
  throw new Busy();
};

const notInForce = () => conflict({ zh: '该同意已撤回或已被新的同意取代', en: 'This consent has already been withdrawn or superseded' });

export const getConsentRecord = async (id: string): Promise<ConsentRecord> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.consentRecord(id) }));
  if (!out.Item) throw notFound(CONSENT);
  return withoutKeys(out.Item) as unknown as ConsentRecord;
};

/** A person's consent records, newest first (one Query on gsi2). */
export const listConsents = async (subjectType: ConsentSubjectType, subjectId: string, limit: number, cursor?: string) => {
  const page = await queryPage<Record<string, unknown>>({
    index: 'gsi2',
    pkName: 'gsi2pk',
    pk: keys.consentHistoryPk(subjectType, subjectId),
    limit,
    cursor,
    newestFirst: true,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as ConsentRecord) };
};
