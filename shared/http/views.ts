/** What leaves the API: personal data masked, internal fields left out. */
import type { Principal } from '../domain/access.js';
import { displayHours } from '../domain/hours.js';
import { phoneFor } from '../domain/personal-data.js';
import type { Volunteer, VolunteerTotals } from '../data/volunteers.js';
import type { HourRecord } from '../data/hour-records.js';
import type { Activity } from '../data/activities.js';

/**
 * A volunteer as `viewer` may see them (shared/domain/personal-data.ts): the phone in full or
 * masked by role; the identity number masked unless the handler revealed it (`idNumber`), which
 * it does only for the roles and requests the rule allows.
 */
export const volunteerView = (v: Volunteer, viewer: Principal, revealed: { idNumber?: string } = {}) => ({
  id: v.id,
  volunteerNumber: v.volunteerNumber,
  name: v.name,
  // An erased volunteer (shared/domain/rights.ts) has neither any more.
  phone: v.phone ? phoneFor(viewer, v.id, v.phone) : null,
  idNumber: revealed.idNumber ?? (v.idNumberMasked || null),
  orgUnitId: v.orgUnitId,
  veteran: v.veteran ?? {},
  skills: v.skills ?? [],
  registeredAt: v.registeredAt,
});

export const hoursView = (totals: VolunteerTotals, starLevel: number) => ({
  verifiedMinutes: totals.verifiedMinutes,
  yearMinutes: totals.yearMinutes,
  verifiedHours: displayHours(totals.verifiedMinutes),
  yearHours: displayHours(totals.yearMinutes),
  starLevel,
});

export const hourRecordView = (r: HourRecord) => ({
  id: r.id,
  volunteerId: r.volunteerId,
  activityId: r.activityId,
  activityTitle: r.activityTitle,
  teamId: r.teamId,
  startedAt: r.startedAt,
  endedAt: r.endedAt,
  minutes: r.minutes,
  hours: displayHours(r.minutes),
  status: r.status,
  ...(r.reason ? { reason: r.reason, reasonDetail: r.reasonDetail } : {}),
  source: r.source,
  ...(r.note ? { note: r.note } : {}),
  createdAt: r.createdAt,
  ...(r.verifiedAt ? { decidedAt: r.verifiedAt } : {}),
});

/** Public rankings show a name only with consent; until consent is recorded, names are masked. */
export const maskName = (name: string) => {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
};

/** Activities are public programme information; who created one is not. */
export const activityView = ({ createdBy: _createdBy, ...activity }: Activity) => activity;
