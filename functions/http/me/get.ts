/**
 * GET /v1/me — the caller's account (grants, phone masked) and, if they are a volunteer, their
 * profile with hours (their own phone in full, the identity number masked).
 */
import { starThresholds } from '../../../shared/config.js';
import { starLevel } from '../../../shared/domain/stars.js';
import { shanghaiYear } from '../../../shared/domain/time.js';
import { findAccount } from '../../../shared/data/accounts.js';
import { readVolunteer } from '../../../shared/data/volunteers.js';
import { accountView } from '../../../shared/http/account-view.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hoursView, volunteerView } from '../../../shared/http/views.js';

export const handler = httpRoute({
  action: 'me:read',
  handle: async ({ principal, authorize }) => {
    // Always about the caller: nothing else is read.
    authorize({ accountId: principal.accountId, volunteerId: principal.volunteerId });
    const account = principal.accountId ? await findAccount(principal.accountId) : undefined;
    const volunteerId = principal.volunteerId ?? account?.account.volunteerId;
    let volunteer: Record<string, unknown> | null = null;
    if (volunteerId) {
      const now = new Date();
      const found = await readVolunteer(volunteerId, shanghaiYear(now));
      const level = starLevel({ verifiedMinutes: found.totals.verifiedMinutes, registeredAt: found.volunteer.registeredAt, now, thresholds: starThresholds() });
      // The person about themselves: the volunteer rule (own phone in full).
      const self = { subject: principal.subject, role: 'volunteer' as const, volunteerId };
      volunteer = { ...volunteerView(found.volunteer, self), hours: hoursView(found.totals, level) };
    }
    return {
      ...ok({
        subject: principal.subject,
        role: principal.role,
        scope: principal.scope ?? null,
        grantId: principal.grantId ?? null,
        account: account ? accountView(account) : null,
        volunteer,
      }),
      headers: { 'cache-control': 'no-store' },
    };
  },
});
