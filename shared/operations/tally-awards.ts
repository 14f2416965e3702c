/** Adds a verified record to the totals, rankings and star level, exactly once. */
import { starThresholds } from '../config.js';
import { starLevel } from '../domain/stars.js';
import { findHourRecord } from '../data/hour-records.js';
import { publicNameState } from '../data/consents.js';
import { NameConsentChanged, storeStarLevel, tallyRecord } from '../data/tallies.js';
import { getVolunteer } from '../data/volunteers.js';
import { logger } from '../log.js';

export type TallyOutcome = 'tallied' | 'already-tallied' | 'not-verified';

export const tallyAwards = async (hourRecordId: string, now = new Date()): Promise<TallyOutcome> => {
  const record = await findHourRecord(hourRecordId, true);
  if (!record || record.status !== 'verified') {
    logger.warn('only verified records are tallied', { hourRecordId, status: record?.status });
    return 'not-verified';
  }
  // The name is shown on rankings only with the volunteer's current consent, read just before
  // the tally and checked again inside its transaction.
  let added: boolean;
  for (let attempt = 1; ; attempt++) {
    try {
      added = await tallyRecord(record, await publicNameState(record.volunteerId));
      break;
    } catch (error) {
      if (!(error instanceof NameConsentChanged) || attempt === 3) throw error;
    }
  }
  // Also on a redelivery: the star level may not have been stored before a crash.
  const volunteer = await getVolunteer(record.volunteerId);
  await storeStarLevel(record.volunteerId, (minutes) =>
    starLevel({ verifiedMinutes: minutes, registeredAt: volunteer.registeredAt, now, thresholds: starThresholds() }),
  );
  return added ? 'tallied' : 'already-tallied';
};
