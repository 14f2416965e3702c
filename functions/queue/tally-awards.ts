/** Consumer of the award-tally queue. */
import { tallyAwards } from '../../shared/operations/tally-awards.js';
import { hourRecordMessage, sqsConsumer } from '../../shared/queue-consumer.js';

export const handler = sqsConsumer(hourRecordMessage, ({ hourRecordId }) => tallyAwards(hourRecordId));
