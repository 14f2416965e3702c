/** Adds a verified record to the totals, rankings and star level, exactly once. */
import { starThresholds } from '../config.js';
import { starLevel } from '../domain/stars.js';
import { findHourRecord } from '../data/hour-records.js';
import { publicNameState } from '../data/consents.js';
import { NameConsentChanged, VolunteerNameChanged, storeStarLevel, tallyRecord } from '../data/tallies.js';
import { getVolunteer } from '../data/volunteers.js';
import { logger } from '../log.js';

export type TallyOutcome = 'tallied' | 'already-tallied' | 'not-verified';

export const tallyAwards = async (hourRecordId: string, now = new Date()): Promise<TallyOutcome> => {
  let record = await findHourRecord(hourRecordId, true);
  if (!record || record.status !== 'verified') {
    logger.warn('only verified records are tallied', { hourRecordId, status: record?.status });
    return 'not-verified';
  }
  // The name is shown on rankings only with the volunteer's current consent, and it is the
  // volunteer's current name (the record's copy may predate a correction): both are read just
  // before the tally and checked again inside its transaction.
  let added: boolean;
  let volunteer = await getVolunteer(record.volunteerId, true);
  for (let attempt = 1; ; attempt++) {
    try {
      added = await tallyRecord(record, await publicNameState(record.volunteerId), { name: volunteer.name, erased: !!volunteer.erasedAt });
      break;
    } catch (error) {
      if (!(error instanceof NameConsentChanged || error instanceof VolunteerNameChanged) || attempt === 3) throw error;
      if (error instanceof VolunteerNameChanged) {
        record = (await findHourRecord(hourRecordId, true)) ?? record;
        volunteer = await getVolunteer(record.volunteerId, true);
      }
    }
  }
  // Also on a redelivery: the star level may not have been stored before a crash.
  await storeStarLevel(record.volunteerId, (minutes) =>
    starLevel({ verifiedMinutes: minutes, registeredAt: volunteer.registeredAt, now, thresholds: starThresholds() }),
  );
  return added ? 'tallied' : 'already-tallied';
};
