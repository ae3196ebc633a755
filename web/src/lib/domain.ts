// What the dashboard knows about the city's things: entity kinds and their domain, primary metric and icon; alarm
// levels of water-level stations; VN_AQI categories; traffic congestion; severities.
import type { Entity, Severity } from './api';
import type { IconName } from './icons';

export type Domain = 'flood' | 'traffic' | 'environment' | 'other';

export interface Kind {
  type: string;
  domain: Domain;
  icon: IconName;
  /** The metric a marker and the detail chart show first. */
  primary?: string;
  /** Lower numbers are drawn first in the legend. */
  order: number;
}

const KINDS: Record<string, Omit<Kind, 'type'>> = {
  WaterLevelStation: { domain: 'flood', icon: 'waves', primary: 'water_level_m', order: 1 },
  RainGauge: { domain: 'flood', icon: 'rain', primary: 'rain_mm', order: 2 },
  TrafficCamera: { domain: 'traffic', icon: 'camera', primary: 'vehicle_count', order: 3 },
  AirQualityStation: { domain: 'environment', icon: 'wind', primary: 'aqi_vn', order: 4 },
  NoiseSensor: { domain: 'environment', icon: 'noise', primary: 'noise_dba', order: 5 },
  WaterQualityStation: { domain: 'environment', icon: 'flask', primary: 'ph', order: 6 },
  Zone: { domain: 'other', icon: 'zone', order: 7 },
  PointOfInterest: { domain: 'other', icon: 'pin', order: 8 },
};

export function kindOf(type: string): Kind {
  const k = KINDS[type];
  return k ? { type, ...k } : { type, domain: 'other', icon: 'dot', order: 50 };
}

export const DOMAINS: Domain[] = ['flood', 'traffic', 'environment', 'other'];

export const SEVERITIES: Severity[] = ['critical', 'major', 'minor', 'info'];
export const severityRank = (s: Severity | undefined): number =>
  s === 'critical' ? 4 : s === 'major' ? 3 : s === 'minor' ? 2 : s === 'info' ? 1 : 0;

export const UNITS: Record<string, string> = {
  water_level_m: 'm',
  rain_mm: 'mm',
  vehicle_count: '/min',
  avg_speed_kmh: 'km/h',
  pm25: 'µg/m³',
  pm10: 'µg/m³',
  o3: 'µg/m³',
  no2: 'µg/m³',
  so2: 'µg/m³',
  co: 'µg/m³',
  temperature_c: '°C',
  humidity_pct: '%',
  noise_dba: 'dBA',
  do_mgl: 'mg/L',
  turbidity_ntu: 'NTU',
  ec_uscm: 'µS/cm',
};

/** Digits shown for a metric's values. */
export function digitsFor(metric: string): number {
  if (metric === 'water_level_m') return 2;
  if (metric === 'vehicle_count' || metric.startsWith('aqi_') || metric === 'co' || metric === 'ec_uscm') return 0;
  return 1;
}

// --- water-level stations: báo động I, II, III ------------------------------------------------------------------

/** [bd1, bd2, bd3] from the station's attributes (bd1..bd3, or alarm_levels_m), null where unknown. */
export function alarmLevels(e: Entity): Array<number | null> {
  const a = e.attributes ?? {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  if (Array.isArray(a.alarm_levels_m)) return [0, 1, 2].map((i) => num(a.alarm_levels_m[i]));
  return [num(a.bd1), num(a.bd2), num(a.bd3)];
}

/** 0 (below level I) .. 3, or null without levels. */
export function alarmLevelAt(e: Entity, value: number): number | null {
  const levels = alarmLevels(e);
  if (levels.every((l) => l === null)) return null;
  let level = 0;
  levels.forEach((l, i) => {
    if (l !== null && value >= l) level = Math.max(level, i + 1);
  });
  return level;
}

// --- air quality: VN_AQI (Decision 1459/QĐ-TCMT) ------------------------------------------------------------------

/** 1 Tốt .. 6 Nguy hại. */
export function aqiCategory(aqi: number): number {
  if (aqi <= 50) return 1;
  if (aqi <= 100) return 2;
  if (aqi <= 150) return 3;
  if (aqi <= 200) return 4;
  if (aqi <= 300) return 5;
  return 6;
}

// --- traffic: congestion from the mean speed against the street's free-flow speed (HCM LOS bands) --------------------

export type Congestion = 'free' | 'moderate' | 'heavy' | 'congested';

export function congestionOf(e: Entity, speedKmh: number | undefined): Congestion | null {
  if (speedKmh === undefined || !Number.isFinite(speedKmh)) return null;
  const free = typeof e.attributes?.free_flow_kmh === 'number' ? e.attributes.free_flow_kmh : 40;
  const r = speedKmh / free;
  if (r > 0.67) return 'free';
  if (r > 0.5) return 'moderate';
  if (r > 0.4) return 'heavy';
  return 'congested';
}

/** The entity's name in the current language (name_en / names.en in English, when given). */
export function displayName(e: Entity, lang: string): string {
  if (lang === 'en') {
    const a = e.attributes ?? {};
    if (typeof a.name_en === 'string') return a.name_en;
    if (a.names && typeof a.names.en === 'string') return a.names.en;
  }
  return e.name || e.id;
}

/** A representative [lat, lng] of a geometry (the point, or the middle of its bounding box). */
export function anchorOf(e: Entity): [number, number] | null {
  const g = e.geometry;
  if (!g) return null;
  if (g.type === 'Point') return [g.coordinates[1], g.coordinates[0]];
  const pts: number[][] = g.type === 'LineString' ? g.coordinates : g.coordinates[0];
  if (!pts?.length) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of pts) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return [(minY + maxY) / 2, (minX + maxX) / 2];
}

export function formatValue(metric: string, value: number, loc: string, withUnit = true): string {
  const d = digitsFor(metric);
  const s = value.toLocaleString(loc, { minimumFractionDigits: d, maximumFractionDigits: d });
  const unit = UNITS[metric];
  if (!withUnit || !unit) return s;
  return unit.startsWith('/') ? `${s}${unit}` : `${s} ${unit}`;
}
