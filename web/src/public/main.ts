// The public page at "/public" (no login), readable on a phone: the warnings in force (the CAP Atom feed), the air
// quality of every station (GET /api/v1/public/air) and a map of those public layers over the city.
import '../styles/base.css';
import '../styles/public.css';
import L from 'leaflet';
import { api, type PublicAir, type UiConfig } from '../lib/api';
import { createBasemap } from '../lib/basemap';
import { clear, h, svgIcon } from '../lib/dom';
import { ICONS } from '../lib/icons';
import { apply, initLanguage, lang, languageSwitch, onLanguageChange, t } from '../lib/i18n';
import { formatDateTime, setTimeZone } from '../lib/time';

interface Warning {
  title: string;
  summary: string;
  updated: string;
  severity: string;
  msgType: string;
  status: string;
  expires: string;
  area: string;
  link: string;
}

const root = document.getElementById('app')!;
let air: PublicAir | null = null;
let warnings: Warning[] | null = null;
let failed = false;

/** The entries of the CAP Atom feed (titles and summaries carry "vi / en" and "vi\nen"). */
export function parseFeed(xml: string): Warning[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.querySelector('parsererror')) return [];
  const text = (el: Element, local: string) => {
    const n = [...el.children].find((c) => c.localName === local);
    return n?.textContent?.trim() ?? '';
  };
  return [...doc.getElementsByTagNameNS('*', 'entry')].map((entry) => ({
    title: text(entry, 'title'),
    summary: text(entry, 'summary'),
    updated: text(entry, 'updated'),
    severity: text(entry, 'severity'),
    msgType: text(entry, 'msgType'),
    status: text(entry, 'status'),
    expires: text(entry, 'expires'),
    area: text(entry, 'areaDesc'),
    link: [...entry.children].find((c) => c.localName === 'link')?.getAttribute('href') ?? '',
  }));
}

/** The Vietnamese or English half of a bilingual text. */
function half(s: string, sep: string): string {
  const i = s.indexOf(sep);
  if (i < 0) return s;
  return lang() === 'en' ? s.slice(i + sep.length).trim() : s.slice(0, i).trim();
}

async function refresh(): Promise<void> {
  const [a, f] = await Promise.allSettled([api.publicAir(), api.capFeed()]);
  failed = a.status === 'rejected' && f.status === 'rejected';
  if (a.status === 'fulfilled') air = a.value;
  if (f.status === 'fulfilled') warnings = parseFeed(f.value);
  render();
  renderMap();
}

let sections: { warnings: HTMLElement; air: HTMLElement; status: HTMLElement } | null = null;
let map: L.Map | null = null;
let airLayer: L.LayerGroup | null = null;

function render(): void {
  if (!sections) return;
  const { warnings: w, air: a, status } = sections;
  status.textContent = failed ? t('public.load_failed') : '';

  clear(w);
  w.append(h('h2', null, svgIcon([...ICONS.warning]), h('span', { text: t('public.warnings') })));
  const current = (warnings ?? []).filter((x) => x.msgType !== 'Cancel');
  const ended = (warnings ?? []).filter((x) => x.msgType === 'Cancel').slice(0, 3);
  if (warnings && !current.length) w.append(h('p', { class: 'all-clear', text: t('public.no_warnings') }));
  for (const x of [...current, ...ended]) {
    const sev = x.msgType === 'Cancel' ? 'ended' : x.severity || 'Unknown';
    w.append(h('article', { class: `warning sev-${sev.toLowerCase()}`, data: { testid: 'warning' } },
      h('header', null,
        h('span', { class: 'badge', text: x.msgType === 'Cancel' ? t('public.ended') : t(`cap_severity.${x.severity || 'Unknown'}`) }),
        x.status === 'Exercise' ? h('span', { class: 'badge exercise', text: t('public.exercise') }) : null,
        h('time', { text: t('public.updated', { time: formatDateTime(x.updated) }) })),
      h('h3', { text: half(x.title, ' / ') }),
      h('p', { text: half(x.summary, '\n') }),
      h('footer', null,
        x.area ? h('span', { text: x.area }) : null,
        x.expires && x.msgType !== 'Cancel' ? h('span', { text: t('public.expires', { time: formatDateTime(x.expires) }) }) : null,
        x.link ? h('a', { attrs: { href: x.link, rel: 'noopener' }, text: t('public.cap_link') }) : null)));
  }

  clear(a);
  a.append(h('h2', null, svgIcon([...ICONS.leaf]), h('span', { text: t('public.air') })));
  const stations = (air?.stations ?? []).slice().sort((x, y) => (y.vn?.aqi ?? -1) - (x.vn?.aqi ?? -1));
  if (air && !stations.some((s) => s.vn)) a.append(h('p', { class: 'muted', text: t('public.air_none') }));
  const grid = h('div', { class: 'air-grid' });
  for (const s of stations) {
    const name = lang() === 'en' && s.name_en ? s.name_en : s.name;
    const level = s.vn?.level ?? 0;
    grid.append(h('article', { class: `air-card aqi-${level || 'none'}`, data: { testid: 'air', station: s.id } },
      h('div', { class: 'aqi-num' }, h('span', { class: 'n', text: s.vn ? String(s.vn.aqi) : '–' }), h('span', { class: 'unit', text: 'VN_AQI' })),
      h('div', { class: 'air-text' },
        h('h3', { text: name }),
        h('p', { class: 'cat', text: s.vn ? (lang() === 'en' ? s.vn.category_en : s.vn.category) : t('public.air_none') }),
        s.vn ? h('p', { class: 'advice', text: lang() === 'en' ? s.vn.advice.en : s.vn.advice.vi }) : null,
        h('p', { class: 'muted small' },
          s.pm25 ? t('public.pm25', { value: s.pm25.value.toFixed(1) }) : '',
          s.vn ? ` · ${formatDateTime(s.vn.at)}` : ''))));
  }
  a.append(grid);
}

