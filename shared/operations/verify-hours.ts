/**
 * Verification of one hour record: the rules (shared/domain/hours.ts) applied to the record,
 * its activity and the volunteer's other records, decided under the volunteer's ledger lock.
 * Idempotent: a record already decided is not decided again; a verified one is (re)sent to
 * the tally queue, whose consumer counts it once.
 */
import { hourRulesConfig } from '../config.js';
import { verifyHourRecord } from '../domain/hours.js';
import { findActivity } from '../data/activities.js';
import { isTransactionConflict, failedConditionIndex } from '../data/client.js';
import { decide, findHourRecord, ledgerVersionOf, listVolunteerRecordsBetween } from '../data/hour-records.js';
import { sendToQueue } from '../data/queues.js';
import { logger } from '../log.js';

const DAY_MS = 86_400_000;
/** Other decisions for the same volunteer may commit first; look again a few times before failing. */
const MAX_ATTEMPTS = 8;
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 25 * 2 ** attempt)));

export type VerificationOutcome = 'verified' | 'rejected' | 'already-decided' | 'missing';

export const verifyHours = async (hourRecordId: string, now = new Date()): Promise<VerificationOutcome> => {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const record = await findHourRecord(hourRecordId, true);
    if (!record) {
      logger.warn('hour record not found; nothing to verify', { hourRecordId });
      return 'missing';
    }
    if (record.status === 'verified') {
      await sendToQueue('awardTally', { hourRecordId });
      return 'already-decided';
    }
    if (record.status === 'rejected') return 'already-decided';

    const rules = hourRulesConfig();
    const version = await ledgerVersionOf(record.volunteerId);
    const [activity, nearby] = await Promise.all([
      findActivity(record.activityId, true),
      // Every record that could overlap or share a Shanghai day with this one.
      listVolunteerRecordsBetween(
        record.volunteerId,
        new Date(Date.parse(record.startedAt) - DAY_MS - rules.maxRecordMinutes * 60_000).toISOString(),
        new Date(Date.parse(record.endedAt) + DAY_MS).toISOString(),
      ),
    ]);
    // Decisions for one volunteer are serialised by the ledger, so pending records are decided
    // in turn; comparing with verified ones means an invalid pending record cannot sink a valid one.
    const others = nearby.filter((r) => r.id !== record.id && r.status === 'verified');
    const result = activity
      ? verifyHourRecord({ record, activity, others, now, rules })
      : ({ ok: false, reason: 'OUTSIDE_ACTIVITY_WINDOW', detail: 'the activity no longer exists' } as const);

    try {
      await decide(
        record,
        version,
        result.ok ? { status: 'verified', minutes: result.minutes } : { status: 'rejected', reason: result.reason, detail: result.detail },
      );
    } catch (error) {
      // Another decision for this volunteer committed first (ledger moved) or this record was
      // decided meanwhile: look again with fresh data.
      if (isTransactionConflict(error) || failedConditionIndex(error) >= 0) continue;
      throw error;
    }
    logger.info('hour record decided', { hourRecordId, status: result.ok ? 'verified' : 'rejected' });
    if (result.ok) await sendToQueue('awardTally', { hourRecordId });
    return result.ok ? 'verified' : 'rejected';
  }
  throw new Error(`Could not decide hour record ${hourRecordId}: the volunteer's ledger kept changing`);
};
