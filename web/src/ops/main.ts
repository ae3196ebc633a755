// The operators' dashboard at "/": sign-in, then the map with every entity type as a layer, the alerts panel, the
// KPI bar and the detail view, all kept live over the WebSocket stream.
import '../styles/base.css';
import '../styles/ops.css';
import L from 'leaflet';
import { api, ApiError, session, type Me, type UiConfig } from '../lib/api';
import { createBasemap } from '../lib/basemap';
import { h, svgIcon } from '../lib/dom';
import { ICONS } from '../lib/icons';
import { apply, initLanguage, languageSwitch, onLanguageChange, t } from '../lib/i18n';
import { setSoundEnabled, soundEnabled, unlockAudio } from '../lib/sound';
import { LiveStream, type StreamState } from '../lib/stream';
import { formatClock, setTimeZone } from '../lib/time';
import { AlertsPanel } from './alerts';
import { DetailPanel } from './detail';
import { KpiBar } from './kpi';
import { LayerPanel } from './legend';
import { showLogin } from './login';
import { EntityLayers } from './markers';
import { State } from './state';

const root = document.getElementById('app')!;
let stream: LiveStream | null = null;

async function boot(): Promise<void> {
  let cfg: UiConfig;
  try {
    cfg = await api.uiConfig();
  } catch {
    cfg = { city: 'cityops', center: { lat: 15.5736, lon: 108.474 }, zoom: 13, tile_url: '', tile_attribution: '', timezone: 'Asia/Ho_Chi_Minh', utc_offset_minutes: 420, languages: ['vi', 'en'], default_language: 'vi' };
  }
  setTimeZone(cfg.timezone);
  initLanguage(cfg.default_language);
  document.title = `${t('app.short')} ${cfg.city} — cityops`;
  onLanguageChange(() => (document.title = `${t('app.short')} ${cfg.city} — cityops`));
  session.onExpired(() => signOut(cfg, t('login.expired')));
  if (session.token()) {
    try {
      const me = await api.me();
      return start(cfg, me);
    } catch {
      session.clear();
    }
  }
  showLogin(root, cfg, null, () => void afterLogin(cfg));
}

async function afterLogin(cfg: UiConfig): Promise<void> {
  try {
    start(cfg, await api.me());
  } catch (err) {
    showLogin(root, cfg, err instanceof Error ? err.message : String(err), () => void afterLogin(cfg));
  }
}

function signOut(cfg: UiConfig, notice: string | null): void {
  stream?.stop();
  stream = null;
  session.clear();
  window.location.hash = '';
  showLogin(root, cfg, notice, () => void afterLogin(cfg));
}

