/**
 * The local runtime's console output. One small interface so the runtime can be silenced in
 * tests (`quiet`) without hiding errors. Like the handlers' logger (shared/log.ts), it masks
 * every identity number and phone before printing.
 */
import { inspect } from 'node:util';
import { redactPersonalNumbers as redact } from '../../shared/domain/personal-data.js';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

const stamp = () => new Date().toISOString().slice(11, 23);

export const createLog = (quiet = false): Log => ({
  info: (message) => {
    if (!quiet) console.log(redact(`${stamp()} ${message}`));
  },
  warn: (message) => {
    if (!quiet) console.warn(redact(`${stamp()} warning: ${message}`));
  },
  // Errors are printed even when quiet: a failing handler must never be silent.
  error: (message, error) => {
    console.error(redact(`${stamp()} error: ${message}`));
    if (error !== undefined) console.error(redact(inspect(error, { depth: 4 })));
  },
});

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
