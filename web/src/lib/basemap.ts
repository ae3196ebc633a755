// The map both pages share: the configured basemap tiles (OpenStreetMap by default) under the city's own vector
// layers (ward boundary, rivers, main roads: examples/<city>/*.geojson, hand-drawn approximations bundled with the
// build), which keep the city readable when the tiles cannot be loaded (no internet) or when no tile URL is set.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { UiConfig } from './api';

// Bundled as files of their own (hashed URLs under /assets/), fetched when the map starts.
const LAYER_URLS = import.meta.glob('../../../examples/tamky/*.geojson', {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export interface Basemap {
  map: L.Map;
  /** Called once when the tiles fail (offline): the page shows a notice. */
  onTilesUnavailable(cb: () => void): void;
  tilesConfigured: boolean;
}

export function createBasemap(el: HTMLElement, cfg: UiConfig, opts: { zoomControl?: boolean; zoomPosition?: L.ControlPosition } = {}): Basemap {
  const map = L.map(el, {
    center: [cfg.center.lat, cfg.center.lon],
    zoom: cfg.zoom,
    minZoom: 3,
    maxZoom: 19,
    zoomControl: false,
    preferCanvas: false,
    worldCopyJump: false,
    attributionControl: true,
  });
  map.attributionControl.setPrefix('Leaflet');
  if (opts.zoomControl ?? true) L.control.zoom({ position: opts.zoomPosition ?? 'topleft' }).addTo(map);

  // Panes: local layers above the tiles, below the markers.
  map.createPane('local');
  map.getPane('local')!.classList.add('pane-local');

  let unavailable: (() => void) | null = null;
  let failed = false;
  const tilesConfigured = Boolean(cfg.tile_url);
  if (tilesConfigured) {
    const tiles = L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution, maxZoom: 19, crossOrigin: false });
    let errors = 0;
    let loads = 0;
    tiles.on('tileload', () => {
      loads++;
    });
    tiles.on('tileerror', () => {
      errors++;
      // Several failures and no success: offline. Drop the layer so the browser stops asking.
      if (!failed && errors >= 4 && loads === 0) {
        failed = true;
        map.removeLayer(tiles);
        el.classList.add('no-tiles');
        unavailable?.();
      }
    });
    tiles.addTo(map);
  } else {
    el.classList.add('no-tiles');
  }

  void loadLocalLayers(map);
  return {
    map,
    tilesConfigured,
    onTilesUnavailable(cb) {
      unavailable = cb;
      if (failed) cb();
    },
  };
}

async function loadLocalLayers(map: L.Map): Promise<void> {
  const order = (url: string) => (url.includes('ward') ? 0 : url.includes('river') ? 1 : 2);
  const urls = Object.values(LAYER_URLS).sort((a, b) => order(a) - order(b));
  for (const url of urls) {
    try {
      const res = await fetch(url);
      if (!res.ok) continue;
      const data = await res.json();
      L.geoJSON(data, {
        pane: 'local',
        interactive: false,
        style: (f) => {
          const kind = f?.properties?.kind ?? 'other';
          return { className: `local local-${kind}` };
        },
      }).addTo(map);
    } catch {
      // a missing layer only makes the map plainer
    }
  }
}
