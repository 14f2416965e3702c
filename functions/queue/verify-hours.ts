/** Consumer of the hour-verification queue. */
import { verifyHours } from '../../shared/operations/verify-hours.js';
import { hourRecordMessage, sqsConsumer } from '../../shared/queue-consumer.js';

export const handler = sqsConsumer(hourRecordMessage, ({ hourRecordId }) => verifyHours(hourRecordId), { sequential: true });
