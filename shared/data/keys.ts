/**
 * Every key in the table is built here and nowhere else. docs/data-model.md lists each item
 * type and the access pattern each key serves.
 */
import { orgLevelOf, orgPathOf } from '../domain/access.js';
import { ORG_LEVELS, type OrgLevel } from '../table.js';

export interface Key {
  pk: string;
  sk: string;
}

/**
 * The org-level index attributes for an item that belongs to `orgUnitId`: one partition per
 * ancestor level, so "everything of this kind at or under node X" is one Query on X's level.
 */
const levelKeys = (kind: string, orgUnitId: string, sortKey: string) => {
  const keys: Record<string, string> = {};
  orgPathOf(orgUnitId).forEach((ancestor, depth) => {
    const level = ORG_LEVELS[Math.min(depth, ORG_LEVELS.length - 1)];
    keys[`${level}Pk`] = `${kind}#${ancestor}`;
    keys[`${level}Sk`] = sortKey;
  });
  return keys;
};

/** Ranking index attributes: one ranking partition per ancestor node and period. */
const rankKeys = (kind: string, orgUnitId: string, period: string) => {
  const keys: Record<string, string> = {};
  orgPathOf(orgUnitId).forEach((ancestor, depth) => {
    const level = ORG_LEVELS[Math.min(depth, ORG_LEVELS.length - 1)];
    keys[`${level}RankPk`] = `${kind}#${ancestor}#${period}`;
  });
  return keys;
};

/** Query helper: which index and partition hold kind-of-thing "at or under" a node. */
export const levelQuery = (kind: 'TEAM' | 'ACT' | 'PENDINGHOUR' | 'AUDIT' | 'CORRECTION' | 'DELETION' | 'BEN', orgUnitId: string) => {
  const level: OrgLevel = orgLevelOf(orgUnitId);
  return { index: `by-${level}`, pkName: `${level}Pk`, skName: `${level}Sk`, pk: `${kind}#${orgUnitId}` };
};

export const rankQuery = (kind: 'RANKVOL' | 'RANKTEAM', orgUnitId: string, period: string) => {
  const level: OrgLevel = orgLevelOf(orgUnitId);
  return { index: `rank-${level}`, pkName: `${level}RankPk`, pk: `${kind}#${orgUnitId}#${period}` };
};

/** 'ALL' for lifetime totals, or the Asia/Shanghai year. */
export type Period = 'ALL' | `${number}`;

