// The entity layers of the operators' map: one toggleable layer per entity type, point entities in marker clusters
// (10 000 stay smooth: only visible, unclustered markers have DOM nodes, and updates are batched per frame),
// polygons and lines as shapes. Stations are coloured by alarm level, cameras by congestion with their live count,
// air-quality stations by VN_AQI category; entities with an open alert carry a ring in the alert's severity colour.
import L from 'leaflet';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import type { Entity } from '../lib/api';
import { alarmLevelAt, anchorOf, aqiCategory, congestionOf, displayName, formatValue, kindOf, severityRank } from '../lib/domain';
import { iconMarkup } from '../lib/icons';
import { lang, locale } from '../lib/i18n';
import type { State } from './state';

const STALE_MS = 30 * 60_000;

interface Look {
  cls: string;     // state classes of the marker
  label: string;   // the value shown beside it ('' for none)
  rank: number;    // for the cluster's colour: the worst child wins
  alert: number;   // severity rank of the open alert (0 none)
}

export interface TypeLayer {
  type: string;
  markers: L.Marker[];
  shapes: L.FeatureGroup;
  count: number;
  visible: boolean;
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class EntityLayers {
  readonly types = new Map<string, TypeLayer>();
  /** One cluster group for every point entity (types cluster together, so that nothing overlaps); a type's layer
   *  is shown or hidden by adding or removing its markers. */
  private group: L.MarkerClusterGroup;
  private markers = new Map<string, L.Marker>();
  private shapes = new Map<string, L.Path[]>();
  private looks = new Map<string, string>();
  private dirty = new Set<string>();
  private clustersDirty = false;
  private frame = 0;
  private clusterTimer: number | undefined;

  constructor(
    private readonly map: L.Map,
    private readonly state: State,
    private readonly onSelect: (id: string) => void,
  ) {
    this.group = L.markerClusterGroup({
      chunkedLoading: true,
      maxClusterRadius: 48,
      disableClusteringAtZoom: 17,
      spiderfyOnMaxZoom: true,
      showCoverageOnHover: false,
      iconCreateFunction: (cluster) => this.clusterIcon(cluster),
    });
    this.group.addTo(map);
  }

  /** (Re)builds every layer from state.entities. */
  build(): void {
    this.group.clearLayers();
    for (const l of this.types.values()) this.map.removeLayer(l.shapes);
    const previouslyHidden = new Set([...this.types.values()].filter((l) => !l.visible).map((l) => l.type));
    this.types.clear();
    this.markers.clear();
    this.shapes.clear();
    this.looks.clear();

    const alerts = this.state.worstOpenAlertByEntity();
    const byType = new Map<string, Entity[]>();
    for (const e of this.state.entities.values()) {
      if (!e.geometry) continue;
      (byType.get(e.type) ?? byType.set(e.type, []).get(e.type)!).push(e);
    }
    const types = [...byType.keys()].sort((a, b) => kindOf(a).order - kindOf(b).order || a.localeCompare(b));
    const shown: L.Marker[] = [];
    for (const type of types) {
      const shapes = L.featureGroup();
      const markers: L.Marker[] = [];
      for (const e of byType.get(type)!) {
        if (e.geometry!.type === 'Point') {
          const m = this.createMarker(e, alerts);
          if (m) markers.push(m);
        } else {
          this.createShape(e, shapes);
        }
      }
      const layer: TypeLayer = { type, markers, shapes, count: byType.get(type)!.length, visible: !previouslyHidden.has(type) };
      this.types.set(type, layer);
      if (layer.visible) {
        shapes.addTo(this.map);
        shown.push(...markers);
      }
    }
    this.group.addLayers(shown);
    this.refreshShapes();
  }

  setVisible(type: string, visible: boolean): void {
    const l = this.types.get(type);
    if (!l || l.visible === visible) return;
    l.visible = visible;
    if (visible) {
      l.shapes.addTo(this.map);
      this.group.addLayers(l.markers);
    } else {
      this.map.removeLayer(l.shapes);
      this.group.removeLayers(l.markers);
    }
  }

  /** Marks entities for a new look; applied on the next animation frame. */
  touch(ids: Iterable<string>): void {
    for (const id of ids) this.dirty.add(id);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  touchAll(): void {
    this.touch(this.state.entities.keys());
  }

  focus(id: string): void {
    const m = this.markers.get(id);
    const e = this.state.entities.get(id);
    if (!e) return;
    const l = this.types.get(e.type);
    if (l && !l.visible) this.setVisible(e.type, true);
    if (m && l) {
      this.group.zoomToShowLayer(m, () => m.getElement()?.classList.add('mk-pulse'));
      window.setTimeout(() => m.getElement()?.classList.remove('mk-pulse'), 2400);
      return;
    }
    const paths = this.shapes.get(id);
    if (paths?.length) this.map.fitBounds(L.featureGroup(paths).getBounds(), { maxZoom: 15, padding: [40, 40] });
  }

  private createMarker(e: Entity, alerts: Map<string, import('../lib/api').Alert>): L.Marker | null {
    const at = anchorOf(e);
    if (!at) return null;
    const look = this.look(e, alerts);
    const m = L.marker(at, {
      icon: this.icon(e, look),
      keyboard: true,
      title: displayName(e, lang()),
      riseOnHover: true,
    });
    (m.options as any).rank = look.rank;
    m.on('click', () => this.onSelect(e.id));
    this.markers.set(e.id, m);
    this.looks.set(e.id, look.cls + '|' + look.label);
    return m;
  }

  private createShape(e: Entity, into: L.FeatureGroup): void {
    const gj = L.geoJSON({ type: 'Feature', properties: {}, geometry: e.geometry } as any, {
      style: () => ({ className: 'shape' }),
    });
    const paths: L.Path[] = [];
    gj.eachLayer((layer) => {
      const p = layer as L.Path;
      p.on('click', () => this.onSelect(e.id));
      p.bindTooltip(displayName(e, lang()), { sticky: true, className: 'shape-tip' });
      p.on('add', () => {
        const el = p.getElement();
        if (el) {
          el.setAttribute('data-entity', e.id);
          this.applyShapeClass(e, p);
        }
      });
      paths.push(p);
      into.addLayer(p);
    });
    this.shapes.set(e.id, paths);
  }

  private applyShapeClass(e: Entity, p: L.Path): void {
    const el = p.getElement() as SVGElement | undefined;
    if (!el) return;
    const cls = ['shape', `shape-${e.type}`];
    const watch = e.attributes?.watch_station;
    const floodZone = e.attributes?.category === 'flood-risk' || e.tags?.includes('flood');
    if (floodZone) {
      cls.push('shape-flood');
      const station = typeof watch === 'string' ? this.state.entities.get(watch) : undefined;
      const v = station ? this.state.value(station.id, 'water_level_m') : undefined;
      const level = station && v ? alarmLevelAt(station, v.value) : null;
      cls.push(level === null || level === undefined ? 'lvl-none' : `lvl-${level}`);
    }
    const alert = this.state.worstOpenAlertByEntity().get(e.id);
    if (alert) cls.push('has-alert', `sev-${alert.severity}`);
    el.setAttribute('class', cls.join(' ') + ' leaflet-interactive');
  }

  private refreshShapes(): void {
    for (const [id, paths] of this.shapes) {
      const e = this.state.entities.get(id);
      if (e) for (const p of paths) this.applyShapeClass(e, p);
    }
  }

  private flush(): void {
    this.frame = 0;
    const alerts = this.state.worstOpenAlertByEntity();
    let shapesTouched = false;
    for (const id of this.dirty) {
      const e = this.state.entities.get(id);
      if (!e) continue;
      const m = this.markers.get(id);
      if (!m) {
        if (this.shapes.has(id)) shapesTouched = true;
        continue;
      }
      const look = this.look(e, alerts);
      const key = look.cls + '|' + look.label;
      if (this.looks.get(id) === key) continue;
      this.looks.set(id, key);
      (m.options as any).rank = look.rank;
      m.setIcon(this.icon(e, look));
      this.clustersDirty = true;
    }
    // Stations drive the colour of the flood zones that watch them.
    if ([...this.dirty].some((id) => this.state.entities.get(id)?.type === 'WaterLevelStation')) shapesTouched = true;
    this.dirty.clear();
    if (shapesTouched) this.refreshShapes();
    if (this.clustersDirty && this.clusterTimer === undefined) {
      this.clusterTimer = window.setTimeout(() => {
        this.clusterTimer = undefined;
        this.clustersDirty = false;
        this.group.refreshClusters();
      }, 500);
    }
  }

  /** Classes, label and rank of an entity's marker from its latest values and open alerts. */
  private look(e: Entity, alerts = this.state.worstOpenAlertByEntity()): Look {
    const kind = kindOf(e.type);
    const cls = [`mk-${kind.icon}`];
    let label = '';
    let rank = 0;
    const loc = locale();
    const lastSeen = this.state.lastSeen(e.id);
    const v = (metric: string) => this.state.value(e.id, metric);
    switch (e.type) {
      case 'WaterLevelStation': {
        const o = v('water_level_m');
        const level = o ? alarmLevelAt(e, o.value) : null;
        cls.push(o ? (level === null ? 'lvl-none' : `lvl-${level}`) : 'nodata');
        if (o) label = formatValue('water_level_m', o.value, loc);
        rank = level ?? 0;
        break;
      }
      case 'TrafficCamera': {
        const count = v('vehicle_count');
        const speed = v('avg_speed_kmh') ?? v('mean_speed_kmh');
        const c = congestionOf(e, speed?.value);
        cls.push(c ? `cg-${c}` : 'nodata');
        if (count) label = Math.round(count.value).toLocaleString(loc);
        rank = c === 'congested' ? 3 : c === 'heavy' ? 2 : c === 'moderate' ? 1 : 0;
        break;
      }
      case 'AirQualityStation': {
        const o = v('aqi_vn');
        if (o) {
          const cat = aqiCategory(o.value);
          cls.push(`aqi-${cat}`);
          label = String(Math.round(o.value));
          rank = Math.max(0, cat - 2);
        } else {
          cls.push('nodata');
        }
        break;
      }
      default: {
        const primary = kind.primary ? v(kind.primary) : undefined;
        if (primary) label = formatValue(primary.metric, primary.value, loc);
        cls.push(lastSeen ? 'plain' : kind.primary ? 'nodata' : 'plain');
      }
    }
    if (lastSeen && Date.now() - lastSeen > STALE_MS && e.type !== 'AirQualityStation') cls.push('stale');
    const alert = alerts.get(e.id);
    const alertRank = alert ? severityRank(alert.severity) : 0;
    if (alert) cls.push('has-alert', `sev-${alert.severity}`);
    return { cls: cls.join(' '), label, rank: Math.max(rank, alertRank ? alertRank + 1 : 0), alert: alertRank };
  }

  private icon(e: Entity, look: Look): L.DivIcon {
    const kind = kindOf(e.type);
    const label = look.label ? `<span class="mk-label">${escapeAttr(look.label)}</span>` : '';
    return L.divIcon({
      className: 'mk-wrap',
      iconSize: [30, 30],
      iconAnchor: [15, 15],
      html: `<div class="mk ${look.cls}" data-entity="${escapeAttr(e.id)}" data-type="${escapeAttr(e.type)}"><span class="mk-dot">${iconMarkup(kind.icon)}</span>${label}</div>`,
    });
  }

  private clusterIcon(cluster: L.MarkerCluster): L.DivIcon {
    let rank = 0;
    for (const m of cluster.getAllChildMarkers()) rank = Math.max(rank, (m.options as any).rank ?? 0);
    const n = cluster.getChildCount();
    const size = n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 46 : 52;
    return L.divIcon({
      className: 'cl-wrap',
      iconSize: [size, size],
      html: `<div class="cl cl-rank-${Math.min(rank, 5)}"><span>${n}</span></div>`,
    });
  }
}
