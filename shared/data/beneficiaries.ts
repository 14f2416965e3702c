/**
 * Beneficiaries (服务对象), with their personal data protected like volunteers':
 * - the identity number (optional) sealed with envelope encryption (shared/crypto/envelope.ts,
 *   context `{ field: 'beneficiary.idNumber', beneficiaryId }`), shown masked, unique among
 *   beneficiaries through a keyed hash (`UNIQUE#BENIDNUMBER#<hmac>`);
 * - sensitive details (health, disability, hardship) sealed the same way as one JSON document
 *   (context `{ field: 'beneficiary.sensitive', beneficiaryId }`), stored only while the
 *   beneficiary's `sensitive-details` consent holds: the write is conditional on it, and its
 *   withdrawal erases them (shared/data/consents.ts).
 * Every change is audited in its own transaction.
 */
import { GetCommand, TransactWriteCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import { open, seal, type Envelope } from '../crypto/envelope.js';
import { keyedHash } from '../crypto/keyed-hash.js';
import type { Principal } from '../domain/access.js';
import type { CareCategory, SensitiveDetails } from '../domain/beneficiaries.js';
import type { Guardian } from '../domain/consent.js';
import { maskPhone, maskResidentId } from '../domain/identity.js';
import { Failure, conflict, notFound, type Message } from '../errors.js';
import { recordAudit } from './audit.js';
import { batchGetAll, db, failedConditionIndex, table } from './client.js';
import { registrationConsentItems, type ConsentRecord, type NewConsent } from './consents.js';
import { keys, levelQuery, withoutKeys, type Key } from './keys.js';
import { queryPage } from './query.js';

export const BENEFICIARY: Message = { zh: '服务对象', en: 'Beneficiary' };

export interface Beneficiary {
  id: string;
  name: string;
  phone?: string;
  /** "440***********123X", when an identity number was given. */
  idNumberMasked?: string;
  orgUnitId: string;
  careCategories: CareCategory[];
  /** Sealed sensitive details are stored (their content never leaves without a decrypt). */
  hasSensitiveDetails: boolean;
  guardian?: Guardian;
  /** Last Asia/Shanghai day on which a guardian consents for them (under 14). */
  guardianConsentUntil?: string;
  registeredAt: string;
  registeredBy: string;
}

export interface NewBeneficiary {
  name: string;
  phone?: string;
  idNumber?: string;
  orgUnitId: string;
  careCategories: CareCategory[];
  sensitive?: SensitiveDetails;
  guardian?: Guardian;
  guardianConsentUntil?: string;
}

const ID_FIELDS = { ciphertext: 'idNumberCiphertext', key: 'idNumberKey', iv: 'idNumberIv', tag: 'idNumberTag' } as const;
const SENSITIVE_FIELDS = { ciphertext: 'sensitiveCiphertext', key: 'sensitiveKey', iv: 'sensitiveIv', tag: 'sensitiveTag' } as const;
type Fields = typeof ID_FIELDS | typeof SENSITIVE_FIELDS;

const idNumberContext = (beneficiaryId: string) => ({ field: 'beneficiary.idNumber', beneficiaryId });
const sensitiveContext = (beneficiaryId: string) => ({ field: 'beneficiary.sensitive', beneficiaryId });

const sealedAttributes = (fields: Fields, e: Envelope) => ({ [fields.ciphertext]: e.ciphertext, [fields.key]: e.key, [fields.iv]: e.iv, [fields.tag]: e.tag });

const envelopeOf = (item: Record<string, unknown>, fields: Fields): Envelope | undefined => {
  const e = { ciphertext: item[fields.ciphertext], key: item[fields.key], iv: item[fields.iv], tag: item[fields.tag] };
  return Object.values(e).every((v) => typeof v === 'string') ? (e as Envelope) : undefined;
};

const SEALED_NAMES = new Set<string>([...Object.values(ID_FIELDS), ...Object.values(SENSITIVE_FIELDS)]);
const toBeneficiary = (item: Record<string, unknown>): Beneficiary => {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(withoutKeys(item))) if (!SEALED_NAMES.has(name)) out[name] = value;
  return { hasSensitiveDetails: false, ...out } as Beneficiary;
};

/** What the audit trail keeps of a beneficiary: numbers masked, sensitive details never. */
const auditView = (b: Beneficiary) => ({
  ...b,
  ...(b.phone ? { phone: maskPhone(b.phone) } : {}),
  ...(b.guardian ? { guardian: { ...b.guardian, phone: maskPhone(b.guardian.phone) } } : {}),
});

const hasAny = (s: SensitiveDetails | undefined): s is SensitiveDetails => !!s && Object.values(s).some((v) => typeof v === 'string' && v.length > 0);

/**
 * Registers a beneficiary with the consents given on paper at registration, in one transaction:
 * org unit exists, identity number unused, the beneficiary, each consent (state, record, audit)
 * and the registration's audit entry. Sensitive details need a `sensitive-details` consent among
 * `consents` (checked by the caller, shared/domain/consent.ts).
 */
