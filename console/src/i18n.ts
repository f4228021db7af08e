import { useEffect, useState } from 'preact/hooks';
import { MESSAGES, type MessageKey } from './messages.ts';

/** Korean first: the platform's users are Korean. The choice is kept per browser. */
export type Language = 'ko' | 'en';

const STORED = 'console.language';
let current: Language = localStorage.getItem(STORED) === 'en' ? 'en' : 'ko';
const listeners = new Set<() => void>();

export function setLanguage(next: Language): void {
  current = next;
  localStorage.setItem(STORED, next);
  document.documentElement.lang = next;
  listeners.forEach((listener) => listener());
}

export const languageNow = () => current;

/** The text of `key` in the current language, `{name}` placeholders filled from `values`. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = MESSAGES[key][current];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** Re-renders the calling component when the language changes. */
export function useLanguage(): Language {
  const [, rerender] = useState(0);
  useEffect(() => {
    const listener = () => rerender((n) => n + 1);
    listeners.add(listener);
    return () => { listeners.delete(listener); };
  }, []);
  return current;
}

/** Dates as people here read them: 2026. 11. 28. 오후 3:04, or Nov 28, 2026, 3:04 PM. */
export const formatTime = (iso: string) => new Date(iso).toLocaleString(current === 'ko' ? 'ko-KR' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
