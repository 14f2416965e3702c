/**
 * GET /v1/me/export — everything held about the caller, as one JSON document to download
 * (PIPL art. 45): account, grants, sessions (metadata, never token hashes), the volunteer profile
 * with their own phone and identity number in full (they are the data subject), team
 * memberships, enrollments, attendance, hour records, tallies, notifications addressed to them,
 * their correction and deletion requests, and the audit entries about them. Each section is read
 * page by page and capped (EXPORT_SECTION_LIMIT; `truncated` says when the cap was reached).
 * The export is itself audited and logged as an access event, without the numbers.
 */
import { CITY_ID } from '../../../shared/domain/access.js';
import { shanghaiYear } from '../../../shared/domain/time.js';
import { findAccount } from '../../../shared/data/accounts.js';
import { writeAudit } from '../../../shared/data/audit.js';
import { personReads, type Section } from '../../../shared/data/rights.js';
import { readVolunteer } from '../../../shared/data/volunteers.js';
import { grantView } from '../../../shared/http/account-view.js';
import { httpRoute } from '../../../shared/http/route.js';
import { hourRecordView } from '../../../shared/http/views.js';
import type { HourRecord } from '../../../shared/data/hour-records.js';
import { logPersonalDataExport } from '../../../shared/log.js';

const empty = <T>(): Section<T> => ({ items: [], truncated: false });
const pick = (item: Record<string, unknown>, names: string[]) => Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));

export const handler = httpRoute({
  action: 'me:read',
  handle: async ({ principal, authorize }) => {
    authorize({ accountId: principal.accountId, volunteerId: principal.volunteerId });
    const now = new Date();
    const found = principal.accountId ? await findAccount(principal.accountId) : undefined;
    const volunteerId = principal.volunteerId ?? found?.account.volunteerId;
    const accountId = found?.account.id;

    const [sessions, accountAudit] = accountId
      ? await Promise.all([personReads.sessions(accountId), personReads.auditAbout('account', accountId)])
      : [empty<Record<string, unknown>>(), empty<Record<string, unknown>>()];

    let volunteer: Record<string, unknown> | null = null;
    let orgUnitId = CITY_ID;
    const sections = {
      memberships: empty<Record<string, unknown>>(),
      activities: empty<Record<string, unknown>>(),
      hourRecords: empty<Record<string, unknown>>(),
      tallies: empty<Record<string, unknown>>(),
      notifications: empty<Record<string, unknown>>(),
      requests: empty<Record<string, unknown>>(),
      volunteerAudit: empty<Record<string, unknown>>(),
      consents: empty<Record<string, unknown>>(),
    };
    if (volunteerId) {
      const read = await readVolunteer(volunteerId, shanghaiYear(now));
      const v = read.volunteer;
      orgUnitId = v.orgUnitId;
      volunteer = {
        id: v.id,
        volunteerNumber: v.volunteerNumber,
        name: v.name,
        phone: v.phone ?? null,
        // The data subject gets their own number in full.
        idNumber: (await read.openStoredIdNumber()) ?? null,
        orgUnitId: v.orgUnitId,
        veteran: v.veteran ?? {},
        skills: v.skills ?? [],
        registeredAt: v.registeredAt,
        totals: read.totals,
      };
      const [memberships, activities, hourRecords, tallies, notifications, requests, volunteerAudit, consents] = await Promise.all([
        personReads.memberships(volunteerId),
        personReads.activities(volunteerId),
        personReads.hourRecords(volunteerId),
        personReads.tallies(volunteerId),
        personReads.notifications(volunteerId),
        personReads.requests(volunteerId),
        personReads.auditAbout('volunteer', volunteerId),
        personReads.consents(volunteerId),
      ]);
      Object.assign(sections, { memberships, activities, hourRecords, tallies, notifications, requests, volunteerAudit, consents });
    }

    const enrollments = sections.activities.items.filter((i) => 'enrolledAt' in i);
    const attendance = sections.activities.items.filter((i) => 'checkedInAt' in i);
    const document = {
      exportedAt: now.toISOString(),
      format: 'redstar-personal-data-export/1',
      subject: { subject: principal.subject, role: principal.role, accountId: accountId ?? null, volunteerId: volunteerId ?? null },
      account: found
        ? {
            id: found.account.id,
            phone: found.account.phone ?? null,
            wechatBound: found.account.wechatBound === true,
            volunteerId: found.account.volunteerId ?? null,
            createdAt: found.account.createdAt,
            createdBy: found.account.createdBy,
          }
        : null,
      grants: found ? found.grants.map(grantView) : [],
      sessions: {
        items: sessions.items.map((s) => ({
          ...pick(s, ['familyId', 'grantId', 'createdAt', 'rotatedAt', 'revoked', 'revokedAt', 'revokedReason', 'generation']),
          expiresAt: typeof s.expiresAt === 'number' ? new Date(s.expiresAt * 1000).toISOString() : null,
        })),
        truncated: sessions.truncated,
      },
      volunteer,
      teamMemberships: sections.memberships,
      enrollments: { items: enrollments, truncated: sections.activities.truncated },
      attendance: { items: attendance, truncated: sections.activities.truncated },
      hourRecords: { items: sections.hourRecords.items.map((r) => hourRecordView(r as unknown as HourRecord)), truncated: sections.hourRecords.truncated },
      tallies: sections.tallies,
      consents: sections.consents,
      notifications: sections.notifications,
      requests: sections.requests,
      auditEntries: {
        items: [...accountAudit.items, ...sections.volunteerAudit.items].sort((a, b) => String(a.at).localeCompare(String(b.at))),
        truncated: accountAudit.truncated || sections.volunteerAudit.truncated,
      },
    };

    const counts = {
      grants: document.grants.length,
      sessions: sessions.items.length,
      teamMemberships: sections.memberships.items.length,
      enrollments: enrollments.length,
      attendance: attendance.length,
      hourRecords: sections.hourRecords.items.length,
      tallies: sections.tallies.items.length,
      notifications: sections.notifications.items.length,
      requests: sections.requests.items.length,
      consents: sections.consents.items.length,
      auditEntries: document.auditEntries.items.length,
    };
    // The export is an access event: audited (who, when, which sections) and logged — never the data.
    await writeAudit({
      actor: principal,
      action: 'person.export',
      target: volunteerId ? { type: 'volunteer', id: volunteerId } : { type: 'account', id: accountId ?? principal.subject },
      before: null,
      after: { sections: counts },
      orgUnitId,
    });
    logPersonalDataExport({ volunteerId, accountId, subject: principal.subject, role: principal.role, sections: counts });

    const day = now.toISOString().slice(0, 10);
    return {
      status: 200,
      body: document,
      headers: {
        'cache-control': 'no-store',
        'content-disposition': `attachment; filename="redstar-export-${volunteerId ?? accountId ?? 'me'}-${day}.json"`,
      },
    };
  },
});