export const keys = {
  orgUnit: (id: string): Key => ({ pk: `ORG#${id}`, sk: 'ORG' }),
  orgChildrenIndex: (parentId: string, childId: string) => ({ gsi1pk: `ORG#${parentId}#CHILDREN`, gsi1sk: childId }),
  orgChildrenPk: (parentId: string) => `ORG#${parentId}#CHILDREN`,

  team: (id: string): Key => ({ pk: `TEAM#${id}`, sk: 'TEAM' }),
  teamLevels: (orgUnitId: string, teamId: string) => levelKeys('TEAM', orgUnitId, teamId),
  teamMember: (teamId: string, volunteerId: string): Key => ({ pk: `TEAM#${teamId}`, sk: `MEMBER#${volunteerId}` }),
  volunteerTeamsIndex: (volunteerId: string, teamId: string) => ({ gsi1pk: keys.volunteerTeamsPk(volunteerId), gsi1sk: teamId }),
  volunteerTeamsPk: (volunteerId: string) => `VOL#${volunteerId}#TEAMS`,

  volunteer: (id: string): Key => ({ pk: `VOL#${id}`, sk: 'VOL' }),
  /** Optimistic-lock item serialising hour verification per volunteer. */
  volunteerLedger: (id: string): Key => ({ pk: `VOL#${id}`, sk: 'LEDGER' }),
  /** Keyed hashes (shared/crypto/keyed-hash.ts), so no phone or identity number is ever part of a key. */
  uniquePhone: (phoneHash: string): Key => ({ pk: `UNIQUE#PHONE#${phoneHash}`, sk: 'UNIQUE' }),
  uniqueIdNumber: (idNumberHash: string): Key => ({ pk: `UNIQUE#IDNUMBER#${idNumberHash}`, sk: 'UNIQUE' }),
  counter: (name: string): Key => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' }),

  activity: (id: string): Key => ({ pk: `ACT#${id}`, sk: 'ACT' }),
  activityLevels: (orgUnitId: string, startsAt: string, activityId: string) =>
    levelKeys('ACT', orgUnitId, `${startsAt}#${activityId}`),
  enrollment: (activityId: string, volunteerId: string): Key => ({ pk: `ACT#${activityId}`, sk: `ENROLL#${volunteerId}` }),
  enrollmentPrefix: 'ENROLL#',
  waitlistIndex: (activityId: string, position: string) => ({ gsi1pk: `ACT#${activityId}#WAITLIST`, gsi1sk: position }),
  waitlistPk: (activityId: string) => `ACT#${activityId}#WAITLIST`,
  attendance: (activityId: string, volunteerId: string): Key => ({ pk: `ACT#${activityId}`, sk: `ATTEND#${volunteerId}` }),

  hourRecord: (id: string): Key => ({ pk: `HOUR#${id}`, sk: 'HOUR' }),
  /** Only while pending: "records awaiting a decision at or under node X", oldest first. */
  pendingHourLevels: (orgUnitId: string, createdAt: string, recordId: string) =>
    levelKeys('PENDINGHOUR', orgUnitId, `${createdAt}#${recordId}`),
  /** The attributes to REMOVE once a record is decided. */
  levelKeyNames: ORG_LEVELS.flatMap((level) => [`${level}Pk`, `${level}Sk`]),
  volunteerHoursIndex: (volunteerId: string, startedAt: string, recordId: string) => ({
    gsi1pk: `VOL#${volunteerId}#HOURS`,
    gsi1sk: `${startedAt}#${recordId}`,
  }),
  volunteerHoursPk: (volunteerId: string) => `VOL#${volunteerId}#HOURS`,
  /** Written once per tallied record: the tally consumer's idempotency marker. */
  tallyMarker: (recordId: string): Key => ({ pk: `HOUR#${recordId}`, sk: 'TALLIED' }),

  volunteerTally: (volunteerId: string, period: Period): Key => ({ pk: `TALLY#VOL#${volunteerId}`, sk: period }),
  volunteerRankKeys: (orgUnitId: string, period: Period) => rankKeys('RANKVOL', orgUnitId, period),
  teamTally: (teamId: string, period: Period): Key => ({ pk: `TALLY#TEAM#${teamId}`, sk: period }),
  teamRankKeys: (orgUnitId: string, period: Period) => rankKeys('RANKTEAM', orgUnitId, period),
  orgTally: (orgUnitId: string, period: Period): Key => ({ pk: `TALLY#ORG#${orgUnitId}`, sk: period }),

  /** One outbox item per dedupe key: a second reminder for the same thing cannot be written. */
  notification: (dedupeKey: string): Key => ({ pk: `NOTIFY#${dedupeKey}`, sk: 'NOTIFY' }),
  outboxIndex: (status: string, createdAt: string, id: string) => ({ gsi1pk: `OUTBOX#${status}`, gsi1sk: `${createdAt}#${id}` }),
  outboxPk: (status: string) => `OUTBOX#${status}`,

  // ── Identity: accounts, grants, logins, sessions ─────────────────────────────────────────
  // Phones appear in keys only as hashes (shared/data/accounts.ts phoneKeyOf).
  /** The account item; its grants share the partition, so one Query reads both. */
  account: (id: string): Key => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' }),
  accountPk: (id: string) => `ACCOUNT#${id}`,
  accountGrant: (accountId: string, grantId: string): Key => ({ pk: `ACCOUNT#${accountId}`, sk: `GRANT#${grantId}` }),
  grantPrefix: 'GRANT#',
  /** Login by phone → account (one account per phone). */
  phoneLogin: (phoneHash: string): Key => ({ pk: `LOGIN#PHONE#${phoneHash}`, sk: 'LOGIN' }),
  /** Login by WeChat openid → account (one account per openid). */
  wechatLogin: (openid: string): Key => ({ pk: `LOGIN#WECHAT#${openid}`, sk: 'LOGIN' }),
  /** The SMS login code of a phone (the latest one; a new code replaces it). */
  smsCode: (phoneHash: string): Key => ({ pk: `SMSCODE#${phoneHash}`, sk: 'SMSCODE' }),
  /** A fixed-window counter: `rule` (e.g. `sms-phone-minute`), the thing counted, the window's start (epoch s). */
  rateWindow: (rule: string, subject: string, windowStart: number): Key => ({ pk: `RATE#${rule}#${subject}`, sk: `${windowStart}` }),
  /** A refresh-token family (one login session); every rotation is conditional on it. */
  refreshFamily: (familyId: string): Key => ({ pk: `REFRESH#${familyId}`, sk: 'FAMILY' }),
  /** One refresh token of a family, by the SHA-256 of the token (the token itself is never stored). */
  refreshToken: (tokenHash: string): Key => ({ pk: `REFRESHTOKEN#${tokenHash}`, sk: 'TOKEN' }),

  /** An audit entry; listed at or under its org node, by time, through the by-level indexes. */
  audit: (id: string): Key => ({ pk: `AUDIT#${id}`, sk: 'AUDIT' }),
  auditLevels: (orgUnitId: string, at: string, id: string) => levelKeys('AUDIT', orgUnitId, `${at}#${id}`),
  /** Audit entries about one person (a volunteer or an account), by time: their export. */
  auditAboutIndex: (about: { type: 'volunteer' | 'account'; id: string }, at: string, id: string) => ({
    gsi2pk: `AUDITOF#${about.type}#${about.id}`,
    gsi2sk: `${at}#${id}`,
  }),
  auditAboutPk: (type: 'volunteer' | 'account', id: string) => `AUDITOF#${type}#${id}`,

  // ── Data-subject rights (PIPL): the index "everything about this person" (gsi2) ──────────
  /** Enrollment and attendance of a volunteer, by activity: sort key `<activityId>#ENROLL|ATTEND`. */
  volunteerActivityIndex: (volunteerId: string, activityId: string, what: 'ENROLL' | 'ATTEND') => ({
    gsi2pk: `VOL#${volunteerId}#ACTIVITIES`,
    gsi2sk: `${activityId}#${what}`,
  }),
  volunteerActivitiesPk: (volunteerId: string) => `VOL#${volunteerId}#ACTIVITIES`,
  /** Notifications addressed to a volunteer, by time. */
  volunteerNotificationIndex: (volunteerId: string, createdAt: string, id: string) => ({
    gsi2pk: `VOL#${volunteerId}#NOTIFY`,
    gsi2sk: `${createdAt}#${id}`,
  }),
  volunteerNotificationsPk: (volunteerId: string) => `VOL#${volunteerId}#NOTIFY`,
  /** Login sessions (refresh families) of an account, by start. */
  accountSessionIndex: (accountId: string, createdAt: string, familyId: string) => ({
    gsi2pk: `ACCOUNT#${accountId}#SESSIONS`,
    gsi2sk: `${createdAt}#${familyId}`,
  }),
  accountSessionsPk: (accountId: string) => `ACCOUNT#${accountId}#SESSIONS`,

  /** A correction or deletion request; listed by node and status, and per volunteer. */
  rightsRequest: (id: string): Key => ({ pk: `RIGHTS#${id}`, sk: 'REQUEST' }),
  rightsRequestLevels: (kind: 'correction' | 'deletion', orgUnitId: string, status: string, createdAt: string, id: string) =>
    levelKeys(kind === 'correction' ? 'CORRECTION' : 'DELETION', orgUnitId, `${status}#${createdAt}#${id}`),
  volunteerRightsIndex: (volunteerId: string, createdAt: string, id: string) => ({
    gsi2pk: `VOL#${volunteerId}#RIGHTS`,
    gsi2sk: `${createdAt}#${id}`,
  }),
  volunteerRightsPk: (volunteerId: string) => `VOL#${volunteerId}#RIGHTS`,
  /** Guard: at most one open deletion request per volunteer (and none after an accepted one). */
  deletionGuard: (volunteerId: string): Key => ({ pk: `VOL#${volunteerId}`, sk: 'DELETION' }),

  // ── Consent and beneficiaries (shared/data/consents.ts, shared/data/beneficiaries.ts) ──────
  /** Current consent of one person for one purpose: every check is this one GetItem. */
  consentState: (subjectType: 'volunteer' | 'beneficiary', subjectId: string, purpose: string): Key => ({
    pk: `CONSENTSTATE#${subjectType === 'volunteer' ? 'VOL' : 'BEN'}#${subjectId}`,
    sk: purpose,
  }),
  /** One consent as given (and later withdrawn or superseded): the history. */
  consentRecord: (id: string): Key => ({ pk: `CONSENT#${id}`, sk: 'CONSENT' }),
  /** A person's consent records by time, on the "everything about this person" index (gsi2). */
  consentHistoryIndex: (subjectType: 'volunteer' | 'beneficiary', subjectId: string, recordedAt: string, id: string) => ({
    gsi2pk: `${subjectType === 'volunteer' ? 'VOL' : 'BEN'}#${subjectId}#CONSENTS`,
    gsi2sk: `${recordedAt}#${id}`,
  }),
  consentHistoryPk: (subjectType: 'volunteer' | 'beneficiary', subjectId: string) =>
    `${subjectType === 'volunteer' ? 'VOL' : 'BEN'}#${subjectId}#CONSENTS`,
  /** All tally items of a volunteer (lifetime and per year): the consent to show their name updates each. */
  volunteerTallyPk: (volunteerId: string) => `TALLY#VOL#${volunteerId}`,

  beneficiary: (id: string): Key => ({ pk: `BEN#${id}`, sk: 'BEN' }),
  /** "Beneficiaries at or under node X", in registration order (ULIDs). */
  beneficiaryLevels: (orgUnitId: string, id: string) => levelKeys('BEN', orgUnitId, id),
  /** Beneficiaries' identity numbers are unique among beneficiaries (a volunteer may also be served). */
  uniqueBeneficiaryIdNumber: (idNumberHash: string): Key => ({ pk: `UNIQUE#BENIDNUMBER#${idNumberHash}`, sk: 'UNIQUE' }),
};

/** Strips key attributes before an item leaves the data layer. */
export const withoutKeys = <T extends Record<string, unknown>>(item: T) => {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name === 'pk' || name === 'sk' || name === 'type' || /^gsi\d/.test(name) || /(Pk|Sk|RankPk)$/.test(name)) continue;
    out[name] = value;
  }
  return out;
};
