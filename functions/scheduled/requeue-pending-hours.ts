/** Every 15 minutes (declared in shared/functions.ts): stale pending hour records back to verification. */
import { runTimeOf, type ScheduledEvent } from '../../shared/scheduled-event.js';
import { logger } from '../../shared/log.js';
import { requeuePendingHours } from '../../shared/operations/requeue-pending-hours.js';

export const handler = async (event?: Partial<ScheduledEvent>) => {
  const result = await requeuePendingHours(runTimeOf(event));
  if (result.requeued > 0) logger.warn('pending hour records sent to verification again', result);
  return result;
};
