/**
 * Volunteers, with phone and identity-number uniqueness enforced by the database.
 *
 * Personal data at rest: the identity number is stored only sealed (envelope encryption,
 * shared/crypto/envelope.ts: idNumberCiphertext / idNumberKey / idNumberIv / idNumberTag) plus
 * its masked form for display; the phone is stored in clear (SMS needs it) and masked by the
 * views. Uniqueness items are keyed by HMACs of the numbers (shared/crypto/keyed-hash.ts).
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import { open, seal, type Envelope } from '../crypto/envelope.js';
import { keyedHash } from '../crypto/keyed-hash.js';
import type { Principal } from '../domain/access.js';
import { maskResidentId } from '../domain/identity.js';
import { maskForAudit } from '../domain/rights.js';
import { recordAudit } from './audit.js';
import { conflict, notFound } from '../errors.js';
import { batchGetAll, db, failedConditionIndex, table } from './client.js';
import { keys, withoutKeys, type Key } from './keys.js';
import { VOLUNTEER } from './teams.js';

/** A volunteer as the rest of the system sees it: the identity number only masked. */
export interface Volunteer {
  id: string;
  volunteerNumber: string;
  name: string;
  phone: string;
  /** "440***********123X": first three and last four characters. */
  idNumberMasked: string;
  orgUnitId: string;
  veteran?: { branch?: string; enlistmentYear?: number; dischargeYear?: number; partyMember?: boolean };
  skills: string[];
  registeredAt: string;
  /** Set when the volunteer's personal data was erased (shared/data/rights.ts). */
  erasedAt?: string;
  /** Set while an accepted deletion request erases the volunteer (its request id). */
  erasing?: string;
}

export type NewVolunteer = Omit<Volunteer, 'id' | 'volunteerNumber' | 'registeredAt' | 'idNumberMasked' | 'erasedAt'> & { idNumber: string };

export interface VolunteerTotals {
  verifiedMinutes: number;
  yearMinutes: number;
}

/** The envelope attributes on a volunteer item. */
const SEALED = { ciphertext: 'idNumberCiphertext', key: 'idNumberKey', iv: 'idNumberIv', tag: 'idNumberTag' } as const;

/** Binds the sealed number to its volunteer: copied onto another item it does not open. */
const idNumberContext = (volunteerId: string) => ({ field: 'volunteer.idNumber', volunteerId });

const sealedAttributes = (envelope: Envelope) => ({
  [SEALED.ciphertext]: envelope.ciphertext,
  [SEALED.key]: envelope.key,
  [SEALED.iv]: envelope.iv,
  [SEALED.tag]: envelope.tag,
});

/**
 * A stored item as a Volunteer: key, envelope and legacy attributes left out. Items written
 * before identity numbers were encrypted (local data of earlier runs) hold `idNumber` in clear;
 * they are still shown masked.
 */
const toVolunteer = (item: Record<string, unknown>): Volunteer => {
  const {
    idNumber: legacy,
    idNumberMasked,
    [SEALED.ciphertext]: _c,
    [SEALED.key]: _k,
    [SEALED.iv]: _i,
    [SEALED.tag]: _t,
    ...rest
  } = withoutKeys(item);
  return { ...rest, idNumberMasked: (idNumberMasked as string | undefined) ?? maskResidentId(String(legacy ?? '')) } as Volunteer;
};

/** Decrypts the identity number of a stored item (KMS Decrypt in AWS). */
const openIdNumber = async (item: Record<string, unknown>): Promise<string> => {
  const envelope = {
    ciphertext: item[SEALED.ciphertext],
    key: item[SEALED.key],
    iv: item[SEALED.iv],
    tag: item[SEALED.tag],
  };
  if (Object.values(envelope).every((v) => typeof v === 'string')) {
    return open(envelope as Envelope, idNumberContext(String(item.id)));
  }
  // Legacy local item (see toVolunteer).
  if (typeof item.idNumber === 'string') return item.idNumber;
  throw new Error('The volunteer has no identity number stored');
};

/** The identity number of a stored item, or undefined if none is stored (an erased volunteer). */
export const openStoredIdNumber = async (item: Record<string, unknown>): Promise<string | undefined> =>
  typeof item[SEALED.ciphertext] === 'string' || typeof item.idNumber === 'string' ? openIdNumber(item) : undefined;

/** Programme number: the public identifier, so the identity number is never needed as one. */
const nextVolunteerNumber = async () => {
  const out = await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.counter('VOLUNTEER'),
      UpdateExpression: 'ADD #value :one',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return `SZV${String(out.Attributes?.value ?? 0).padStart(8, '0')}`;
};

