import { SIM_ENTITIES, simEntity, udfColumn, type PicklistValue, type SimEntity } from './schema.js';
import { Table, type Stored, type StoredRecord } from './table.js';
import { parseInstant } from './format.js';

/** Data size of a generated tenant. */
export type Scale = 'tiny' | 'small' | 'medium' | 'large';

/**
 * One simulated Autotask database: tables per entity, the tenant's picklists and its clock. Writes go
 * through `insert`/`update`/`remove`, which keep Autotask's side effects: change timestamps bumped,
 * ticket completion fields, ticket history, parent `lastActivityDate`, and the deletion logs.
 */
export class Tenant {
  /** Seed the tenant was generated from. */
  readonly seed: number;
  /** Size class. */
  readonly scale: Scale;
  /** Simulated now (epoch ms); moves only through `advance`. */
  now: number;
  /** Picklists per entity and field. */
  readonly picklists: Record<string, Record<string, PicklistValue[]>>;
  /** Resource recorded as the deleter in deletion logs (the API user's resource). */
  adminResourceId = 29682885;
  private readonly tables = new Map<string, Table>();
  /** Told of every write (the simulator's webhook callouts listen here). */
  onChange: ((e: { entity: string; id: number; action: 'Create' | 'Update' | 'Delete'; fields: string[] }) => void) | null = null;

  constructor(opts: { seed: number; scale: Scale; now: number; picklists: Record<string, Record<string, PicklistValue[]>> }) {
    this.seed = opts.seed;
    this.scale = opts.scale;
    this.now = opts.now;
    this.picklists = opts.picklists;
    for (const e of SIM_ENTITIES) this.tables.set(e.name, new Table(e));
  }

  /** The table of an entity (REST name, case-insensitive). */
  table(name: string): Table {
    const t = this.tables.get(simEntity(name).name);
    if (!t) throw new Error(`no table ${name}`);
    return t;
  }

  /** Every table. */
  allTables(): Table[] {
    return [...this.tables.values()];
  }

  /** Picklist value of a label (trimmed, case-insensitive); throws when the tenant has no such label. */
  value(entity: string, field: string, label: string): number {
    const list = this.picklists[entity]?.[field] ?? [];
    const want = label.trim().toLowerCase();
    const hit = list.find((v) => v.label.trim().toLowerCase() === want);
    if (!hit) throw new Error(`simulator: no ${entity}.${field} picklist label "${label}"`);
    return hit.value;
  }

  /** Label of a picklist value, or undefined. */
  label(entity: string, field: string, value: number | null): string | undefined {
    if (value === null) return undefined;
    return this.picklists[entity]?.[field]?.find((v) => v.value === value)?.label.trim();
  }

  /**
   * Gives picklist values new numbers, in the metadata and in every stored row (tests of "labels, not
   * ids"). `map` is old value → new value; change timestamps are left alone, as a renumbering is not an edit.
   */
  renumberPicklist(entity: string, field: string, map: Record<number, number>): void {
    const list = this.picklists[entity]?.[field];
    if (!list) throw new Error(`simulator: ${entity}.${field} is not a picklist`);
    for (const v of list) if (v.value in map) v.value = map[v.value]!;
    for (const v of this.picklists[entity] ? Object.values(this.picklists[entity]!).flat() : []) {
      if (v.parentValue !== undefined && v.parentValue in map && this.table(entity).entity.fields.some((f) => f.picklistParent === field)) v.parentValue = map[v.parentValue]!;
    }
    const col = this.table(entity).numColumn(field);
    if (!col) return;
    for (let i = 0; i < this.table(entity).length; i++) {
      const v = col[i]!;
      if (!Number.isNaN(v) && v in map) col[i] = map[v]!;
    }
  }

  /** Next id for an entity (ids only grow). */
  nextId(entity: string): number {
    const t = this.table(entity);
    return t.maxId < 0 ? 1 : t.maxId + 1;
  }

  /** Storage-form record of an id, or undefined. */
  get(entity: string, id: number): StoredRecord | undefined {
    const t = this.table(entity);
    const pos = t.find(id);
    return pos < 0 ? undefined : t.stored(pos);
  }