export const createBeneficiary = async (input: NewBeneficiary, consents: NewConsent[], actor: Principal) => {
  const { idNumber, sensitive, ...rest } = input;
  const id = ulid();
  const now = new Date();
  const storeSensitive = hasAny(sensitive);
  const [idEnvelope, idHash, sensitiveEnvelope] = await Promise.all([
    idNumber ? seal(idNumber, idNumberContext(id)) : undefined,
    idNumber ? keyedHash('idNumber', idNumber) : undefined,
    storeSensitive ? seal(JSON.stringify(sensitive), sensitiveContext(id)) : undefined,
  ]);
  const beneficiary: Beneficiary = {
    id,
    ...rest,
    ...(idNumber ? { idNumberMasked: maskResidentId(idNumber) } : {}),
    hasSensitiveDetails: storeSensitive,
    registeredAt: now.toISOString(),
    registeredBy: actor.accountId ?? actor.subject,
  };
  const { records, items: consentItems } = registrationConsentItems({ type: 'beneficiary', id, orgUnitId: input.orgUnitId }, consents, actor, now);
  const items = [
    { ConditionCheck: { TableName: table(), Key: keys.orgUnit(input.orgUnitId), ConditionExpression: 'attribute_exists(pk)' } },
    ...(idHash
      ? [{ Put: { TableName: table(), Item: { ...keys.uniqueBeneficiaryIdNumber(idHash), type: 'Unique', beneficiaryId: id }, ConditionExpression: 'attribute_not_exists(pk)' } }]
      : []),
    {
      Put: {
        TableName: table(),
        Item: {
          ...keys.beneficiary(id),
          ...keys.beneficiaryLevels(input.orgUnitId, id),
          type: 'Beneficiary',
          ...beneficiary,
          ...(idEnvelope ? sealedAttributes(ID_FIELDS, idEnvelope) : {}),
          ...(sensitiveEnvelope ? sealedAttributes(SENSITIVE_FIELDS, sensitiveEnvelope) : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    recordAudit({ actor, action: 'beneficiary.create', target: { type: 'beneficiary', id }, before: null, after: auditView(beneficiary), orgUnitId: input.orgUnitId }, now),
    ...consentItems,
  ];
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw notFound({ zh: '组织节点', en: 'Org unit' });
    if (failed === 1 && idHash) throw conflict({ zh: '该身份证号的服务对象已登记', en: 'A beneficiary with this identity number is already registered' });
    throw error;
  }
  return { beneficiary, consents: records as ConsentRecord[] };
};


/**
 * A beneficiary and whether their `sensitive-details` consent holds: one BatchGet. `openSensitive`
 * decrypts the details (KMS Decrypt in AWS) — call it only after deciding the viewer may see them.
 */
export const readBeneficiary = async (id: string) => {
  const wanted = [keys.beneficiary(id), keys.consentState('beneficiary', id, 'sensitive-details')];
  const items = await batchGetAll(wanted);
  const find = (key: Key) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const item = find(wanted[0]);
  if (!item) throw notFound(BENEFICIARY);
  const envelope = envelopeOf(item, SENSITIVE_FIELDS);
  return {
    beneficiary: toBeneficiary(item),
    sensitiveConsentHolds: find(wanted[1])?.granted === true,
    openSensitive: async (): Promise<SensitiveDetails | undefined> =>
      envelope ? (JSON.parse(await open(envelope, sensitiveContext(id))) as SensitiveDetails) : undefined,
  };
};

export const getBeneficiary = async (id: string): Promise<Beneficiary> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.beneficiary(id) }));
  if (!out.Item) throw notFound(BENEFICIARY);
  return toBeneficiary(out.Item);
};

/** Beneficiaries at or under a node (one Query on the node's level index), in registration order. */
export const listBeneficiariesUnder = async (orgUnitId: string, limit: number, cursor?: string) => {
  const q = levelQuery('BEN', orgUnitId);
  const page = await queryPage<Record<string, unknown>>({ index: q.index, pkName: q.pkName, pk: q.pk, limit, cursor });
  return { ...page, items: page.items.map(toBeneficiary) };
};

/**
 * Replaces a beneficiary's sensitive details, on condition that their `sensitive-details` consent
 * holds at commit (409 otherwise); audited without the content.
 */
export const setSensitiveDetails = async (beneficiary: Beneficiary, details: SensitiveDetails, actor: Principal) => {
  const envelope = await seal(JSON.stringify(details), sensitiveContext(beneficiary.id));
  const at = new Date().toISOString();
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table(),
              Key: keys.consentState('beneficiary', beneficiary.id, 'sensitive-details'),
              ConditionExpression: 'granted = :true',
              ExpressionAttributeValues: { ':true': true },
            },
          },
          {
            Update: {
              TableName: table(),
              Key: keys.beneficiary(beneficiary.id),
              UpdateExpression: `SET ${Object.values(SENSITIVE_FIELDS)
                .map((f) => `${f} = :${f}`)
                .join(', ')}, hasSensitiveDetails = :true, sensitiveUpdatedAt = :at REMOVE sensitiveErasedAt`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':true': true,
                ':at': at,
                ...Object.fromEntries(Object.entries(sealedAttributes(SENSITIVE_FIELDS, envelope)).map(([k, v]) => [`:${k}`, v])),
              },
            },
          },
          recordAudit({
            actor,
            action: 'beneficiary.sensitive-details.set',
            target: { type: 'beneficiary', id: beneficiary.id },
            // Never the details themselves: only which kinds are held.
            before: { hasSensitiveDetails: beneficiary.hasSensitiveDetails },
            after: { hasSensitiveDetails: true, kinds: Object.keys(details).filter((k) => !!details[k as keyof SensitiveDetails]) },
            orgUnitId: beneficiary.orgUnitId,
          }),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw sensitiveConsentMissing('sensitive');
    if (failed === 1) throw notFound(BENEFICIARY);
    throw error;
  }
};

/** Sensitive details without the separate consent: refused, naming the field. */
export const sensitiveConsentMissing = (path: string) =>
  new Failure(
    'conflict',
    {
      zh: '服务对象未就敏感个人信息（健康、残疾、困难情况）单独同意，不能保存',
      en: 'The beneficiary has not given the separate consent for sensitive details (health, disability, hardship); they cannot be stored',
    },
    [{ path, message: 'needs a current sensitive-details consent' }],
  );
