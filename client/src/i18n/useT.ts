// A translate function whose keys are checked against the catalogue at compile time
// (vue-i18n's own `t` accepts any string, so a typo would only show at run time).
import { useI18n } from 'vue-i18n';
import type { MessageSchema } from './zh-CN';

type Paths<T> = {
  [K in keyof T & string]: T[K] extends string ? K : `${K}.${Paths<T[K]>}`;
}[keyof T & string];

export type MessageKey = Paths<MessageSchema>;
export type NamedValues = Record<string, string | number>;

export function useT() {
  const { t: translate, locale } = useI18n();
  const t = (key: MessageKey, named?: NamedValues): string => (named ? translate(key, named) : translate(key));
  return { t, locale };
}
