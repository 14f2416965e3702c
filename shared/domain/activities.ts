export type ActivityStatus = 'draft' | 'published' | 'cancelled';

// Programme categories (DESIGN.md 2.3), grouped as in the programme text.
export const ACTIVITY_CATEGORIES = [
  // Party building, promotion
  'party-building',
  'red-lecture',
  'civilisation-promotion',
  'law-promotion',
  // grassroots governance
  'patrol',
  'traffic-guidance',
  'mediation',
  'grid-work',
  'epidemic-prevention',
  // veteran support
  'holiday-visit',
  'honour-plaque',
  'martyr-commemoration',
  'six-deliveries',
  // professional services
  'emergency-response',
  'free-clinic',
  'legal-counselling',
  'psychological-counselling',
  'performance',
  // major events
  'spring-festival-travel',
  'exam-support',
  'major-event',
  'other',
] as const;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];

export const TEAM_SPECIALTIES = [
  'general',
  'emergency-rescue',
  'medical',
  'legal',
  'psychological',
  'performing-arts',
  'red-lecture',
] as const;
export type TeamSpecialty = (typeof TEAM_SPECIALTIES)[number];

/** draft → published; draft or published → cancelled. Cancelled is final. */
export function nextStatus(
  current: ActivityStatus,
  action: 'publish' | 'cancel',
): { ok: true; status: ActivityStatus } | { ok: false; detail: string } {
  if (current === 'cancelled') {
    return { ok: false, detail: action === 'cancel' ? 'The activity is already cancelled.' : 'A cancelled activity cannot be published.' };
  }
  if (action === 'cancel') return { ok: true, status: 'cancelled' };
  if (current === 'published') return { ok: false, detail: 'The activity is already published.' };
  return { ok: true, status: 'published' };
}

/** Sign-up is open while the activity is published and has not ended (late joiners still serve). */
export function canSignUp(activity: { status: ActivityStatus; endsAt: string }, now: Date): { ok: true } | { ok: false; detail: string } {
  if (activity.status !== 'published') return { ok: false, detail: `The activity is ${activity.status}, not open for sign-up.` };
  if (!(now.getTime() < Date.parse(activity.endsAt))) return { ok: false, detail: 'The activity has already ended.' };
  return { ok: true };
}

/** Instants from now to now + 24 h, for "starts within a day" reminders. */
export function reminderWindow(now: Date): { from: string; to: string } {
  return { from: now.toISOString(), to: new Date(now.getTime() + 24 * 60 * 60 * 1000).toISOString() };
}

/**
 * Check-in opens `graceMinutes` before the start and closes at the end; the activity must be
 * published (a cancelled one takes no attendance).
 */
export function canCheckIn(
  activity: { status: ActivityStatus; startsAt: string; endsAt: string },
  now: Date,
  graceMinutes: number,
): { ok: true } | { ok: false; detail: string } {
  if (activity.status !== 'published') return { ok: false, detail: 'the activity is not published' };
  if (now.getTime() < Date.parse(activity.startsAt) - graceMinutes * 60_000) return { ok: false, detail: 'check-in has not opened yet' };
  if (now.getTime() > Date.parse(activity.endsAt)) return { ok: false, detail: 'the activity has ended' };
  return { ok: true };
}
