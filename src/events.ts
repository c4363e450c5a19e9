import { EventEmitter } from 'node:events';
import type { AutotaskEvent } from './autotask/client.js';
import type { DeliveryEvents } from './delivery/events.js';
import type { PoolEvent } from './render/browser.js';
import type { SyncEvent } from './sync/index.js';

/**
 * The one event map of the process (design style 10): the delivery core and the daemon, the sync, the
 * Autotask client and the browser pool. Each component reports through its own narrow callback; the
 * composition root (app.ts) forwards those into one `Events`, which feeds the logger and lets tests wait
 * for an event instead of sleeping.
 */
type ByType<U extends { type: string }> = { [E in U as E['type']]: Omit<E, 'type'> };

/** Browser pool events under their log names. */
export type PoolEvents = {
  [E in PoolEvent as `pool:${E['type']}`]: Omit<E, 'type'>;
};

/** Every event of the process, by name. */
export type AppEvents = DeliveryEvents & ByType<SyncEvent> & ByType<AutotaskEvent> & PoolEvents;

/** A name of AppEvents. */
export type EventName = keyof AppEvents & string;

/** A listener of every event. */
export type AnyListener = <K extends EventName>(name: K, e: AppEvents[K]) => void;

/** A typed wrapper over EventEmitter. Listeners that throw are not allowed to break a run. */
export class Events {
  private readonly ee = new EventEmitter();
  private readonly any = new Set<AnyListener>();

  constructor() {
    this.ee.setMaxListeners(100);
  }

  on<K extends EventName>(name: K, fn: (e: AppEvents[K]) => void): () => void {
    this.ee.on(name, fn);
    return () => this.ee.off(name, fn);
  }

  /** Every event, for the logger. */
  onAny(fn: AnyListener): () => void {
    this.any.add(fn);
    return () => this.any.delete(fn);
  }

  /** Resolves with the first event of `name` for which `pred` holds. */
  once<K extends EventName>(name: K, pred: (e: AppEvents[K]) => boolean = () => true): Promise<AppEvents[K]> {
    return new Promise((resolve) => {
      const fn = (e: AppEvents[K]) => {
        if (!pred(e)) return;
        this.ee.off(name, fn);
        resolve(e);
      };
      this.ee.on(name, fn);
    });
  }

  emit<K extends EventName>(name: K, e: AppEvents[K]): void {
    try {
      for (const fn of this.any) fn(name, e);
      this.ee.emit(name, e);
    } catch {
      // A faulty listener (logger, test) must not change the outcome of a run.
    }
  }

  /** Forwards a component's `{ type, … }` callback events (sync, Autotask client) into this map. */
  forward<U extends { type: string }>(): (e: U) => void {
    return (e) => {
      const { type, ...rest } = e;
      this.emit(type as EventName, rest as never);
    };
  }

  /** Forwards the browser pool's events (`launch` → `pool:launch`). */
  forwardPool(): (e: PoolEvent) => void {
    return (e) => {
      const { type, ...rest } = e;
      this.emit(`pool:${type}`, rest as never);
    };
  }
}
