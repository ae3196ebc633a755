// The live stream (WebSocket /api/v1/stream): the token as the first message, then the topics; reconnects with
// back-off, and tells the page when it is (re)connected so that it can catch up (the stream has no replay).
import type { Alert, Observation } from './api';

export type StreamState = 'connecting' | 'live' | 'offline';

export interface StreamHandlers {
  onObservations(obs: Observation[]): void;
  onAlert(alert: Alert): void;
  onState(state: StreamState): void;
  /** Connected again after a drop: fetch what was missed. */
  onResync(): void;
  /** The server refused the token (expired or revoked). */
  onUnauthenticated(): void;
}

export class LiveStream {
  private ws: WebSocket | null = null;
  private topics: string[] = [];
  private retry = 0;
  private timer: number | undefined;
  private stopped = false;
  private everLive = false;

  constructor(
    private readonly token: () => string | null,
    private readonly handlers: StreamHandlers,
  ) {}

  start(topics: string[]): void {
    this.topics = [...new Set(topics)];
    this.stopped = false;
    this.connect();
  }

  /** Adds topics (e.g. a new entity type); sent at once when connected. */
  subscribe(topics: string[]): void {
    const fresh = topics.filter((t) => !this.topics.includes(t));
    if (!fresh.length) return;
    this.topics.push(...fresh);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ subscribe: fresh }));
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
  }

  private connect(): void {
    const token = this.token();
    if (!token || this.stopped) return;
    this.handlers.onState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/stream`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ token }));
    ws.onmessage = (m) => {
      let frame: any;
      try {
        frame = JSON.parse(typeof m.data === 'string' ? m.data : '');
      } catch {
        return;
      }
      if (frame.authenticated) {
        this.retry = 0;
        if (this.topics.length) ws.send(JSON.stringify({ subscribe: this.topics }));
        this.handlers.onState('live');
        if (this.everLive) this.handlers.onResync();
        this.everLive = true;
      } else if (frame.channel === 'observations' && Array.isArray(frame.observations)) {
        this.handlers.onObservations(frame.observations as Observation[]);
      } else if (frame.channel === 'alerts' && frame.data) {
        this.handlers.onAlert(frame.data as Alert);
      } else if (frame.error === 'unauthenticated' || frame.error === 'forbidden') {
        this.stopped = true;
        this.handlers.onUnauthenticated();
      }
    };
    ws.onclose = () => {
      this.ws = null;
      if (this.stopped) return;
      this.handlers.onState('offline');
      const delay = Math.min(15000, 500 * 2 ** this.retry++) * (0.75 + Math.random() / 2);
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
  }
}