function renderMap(): void {
  if (!map) return;
  airLayer?.remove();
  airLayer = L.layerGroup();
  for (const s of air?.stations ?? []) {
    if (s.geometry?.type !== 'Point') continue;
    const [lon, lat] = s.geometry.coordinates as number[];
    const level = s.vn?.level ?? 0;
    const icon = L.divIcon({
      className: 'mk-wrap',
      iconSize: [34, 34],
      iconAnchor: [17, 17],
      html: `<div class="pub-mk aqi-${level || 'none'}"><span>${s.vn ? Number(s.vn.aqi) : '–'}</span></div>`,
    });
    const name = lang() === 'en' && s.name_en ? s.name_en : s.name;
    L.marker([lat, lon], { icon, title: name }).bindTooltip(name).addTo(airLayer);
  }
  airLayer.addTo(map);
  // The first time there are stations: show them all.
  const points = (air?.stations ?? []).filter((s) => s.geometry?.type === 'Point').map((s) => {
    const [lon, lat] = s.geometry!.coordinates as number[];
    return L.latLng(lat, lon);
  });
  if (!fitted && points.length) {
    fitted = true;
    map.fitBounds(L.latLngBounds(points).pad(0.25), { maxZoom: 14 });
  }
}
let fitted = false;

async function boot(): Promise<void> {
  let cfg: UiConfig;
  try {
    cfg = await api.uiConfig();
  } catch {
    cfg = { city: 'cityops', center: { lat: 15.5736, lon: 108.474 }, zoom: 13, tile_url: '', tile_attribution: '', timezone: 'Asia/Ho_Chi_Minh', utc_offset_minutes: 420, languages: ['vi', 'en'], default_language: 'vi' };
  }
  setTimeZone(cfg.timezone);
  initLanguage(cfg.default_language);
  const title = () => (document.title = `${cfg.city} — ${t('public.title')}`);
  title();
  sections = {
    warnings: h('section', { class: 'card warnings', data: { testid: 'warnings' } }),
    air: h('section', { class: 'card air', data: { testid: 'air-quality' } }),
    status: h('p', { class: 'status muted', attrs: { role: 'status' } }),
  };
  const mapEl = h('div', { class: 'pub-map', data: { testid: 'public-map' } });
  root.replaceChildren(
    h('header', { class: 'pub-top' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, svgIcon([...ICONS.logo])),
        h('div', null, h('span', { class: 'brand-city', text: cfg.city }), h('span', { class: 'brand-product', i18n: 'public.title' }))),
      languageSwitch()),
    h('main', { class: 'pub-main' },
      sections.status,
      sections.warnings,
      sections.air,
      h('section', { class: 'card map-card' }, h('h2', null, svgIcon([...ICONS.globe]), h('span', { i18n: 'public.map' })), mapEl)),
    h('footer', { class: 'pub-foot' },
      h('span', { class: 'refresh-note' }),
      h('a', { attrs: { href: '/' }, i18n: 'public.operators' })),
  );
  apply(root);
  const offset = cfg.utc_offset_minutes;
  const zone = `UTC${offset >= 0 ? '+' : '-'}${Math.floor(Math.abs(offset) / 60)}${Math.abs(offset) % 60 ? ':' + String(Math.abs(offset) % 60).padStart(2, '0') : ''}`;
  const refreshNote = () => (root.querySelector('.refresh-note')!.textContent = t('public.refresh', { zone }));
  refreshNote();
  onLanguageChange(refreshNote);
  const basemap = createBasemap(mapEl, cfg, { zoomControl: true });
  map = basemap.map;
  map.scrollWheelZoom.disable();
  onLanguageChange(() => {
    title();
    render();
    renderMap();
  });
  await refresh().catch(() => undefined);
  window.setInterval(() => void refresh().catch(() => undefined), 60_000);
}

void boot();
