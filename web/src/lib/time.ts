// Times are shown in the city's time zone (Asia/Ho_Chi_Minh for Tam Kỳ), whatever the browser's zone.
import { locale, t } from './i18n';

let zone = 'Asia/Ho_Chi_Minh';
const cache = new Map<string, Intl.DateTimeFormat>();

export function setTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    zone = tz;
    cache.clear();
  } catch {
    // an unknown zone: keep the default
  }
}

export function timeZone(): string {
  return zone;
}

function fmt(kind: 'time' | 'datetime' | 'date' | 'clock'): Intl.DateTimeFormat {
  const key = `${kind}|${locale()}|${zone}`;
  let f = cache.get(key);
  if (!f) {
    const base: Intl.DateTimeFormatOptions = { timeZone: zone, hour12: false };
    const opts: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { ...base, hour: '2-digit', minute: '2-digit' }
        : kind === 'clock'
          ? { ...base, hour: '2-digit', minute: '2-digit', second: '2-digit' }
          : kind === 'date'
            ? { ...base, day: '2-digit', month: '2-digit', year: 'numeric' }
            : { ...base, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' };
    f = new Intl.DateTimeFormat(locale(), opts);
    cache.set(key, f);
  }
  return f;
}

const toDate = (v: string | number | Date) => (v instanceof Date ? v : new Date(v));

const part = (f: Intl.DateTimeFormat, d: Date) => {
  const parts = f.formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = get('hour') === '24' ? '00' : get('hour');
  return { day: get('day'), month: get('month'), year: get('year'), hour, minute: get('minute'), second: get('second') };
};

export const formatTime = (v: string | number | Date) => fmt('time').format(toDate(v));
export const formatClock = (v: string | number | Date) => fmt('clock').format(toDate(v));
/** 25/11/2025 (day first, as in Vietnam and the UK, whatever the language). */
export const formatDate = (v: string | number | Date) => {
  const p = part(fmt('date'), toDate(v));
  return `${p.day}/${p.month}/${p.year}`;
};
/** 25/11 18:30 */
export const formatDateTime = (v: string | number | Date) => {
  const p = part(fmt('datetime'), toDate(v));
  return `${p.day}/${p.month} ${p.hour}:${p.minute}`;
};
/** Axis labels: "18:30" within a day, "25/11" on whole days, "25/11 18:00" otherwise. */
export function formatTick(ms: number, stepMs: number): string {
  const p = part(fmt('datetime'), new Date(ms));
  if (stepMs >= 86_400_000) return `${p.day}/${p.month}`;
  if (p.hour === '00' && p.minute === '00') return `${p.day}/${p.month}`;
  return `${p.hour}:${p.minute}`;
}

/** "12 min ago" style, for times within a week; the date and time beyond. */
export function formatAgo(v: string | number | Date, now = Date.now()): string {
  const ms = now - toDate(v).getTime();
  if (ms < 60_000) return t('time.just_now');
  if (ms < 3_600_000) return t('time.minutes_ago', { n: Math.floor(ms / 60_000) });
  if (ms < 86_400_000) return t('time.hours_ago', { n: Math.floor(ms / 3_600_000) });
  if (ms < 7 * 86_400_000) return t('time.days_ago', { n: Math.floor(ms / 86_400_000) });
  return formatDateTime(v);
}

/** The wall-clock parts of `ms` in the city's zone, as a value for <input type="datetime-local">. */
export function toLocalInput(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const hour = get('hour') === '24' ? '00' : get('hour');
  return `${get('year')}-${get('month')}-${get('day')}T${hour}:${get('minute')}`;
}

/** The instant of a datetime-local value read as wall-clock time in the city's zone. */
export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The zone's offset at (about) that instant: the difference between its wall clock and UTC.
  const wall = toLocalInput(asUtc);
  const w = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall)!;
  const offset = Date.UTC(+w[1], +w[2] - 1, +w[3], +w[4], +w[5]) - asUtc;
  return asUtc - offset;
}
