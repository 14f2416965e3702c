/** Daily at 09:00 Asia/Shanghai (declared in shared/functions.ts): activity reminders into the outbox. */
import { logger } from '../../shared/log.js';
import { sendReminders } from '../../shared/operations/send-reminders.js';

export const handler = async () => {
  const result = await sendReminders();
  logger.info('reminders queued', result);
  return result;
};