function start(cfg: UiConfig, me: Me): void {
  const state = new State(me);
  document.body.addEventListener('pointerdown', unlockAudio, { once: true });

  // --- layout ---------------------------------------------------------------------------------------------------
  const conn = h('span', { class: 'conn', data: { testid: 'connection' } }, h('span', { class: 'conn-dot' }), h('span', { class: 'conn-text' }));
  const setConn = (s: StreamState) => {
    conn.dataset.state = s;
    conn.querySelector('.conn-text')!.textContent = t(s === 'live' ? 'header.live' : s === 'connecting' ? 'header.connecting' : 'header.offline');
  };
  const clock = h('span', { class: 'clock', data: { testid: 'clock' } });
  const tick = () => (clock.textContent = formatClock(Date.now()));
  tick();
  window.setInterval(tick, 1000);
  const sound = h('button', { class: 'icon-btn', attrs: { type: 'button' } });
  const syncSound = () => {
    sound.replaceChildren(svgIcon([...(soundEnabled() ? ICONS.soundOn : ICONS.soundOff)]));
    sound.title = t(soundEnabled() ? 'header.sound_on' : 'header.sound_off');
    sound.setAttribute('aria-label', sound.title);
    sound.classList.toggle('muted-state', !soundEnabled());
  };
  sound.addEventListener('click', () => {
    setSoundEnabled(!soundEnabled());
    syncSound();
  });
  syncSound();
  const logout = h('button', { class: 'icon-btn', attrs: { type: 'button' }, data: { testid: 'logout' } }, svgIcon([...ICONS.logout]));
  const syncLogout = () => {
    logout.title = t('header.logout');
    logout.setAttribute('aria-label', logout.title);
  };
  syncLogout();
  logout.addEventListener('click', async () => {
    try {
      await api.logout();
    } catch {
      // the session is dropped here either way
    }
    signOut(cfg, null);
  });
  const roleBadge = h('span', { class: 'role', i18n: `roles.${me.role}` });
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, svgIcon([...ICONS.logo])),
      h('div', null, h('span', { class: 'brand-city', text: `${t('app.short')} ${cfg.city}` }), h('span', { class: 'brand-product', i18n: 'app.product' }))),
    h('div', { class: 'spacer' }),
    conn, clock,
    h('a', { class: 'top-link', attrs: { href: '/public', target: '_blank', rel: 'noopener' }, i18n: 'header.public_page' }),
    languageSwitch(), sound,
    h('span', { class: 'user' }, h('span', { class: 'user-name', text: me.name }), roleBadge),
    logout);

  const mapEl = h('div', { class: 'map', data: { testid: 'map' } });
  const mapWrap = h('div', { class: 'map-wrap' }, mapEl);
  const detail = new DetailPanel(state, (id) => layers.focus(id));
  const kpis = new KpiBar(state, (id) => pick(id));
  const alerts = new AlertsPanel(state, (id) => pick(id));
  mapWrap.append(detail.el, alerts.bannerElement());
  root.replaceChildren(h('div', { class: 'shell' }, header, kpis.el, h('main', { class: 'workspace' }, mapWrap, alerts.el)));
  apply(root);

  // --- map --------------------------------------------------------------------------------------------------------
  const basemap = createBasemap(mapEl, cfg, { zoomPosition: 'bottomright' });
  const layers = new EntityLayers(basemap.map, state, (id) => pick(id));
  const panel = new LayerPanel(layers, basemap.tilesConfigured);
  panel.attach(basemap.map, mapWrap, L);
  basemap.onTilesUnavailable(() => panel.setOffline());
  L.DomEvent.disableClickPropagation(detail.el);
  L.DomEvent.disableScrollPropagation(detail.el);

  function pick(id: string): void {
    state.select(id);
    layers.focus(id);
    void detail.open(id);
  }
  state.on('select', (id) => {
    if (id === null && detail.openId) detail.close(false);
  });

  onLanguageChange(() => {
    setConn((conn.dataset.state as StreamState) ?? 'connecting');
    syncSound();
    syncLogout();
    layers.touchAll();
    panel.render();
  });

  // --- data -------------------------------------------------------------------------------------------------------
  const loadAlerts = async () => {
    const [active, acknowledged, resolved] = await Promise.all([
      api.alerts({ state: 'active', limit: 1000 }),
      api.alerts({ state: 'acknowledged', limit: 1000 }),
      api.alerts({ state: 'resolved', limit: 100 }),
    ]);
    state.setAlerts([...active, ...acknowledged, ...resolved]);
    layers.touchAll();
  };
  const loadLatest = async () => {
    state.applyObservations(await api.latest(), false);
    layers.touchAll();
  };

  setConn('connecting');
  (async () => {
    try {
      state.setEntities(await api.entities());
      await Promise.all([loadLatest(), loadAlerts()]);
      layers.build();
      panel.render();
      layers.touchAll();
      state.emit('observations', []);
      mapEl.dataset.ready = 'true';
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) console.error('loading the city', err);
      return;
    }
    const types = [...new Set([...state.entities.values()].map((e) => e.type))];
    stream = new LiveStream(() => session.token(), {
      onObservations: (obs) => {
        const changed = state.applyObservations(obs);
        layers.touch(changed.map((o) => o.entity));
      },
      onAlert: (a) => {
        state.applyAlert(a);
        layers.touch([a.entity]);
      },
      onState: setConn,
      onResync: () => void Promise.all([loadLatest(), loadAlerts()]).catch(() => undefined),
      onUnauthenticated: () => signOut(cfg, t('login.expired')),
    });
    stream.start(['alerts', ...types.map((ty) => `observations:type:${ty}`)]);
  })();
}

void boot();