/**
 * What a registration may add (shared/data/consents.ts): attributes stored on the volunteer item
 * (a child's guardian), and items written in the same transaction (consents given at
 * registration, with their audit entries).
 */
export interface RegistrationExtras {
  attributes?: Record<string, unknown>;
  transactItems?: (volunteer: Volunteer) => Record<string, unknown>[];
}

export const createVolunteer = async (input: NewVolunteer, actor: Principal, extras: RegistrationExtras = {}): Promise<Volunteer> => {
  const { idNumber, ...rest } = input;
  const id = ulid();
  const [volunteerNumber, envelope, idNumberHash, phoneHash] = await Promise.all([
    nextVolunteerNumber(),
    seal(idNumber, idNumberContext(id)),
    keyedHash('idNumber', idNumber),
    keyedHash('phone', input.phone),
  ]);
  const volunteer: Volunteer = {
    id,
    volunteerNumber,
    registeredAt: new Date().toISOString(),
    ...rest,
    idNumberMasked: maskResidentId(idNumber),
  };
  const unique = (key: Key) => ({
    Put: { TableName: table(), Item: { ...key, type: 'Unique', volunteerId: volunteer.id }, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: table(), Key: keys.orgUnit(input.orgUnitId), ConditionExpression: 'attribute_exists(pk)' } },
          unique(keys.uniquePhone(phoneHash)),
          unique(keys.uniqueIdNumber(idNumberHash)),
          { Put: { TableName: table(), Item: { ...keys.volunteer(volunteer.id), type: 'Volunteer', ...extras.attributes, ...volunteer, ...sealedAttributes(envelope) } } },
          // Name, phone and identity number enter the audit trail only masked.
          recordAudit({
            actor,
            action: 'volunteer.create',
            target: { type: 'volunteer', id: volunteer.id },
            before: null,
            after: (({ idNumberMasked, ...rest }) => maskForAudit({ ...rest, idNumber: idNumberMasked }))(volunteer),
            orgUnitId: volunteer.orgUnitId,
          }),
          ...(extras.transactItems?.(volunteer) ?? []),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw notFound({ zh: '组织节点', en: 'Org unit' });
    if (failed === 1) throw conflict({ zh: '该手机号已注册', en: 'A volunteer with this phone is already registered' });
    if (failed === 2) throw conflict({ zh: '该身份证号已注册', en: 'A volunteer with this identity number is already registered' });
    throw error;
  }
  return volunteer;
};

/** The volunteer registered with this (normalised) phone, if any: one GetItem on the uniqueness item. */
export const volunteerIdByPhone = async (phone: string): Promise<string | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.uniquePhone(await keyedHash('phone', phone)) }));
  return out.Item?.volunteerId as string | undefined;
};


/**
 * A volunteer with their lifetime and current-year totals, and (for a team leader) whether they
 * belong to the leader's team: one BatchGet, one round trip. `openIdNumber` decrypts the
 * identity number on demand — call it only after authorizing, and only to reveal it.
 */
export const readVolunteer = async (id: string, year: number, leaderTeamId?: string) => {
  const wanted: Key[] = [keys.volunteer(id), keys.volunteerTally(id, 'ALL'), keys.volunteerTally(id, `${year}`)];
  if (leaderTeamId) wanted.push(keys.teamMember(leaderTeamId, id));
  const items = await batchGetAll(wanted);
  const find = (key: Key) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const volunteer = find(wanted[0]);
  if (!volunteer) throw notFound(VOLUNTEER);
  return {
    volunteer: toVolunteer(volunteer),
    openIdNumber: () => openIdNumber(volunteer),
    /** As openIdNumber, but undefined when no number is stored (an erased volunteer). */
    openStoredIdNumber: () => openStoredIdNumber(volunteer),
    totals: {
      verifiedMinutes: (find(wanted[1])?.minutes as number) ?? 0,
      yearMinutes: (find(wanted[2])?.minutes as number) ?? 0,
    } satisfies VolunteerTotals,
    memberOfLeadersTeam: leaderTeamId ? !!find(wanted[3]) : false,
  };
};

/** Just the volunteer, for authorization checks and denormalised names. */
export const getVolunteer = async (id: string, consistent = false): Promise<Volunteer> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.volunteer(id), ...(consistent ? { ConsistentRead: true } : {}) }));
  if (!out.Item) throw notFound(VOLUNTEER);
  return toVolunteer(out.Item);
};
