/** Daily at 09:00 Asia/Shanghai (declared in shared/functions.ts): activity reminders into the outbox. */
import { runTimeOf, type ScheduledEvent } from '../../shared/scheduled-event.js';
import { logger } from '../../shared/log.js';
import { sendReminders } from '../../shared/operations/send-reminders.js';

export const handler = async (event?: Partial<ScheduledEvent>) => {
  const result = await sendReminders(runTimeOf(event));
  logger.info('reminders queued', result);
  return result;
};