  /**
   * Adds a record (API or storage form: datetimes as ISO strings or epoch ms). A missing id gets the
   * next one; creation and change timestamps default to now. Returns the id.
   */
  insert(entity: string, record: Record<string, unknown>): number {
    const t = this.table(entity);
    const e = t.entity;
    const rec = this.toStored(e, record);
    if (rec.id === null || rec.id === undefined) rec.id = this.nextId(e.name);
    for (const f of ['createDate', 'createDateTime']) if (t.byLower.has(f.toLowerCase()) && rec[f] == null) rec[f] = this.now;
    if (e.changeField && rec[e.changeField] == null) rec[e.changeField] = this.now;
    if (e.name === 'TimeEntries') {
      // Autotask derives what the caller left out: hours from start/end, the work date, hours to bill.
      const start = rec.startDateTime as number | null | undefined;
      const end = rec.endDateTime as number | null | undefined;
      if (rec.hoursWorked == null && typeof start === 'number' && typeof end === 'number') rec.hoursWorked = Math.round(((end - start) / 3_600_000) * 100) / 100;
      if (rec.dateWorked == null && typeof start === 'number') rec.dateWorked = Math.floor(start / 86_400_000) * 86_400_000;
      if (rec.hoursToBill == null && rec.isNonBillable !== true) rec.hoursToBill = rec.hoursWorked ?? null;
      if (rec.isNonBillable == null) rec.isNonBillable = false;
      if (rec.createDateTime == null) rec.createDateTime = this.now;
    }
    if (e.name === 'Tickets') {
      if (rec.lastTrackedModificationDateTime == null) rec.lastTrackedModificationDateTime = rec.lastActivityDate ?? this.now;
      if (rec.status === this.completeTicketStatus() && rec.completedDate == null) rec.completedDate = this.now;
    }
    t.append(rec);
    const id = rec.id as number;
    if (e.name === 'Tickets') this.history(id, 'Created', 'Ticket created', (rec.creatorResourceID as number | null) ?? null, rec.createDate as number);
    if (e.name === 'TimeEntries') this.touchParentOfTimeEntry(rec);
    this.onChange?.({ entity: e.name, id, action: 'Create', fields: Object.keys(rec) });
    return id;
  }

  /** Changes fields of a record and bumps its change timestamp (unless the patch sets it). */
  update(entity: string, id: number, patch: Record<string, unknown>): void {
    const t = this.table(entity);
    const e = t.entity;
    const pos = t.find(id);
    if (pos < 0) throw new Error(`simulator: ${e.name} ${id} not found`);
    const p = this.toStored(e, patch);
    delete p.id;
    if (e.name === 'Tickets') this.ticketSideEffects(t, pos, p);
    for (const [k, v] of Object.entries(p)) t.set(pos, k, v);
    if (e.changeField && !(e.changeField in p)) t.set(pos, e.changeField, this.now);
    if (e.name === 'Companies' && !('lastTrackedModifiedDateTime' in p)) t.set(pos, 'lastTrackedModifiedDateTime', this.now);
    if (e.name === 'TimeEntries') this.touchParentOfTimeEntry(t.stored(pos));
    this.onChange?.({ entity: e.name, id, action: 'Update', fields: Object.keys(p) });
  }

  /** Removes a record; tickets and time entries leave a row in the matching deletion log. */
  remove(entity: string, id: number): void {
    const t = this.table(entity);
    const pos = t.find(id);
    if (pos < 0) throw new Error(`simulator: ${t.entity.name} ${id} not found`);
    const rec = t.stored(pos);
    t.remove(pos);
    this.onChange?.({ entity: t.entity.name, id, action: 'Delete', fields: [] });
    if (t.entity.name === 'ServiceCalls') {
      // A service call's ticket links are its children: Autotask deletes them with it (no deletion log).
      const links = this.table('ServiceCallTickets');
      for (let p = 0; p < links.length; p++) if (links.isAlive(p) && links.get(p, 'serviceCallID') === id) links.remove(p);
    }
    if (t.entity.name === 'Tickets') {
      // Its service-call links go with it (they would point at nothing), without a log of their own.
      const links = this.table('ServiceCallTickets');
      for (let p = 0; p < links.length; p++) if (links.isAlive(p) && links.get(p, 'ticketID') === id) links.remove(p);
      this.table('DeletedTicketLogs').append({
        id: this.nextId('DeletedTicketLogs'), ticketID: id, ticketNumber: rec.ticketNumber, ticketTitle: rec.title,
        deletedByResourceID: this.adminResourceId, deletedDateTime: this.now,
      });
    } else if (t.entity.name === 'TimeEntries') {
      const onTicket = rec.ticketID !== null;
      const log = onTicket ? 'DeletedTicketActivityLogs' : 'DeletedTaskActivityLogs';
      const parent = onTicket ? this.get('Tickets', rec.ticketID as number) : this.get('Tasks', rec.taskID as number);
      this.table(log).append({
        id: this.nextId(log), ...(onTicket ? { ticketID: rec.ticketID, ticketNumber: parent?.ticketNumber ?? null } : { taskID: rec.taskID, taskNumber: parent?.taskNumber ?? null }),
        typeID: 1, noteOrAttachmentTitle: null, createdByResourceID: rec.resourceID, activityDateTime: rec.createDateTime,
        startDateTime: rec.startDateTime, endDateTime: rec.endDateTime, hoursWorked: rec.hoursWorked,
        deletedByResourceID: this.adminResourceId, deletedDateTime: this.now,
      });
      this.touchParentOfTimeEntry(rec);
    }
  }

