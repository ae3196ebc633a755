// Vietnamese (default) and English. Every string the pages show comes from ../locales/*.json; elements carrying
// data-i18n="key" (text) or data-i18n-title / data-i18n-placeholder / data-i18n-aria are filled in by apply(), and
// the components that build their own DOM re-render on onLanguageChange().
import vi from '../locales/vi.json';
import en from '../locales/en.json';

export type Lang = 'vi' | 'en';
type Dict = { [key: string]: string | Dict };
const dictionaries: Record<Lang, Dict> = { vi: vi as Dict, en: en as Dict };
const STORAGE_KEY = 'cityops.lang';

let current: Lang = 'vi';
const listeners: Array<(lang: Lang) => void> = [];

function lookup(dict: Dict, key: string): string | undefined {
  let node: string | Dict | undefined = dict;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** The string for `key` in the current language ({name} placeholders filled from params); English, then the key
 *  itself, when missing. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const s = lookup(dictionaries[current], key) ?? lookup(dictionaries.en, key) ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Whether `key` exists (for optional labels such as metric names). */
export function has(key: string): boolean {
  return lookup(dictionaries[current], key) !== undefined;
}

export function lang(): Lang {
  return current;
}

/** BCP 47 locale for number and date formatting. */
export function locale(): string {
  return current === 'vi' ? 'vi-VN' : 'en-GB';
}

export function initLanguage(fallback: string | undefined): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  const pick = stored === 'vi' || stored === 'en' ? stored : fallback === 'en' ? 'en' : 'vi';
  current = pick;
  document.documentElement.lang = current;
  apply(document);
  return current;
}

export function setLanguage(next: Lang): void {
  if (next === current) return;
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  apply(document);
  for (const l of listeners) l(next);
}

export function onLanguageChange(listener: (lang: Lang) => void): void {
  listeners.push(listener);
}

/** Fills the data-i18n* attributes under `root`. */
export function apply(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n!);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-title]').forEach((el) => {
    el.title = t(el.dataset.i18nTitle!);
  });
  root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder!);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-aria]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nAria!));
  });
}

/** A VI | EN switch; `data-lang` on each button. */
export function languageSwitch(): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'lang-switch';
  wrap.setAttribute('role', 'group');
  wrap.dataset.i18nAria = 'header.language';
  for (const l of ['vi', 'en'] as Lang[]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = l.toUpperCase();
    b.dataset.lang = l;
    b.addEventListener('click', () => setLanguage(l));
    wrap.append(b);
  }
  const sync = () =>
    wrap.querySelectorAll<HTMLButtonElement>('button').forEach((b) => {
      b.classList.toggle('active', b.dataset.lang === current);
      b.setAttribute('aria-pressed', String(b.dataset.lang === current));
    });
  sync();
  onLanguageChange(sync);
  return wrap;
}
