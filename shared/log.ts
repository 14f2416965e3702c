/** One logger for every function (Powertools: JSON lines with the request id). */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'redstar' });
