/**
 * Field error messages in both languages. Schemas (and the few places that build field errors
 * by hand) write their message as `bilingual(en, zh)`: the English text is what zod carries in
 * the issue, and the Chinese text is kept here under it. failureToProblem (./problem.ts) swaps
 * in the Chinese text when answering in Chinese. zod's own messages are localised by zod.
 */
const zhByEnglish = new Map<string, string>();

/** Registers the Chinese text of an English message and returns the English one, for zod. */
export const bilingual = (en: string, zh: string): string => {
  zhByEnglish.set(en, zh);
  return en;
};

/** The message in `lang`; a message nobody registered is left as it is. */
export const localizeMessage = (message: string, lang: 'zh' | 'en'): string => (lang === 'zh' ? (zhByEnglish.get(message) ?? message) : message);