  /** Ticket status value that means complete (Autotask's system value 5). */
  completeTicketStatus(): number {
    return this.value('Tickets', 'status', 'Complete');
  }

  /** Appends a TicketHistory row (what `TicketHistory/query?ticketID eq` answers). */
  history(ticketID: number, action: string, detail: string, resourceID: number | null, at = this.now): void {
    const h = this.table('TicketHistory');
    h.append({ id: this.nextId('TicketHistory'), ticketID, action, detail, resourceID, date: at });
  }

  private ticketSideEffects(t: Table, pos: number, p: StoredRecord): void {
    const complete = this.completeTicketStatus();
    const id = t.idAt(pos);
    const before = t.stored(pos);
    if ('status' in p && p.status !== before.status) {
      if (p.status === complete) {
        if (!('completedDate' in p)) p.completedDate = this.now;
        if (!('completedByResourceID' in p)) p.completedByResourceID = (p.assignedResourceID ?? before.assignedResourceID) as Stored;
        if (before.resolvedDateTime === null && !('resolvedDateTime' in p)) p.resolvedDateTime = p.completedDate ?? this.now;
      } else if (before.status === complete) {
        // Reopening clears the completion, as Autotask does.
        if (!('completedDate' in p)) p.completedDate = null;
        if (!('completedByResourceID' in p)) p.completedByResourceID = null;
        if (!('resolvedDateTime' in p)) p.resolvedDateTime = null;
      }
    }
    for (const f of ['status', 'priority', 'queueID', 'assignedResourceID'] as const) {
      if (f in p && p[f] !== before[f]) {
        const from = this.label('Tickets', f, before[f] as number | null) ?? String(before[f]);
        const to = this.label('Tickets', f, p[f] as number | null) ?? String(p[f]);
        this.history(id, 'Edit', `${f}: ${from} -> ${to}`, (p.assignedResourceID ?? before.assignedResourceID) as number | null);
      }
    }
    if (!('lastTrackedModificationDateTime' in p)) p.lastTrackedModificationDateTime = this.now;
  }

  private touchParentOfTimeEntry(rec: StoredRecord): void {
    if (typeof rec.ticketID === 'number') {
      const tt = this.table('Tickets');
      const pos = tt.find(rec.ticketID);
      if (pos >= 0) tt.set(pos, 'lastActivityDate', this.now);
    } else if (typeof rec.taskID === 'number') {
      const tt = this.table('Tasks');
      const pos = tt.find(rec.taskID);
      if (pos >= 0) tt.set(pos, 'lastActivityDateTime', this.now);
    }
  }

  private toStored(e: SimEntity, rec: Record<string, unknown>): StoredRecord {
    const t = this.table(e.name);
    const out: StoredRecord = {};
    for (const [k, v] of Object.entries(rec)) {
      if (k.toLowerCase() === 'userdefinedfields' && Array.isArray(v)) {
        for (const u of v as { name?: unknown; value?: unknown }[]) {
          const def = e.udfs?.find((d) => d.name.toLowerCase() === String(u?.name).toLowerCase());
          if (def) out[udfColumn(def.name)] = u.value === null || u.value === undefined ? null : String(u.value);
        }
        continue;
      }
      if (k.startsWith('udf:')) {
        out[k] = v === null || v === undefined ? null : String(v);
        continue;
      }
      const f = t.byLower.get(k.toLowerCase());
      if (!f) continue;
      if (v === null || v === undefined) out[f.name] = null;
      else if (f.type === 'datetime' || f.type === 'date') {
        const ms = parseInstant(v);
        if (Number.isNaN(ms)) throw new Error(`simulator: ${f.name} is not a datetime: ${String(v)}`);
        out[f.name] = f.type === 'date' ? Math.floor(ms / 86_400_000) * 86_400_000 : ms;
      } else if (f.type === 'bool') out[f.name] = v === true || v === 1 || v === 'true';
      else if (f.type === 'string') out[f.name] = String(v);
      else out[f.name] = Number(v);
    }
    return out;
  }
}
