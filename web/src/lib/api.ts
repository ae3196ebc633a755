// The cityops HTTP API as the pages use it. The session token lives in sessionStorage (one tab, gone when it
// closes) and goes out as `Authorization: Bearer`; a 401 on a call that carried it means the session ended.
export interface UiConfig {
  city: string;
  center: { lat: number; lon: number };
  zoom: number;
  tile_url: string;
  tile_attribution: string;
  timezone: string;
  utc_offset_minutes: number;
  languages: string[];
  default_language: string;
}

export interface Geometry {
  type: 'Point' | 'LineString' | 'Polygon';
  coordinates: any;
}

export interface Entity {
  id: string;
  type: string;
  name: string;
  geometry: Geometry | null;
  attributes: Record<string, any>;
  tags: string[];
  metrics?: string[];
}

export interface Observation {
  entity: string;
  type?: string;
  metric: string;
  time: string;
  value: number;
  quality: 'good' | 'suspect' | 'bad';
}

export type Severity = 'info' | 'minor' | 'major' | 'critical';
export type AlertState = 'active' | 'acknowledged' | 'resolved';

export interface AlertHistoryEntry {
  at: string;
  action: string;
  state: AlertState;
  severity: Severity;
  value: number | null;
  by: string;
  comment: string | null;
}

export interface Alert {
  id: number;
  rule: string;
  entity: string;
  metric: string;
  severity: Severity;
  state: AlertState;
  value: number;
  message: string;
  raised_at: string;
  updated_at: string;
  resolved_at: string | null;
  transition?: string;
  history?: AlertHistoryEntry[];
}

export interface Me {
  kind: string;
  id: number;
  name: string;
  role: 'admin' | 'operator' | 'viewer' | 'device';
  expires_at?: string;
}

export interface SeriesPoint {
  time: string;
  value: number;
  quality?: string;
  count?: number;
}

export interface SeriesResult {
  entity: string;
  metric: string;
  interval: string;
  agg?: string;
  points: SeriesPoint[];
  truncated: boolean;
}

export interface ForecastPoint {
  time: string;
  lead_minutes: number;
  value: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  points: ForecastPoint[];
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter = 0,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'cityops.token';
let onUnauthenticated: (() => void) | null = null;

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  /** Called when a request with the token answers 401 (expired, revoked, logged out elsewhere). */
  onExpired(cb: () => void): void {
    onUnauthenticated = cb;
  },
};

async function request(method: string, path: string, body?: unknown, auth = true): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = auth ? session.token() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!res.ok) {
    let code = 'http_' + res.status;
    let message = res.statusText || `HTTP ${res.status}`;
    try {
      const j = await res.json();
      if (j && typeof j.error === 'string') code = j.error;
      if (j && typeof j.message === 'string') message = j.message;
    } catch {
      // not JSON
    }
    if (res.status === 401 && token && onUnauthenticated) onUnauthenticated();
    throw new ApiError(res.status, code, message, Number(res.headers.get('Retry-After') ?? 0));
  }
  return res;
}

async function json<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
  const res = await request(method, path, body, auth);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  return s.toString();
};

let documented: Promise<Set<string> | null> | null = null;

/** Whether the server documents an operation (its OpenAPI paths): features that land later (camera snapshots, say)
 *  are asked for only once the server has them, which spares the browser console a 404 per try. */
export async function serverHas(path: string): Promise<boolean> {
  documented ??= request('GET', '/api/v1/openapi.json')
    .then((r) => r.json())
    .then((doc) => new Set(Object.keys(doc?.paths ?? {})))
    .catch(() => null);
  const paths = await documented;
  return paths === null || paths.has(path);
}

export const api = {
  uiConfig: () => json<UiConfig>('GET', '/api/v1/ui/config', undefined, false),
  login: (username: string, password: string) =>
    json<{ token: string; expires_at: string; role: string }>('POST', '/api/v1/auth/login', { username, password }, false),
  logout: () => json<void>('POST', '/api/v1/auth/logout'),
  me: () => json<Me>('GET', '/api/v1/auth/me'),

  async entities(): Promise<Entity[]> {
    // Pages of 10 000 until X-Total-Count is reached.
    const out: Entity[] = [];
    for (let offset = 0; ; ) {
      const res = await request('GET', `/api/v1/entities?${q({ limit: 10000, offset })}`);
      const page = (await res.json()) as Entity[];
      out.push(...page);
      const total = Number(res.headers.get('X-Total-Count') ?? out.length);
      offset += page.length;
      if (page.length === 0 || offset >= total) return out;
    }
  },
  entity: (id: string) => json<Entity>('GET', `/api/v1/entities/${encodeURIComponent(id)}`),
  latest: () => json<Observation[]>('GET', '/api/v1/latest'),
  series: (id: string, params: { metric: string; from: string; to: string; interval?: string; agg?: string; limit?: number }) =>
    json<SeriesResult>('GET', `/api/v1/entities/${encodeURIComponent(id)}/observations?${q(params)}`),
  alerts: (params: { state?: string; limit?: number }) => json<Alert[]>('GET', `/api/v1/alerts?${q(params)}`),
  alert: (id: number) => json<Alert>('GET', `/api/v1/alerts/${id}`),
  alertAction: (id: number, action: 'ack' | 'resolve' | 'comment', comment?: string) =>
    json<Alert>('POST', `/api/v1/alerts/${id}/${action}`, comment ? { comment } : {}),
  forecast: (id: string) =>
    json<Forecast>('GET', `/api/v1/flood/stations/${encodeURIComponent(id)}/forecast?${q({ horizon: '6h' })}`),
  /** The camera's analytics status (GET /api/v1/cameras/{id}): whether it is live and where its frame is. */
  camera: (id: string) =>
    json<{ live: boolean; state: string; snapshot_url: string | null }>('GET', `/api/v1/cameras/${encodeURIComponent(id)}`),
  /** The camera's latest frame as an object URL (an <img> cannot send the token itself); the caller revokes it. */
  async snapshot(id: string): Promise<string> {
    const res = await request('GET', `/api/v1/cameras/${encodeURIComponent(id)}/snapshot.jpg`);
    return URL.createObjectURL(await res.blob());
  },
  publicAir: () => json<PublicAir>('GET', '/api/v1/public/air', undefined, false),
  async capFeed(): Promise<string> {
    const res = await request('GET', '/api/v1/cap/feed.atom', undefined, false);
    return res.text();
  },
};

export interface AqiIndex {
  aqi: number;
  at: string;
  level: number;
  category: string;
  category_en: string;
  colour: string;
  colour_hex: string;
  advice: { vi: string; en: string };
}

export interface PublicAir {
  stations: Array<{
    id: string;
    name: string;
    name_en?: string;
    geometry: Geometry | null;
    vn: AqiIndex | null;
    us: AqiIndex | null;
    pm25: { value: number; at: string } | null;
  }>;
  generated_at: string;
}
