/**
 * The entity catalogue: which Autotask entities we read, the fields the reports use, how each is synced.
 *
 * One source of truth for three parts: the store (a table per entity, a typed column per field listed
 * here, plus the raw record as JSON), the sync (which change timestamp drives the incremental cursor),
 * and the simulator (which fields it serves and describes in `entityInformation/fields`).
 *
 * Storage of field types:
 * - `datetime` → INTEGER epoch milliseconds, UTC (Autotask returns UTC; never shifted).
 * - `date`     → TEXT `YYYY-MM-DD` (date-only Autotask fields: the calendar date, no zone).
 * - `bool`     → INTEGER 0/1.
 * - `int`, `float` → INTEGER / REAL; `string` → TEXT.
 */

/** Field data type, as we store it. */
export type FieldType = 'int' | 'float' | 'bool' | 'datetime' | 'date' | 'string';

/** One field of an entity. */
export interface FieldDef {
  /** Autotask field name (camelCase), also the SQLite column name. */
  name: string;
  /** Data type. */
  type: FieldType;
  /** Whether the field is a picklist (values are ints; labels come from entityInformation/fields). */
  picklist?: boolean;
  /** For dependent picklists: the parent field (e.g. subIssueType → issueType). */
  picklistParent?: string;
}

/** How an entity is kept up to date. */
export type SyncMode =
  /**
   * Incremental by a change timestamp with an overlap window and a `(timestamp, id)` cursor; `also` names
   * further timestamps a change may move instead (a row is read again when any of them is recent).
   */
  | { kind: 'incremental'; field: string; also?: readonly string[] }
  /** No usable timestamp: every sync re-reads all rows and removes those that vanished. */
  | { kind: 'full' };

/** One entity of the catalogue. */
export interface EntityDef {
  /** REST name, plural (`Tickets`). */
  name: string;
  /** SQLite table name. */
  table: string;
  /** Fields stored as columns (always includes `id`). */
  fields: FieldDef[];
  /** Sync strategy. */
  sync: SyncMode;
  /** A deletion log entity (its rows remove records of other entities) rather than data. */
  deletionLog?: boolean;
  /**
   * No report needs it (recipient roles, holiday set names, expenses): a tenant that does not serve it
   * (HTTP 404/405) or does not let the API user read it (403, "adequate permissions") skips it with a note
   * instead of failing the sync.
   */
  optional?: boolean;
}

/** The change timestamps of an entity synced incrementally (none for a full re-read). */
export function changeFields(def: EntityDef): string[] {
  return def.sync.kind === 'incremental' ? [def.sync.field, ...(def.sync.also ?? [])] : [];
}

const f = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, ...extra });
const pl = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'int', picklist: true, ...extra });
const id = f('id', 'int');

export const ENTITIES: readonly EntityDef[] = [
  {
    // lastActivityDate moves with activity (notes, to-dos, tickets); an edit of the company itself (type,
    // active flag, owner) moves lastTrackedModifiedDateTime: either brings the row back.
    name: 'Companies', table: 'companies', sync: { kind: 'incremental', field: 'lastActivityDate', also: ['lastTrackedModifiedDateTime'] },
    fields: [id, f('companyName', 'string'), pl('companyType'), f('isActive', 'bool'), f('ownerResourceID', 'int'),
      f('lastActivityDate', 'datetime'), f('createDate', 'datetime'), f('lastTrackedModifiedDateTime', 'datetime')],
  },
  {
    name: 'Resources', table: 'resources', sync: { kind: 'full' },
    fields: [id, f('firstName', 'string'), f('lastName', 'string'), f('userName', 'string'), f('email', 'string'),
      f('isActive', 'bool'), f('internalCost', 'float'), pl('resourceType'), f('securityLevelID', 'int'), f('departmentID', 'int'),
      f('title', 'string')],
  },
  {
    name: 'Roles', table: 'roles', sync: { kind: 'full' },
    fields: [id, f('name', 'string'), f('hourlyRate', 'float'), f('isActive', 'bool')],
  },
  {
    name: 'Departments', table: 'departments', sync: { kind: 'full' }, optional: true,
    fields: [id, f('name', 'string')],
  },
  {
    name: 'ResourceRoleDepartments', table: 'resource_role_departments', sync: { kind: 'full' }, optional: true,
    fields: [id, f('resourceID', 'int'), f('roleID', 'int'), f('departmentID', 'int'), f('isActive', 'bool'), f('isDefault', 'bool')],
  },
  {
    name: 'ResourceDailyAvailabilities', table: 'resource_daily_availabilities', sync: { kind: 'full' },
    fields: [id, f('resourceID', 'int'), f('mondayAvailableHours', 'float'), f('tuesdayAvailableHours', 'float'),
      f('wednesdayAvailableHours', 'float'), f('thursdayAvailableHours', 'float'), f('fridayAvailableHours', 'float'),
      f('saturdayAvailableHours', 'float'), f('sundayAvailableHours', 'float'), f('weeklyBillableHoursGoal', 'float')],
  },
  {
    name: 'HolidaySets', table: 'holiday_sets', sync: { kind: 'full' }, optional: true,
    fields: [id, f('holidaySetName', 'string')],
  },
  {
    name: 'Holidays', table: 'holidays', sync: { kind: 'full' },
    fields: [id, f('holidaySetID', 'int'), f('holidayName', 'string'), f('holidayDate', 'date')],
  },
  {
    name: 'Contracts', table: 'contracts', sync: { kind: 'incremental', field: 'lastModifiedDateTime' },
    fields: [id, f('contractName', 'string'), f('companyID', 'int'), pl('status'), pl('contractType'),
      f('startDate', 'date'), f('endDate', 'date'), f('estimatedRevenue', 'float'), f('renewedContractID', 'int'),
      f('lastModifiedDateTime', 'datetime'), f('opportunityID', 'int')],
  },
  {
    name: 'ConfigurationItems', table: 'configuration_items', sync: { kind: 'incremental', field: 'lastModifiedTime' },
    fields: [id, f('companyID', 'int'), pl('configurationItemType'), f('isActive', 'bool'), f('referenceTitle', 'string'),
      f('createDate', 'datetime'), f('lastModifiedTime', 'datetime')],
  },
  {
    name: 'Projects', table: 'projects', sync: { kind: 'incremental', field: 'lastActivityDateTime' },
    fields: [id, f('projectName', 'string'), f('companyID', 'int'), pl('status'), f('startDateTime', 'datetime'),
      f('endDateTime', 'datetime'), f('projectLeadResourceID', 'int'), f('lastActivityDateTime', 'datetime'), f('opportunityID', 'int')],
  },
  {
    name: 'Tasks', table: 'tasks', sync: { kind: 'incremental', field: 'lastActivityDateTime' },
    fields: [id, f('projectID', 'int'), f('title', 'string'), pl('status'), f('estimatedHours', 'float'),
      f('remainingHours', 'float'), f('startDateTime', 'datetime'), f('endDateTime', 'datetime'),
      f('assignedResourceID', 'int'), f('completedDateTime', 'datetime'), f('createDateTime', 'datetime'),
      f('lastActivityDateTime', 'datetime')],
  },
  {
    name: 'Tickets', table: 'tickets', sync: { kind: 'incremental', field: 'lastActivityDate' },
    fields: [id, f('ticketNumber', 'string'), f('title', 'string'), f('companyID', 'int'), pl('status'), pl('priority'),
      pl('queueID'), pl('ticketType'), pl('issueType'), pl('subIssueType', { picklistParent: 'issueType' }),
      pl('ticketCategory'), pl('source'), pl('serviceLevelAgreementID'), f('projectID', 'int'), f('contractID', 'int'),
      f('assignedResourceID', 'int'), f('assignedResourceRoleID', 'int'), f('createDate', 'datetime'),
      f('lastActivityDate', 'datetime'), f('completedDate', 'datetime'), f('completedByResourceID', 'int'),
      f('dueDateTime', 'datetime'), f('estimatedHours', 'float'),
      f('firstResponseDateTime', 'datetime'), f('firstResponseDueDateTime', 'datetime'),
      f('resolutionPlanDateTime', 'datetime'), f('resolutionPlanDueDateTime', 'datetime'),
      f('resolvedDateTime', 'datetime'), f('resolvedDueDateTime', 'datetime'),
      f('lastTrackedModificationDateTime', 'datetime'), f('opportunityID', 'int')],
  },
  {
    name: 'TimeEntries', table: 'time_entries', sync: { kind: 'incremental', field: 'lastModifiedDateTime' },
    fields: [id, f('resourceID', 'int'), f('roleID', 'int'), f('ticketID', 'int'), f('taskID', 'int'), f('contractID', 'int'),
      f('dateWorked', 'date'), f('startDateTime', 'datetime'), f('endDateTime', 'datetime'), f('hoursWorked', 'float'),
      f('hoursToBill', 'float'), f('isNonBillable', 'bool'), f('billingApprovalDateTime', 'datetime'),
      pl('timeEntryType'), f('createDateTime', 'datetime'), f('lastModifiedDateTime', 'datetime')],
  },
  {
    name: 'BillingItems', table: 'billing_items', sync: { kind: 'incremental', field: 'postedDate' },
    fields: [id, pl('billingItemType'), f('companyID', 'int'), f('contractID', 'int'), f('ticketID', 'int'), f('taskID', 'int'),
      f('projectID', 'int'), f('timeEntryID', 'int'), f('expenseItemID', 'int'), f('roleID', 'int'), f('invoiceID', 'int'), f('itemName', 'string'),
      f('itemDate', 'datetime'), f('quantity', 'float'), f('rate', 'float'), f('extendedPrice', 'float'), f('ourCost', 'float'),
      f('postedDate', 'datetime')],
  },
  {
    name: 'ServiceCalls', table: 'service_calls', sync: { kind: 'incremental', field: 'lastModifiedDateTime' },
    fields: [id, f('companyID', 'int'), f('description', 'string'), f('startDateTime', 'datetime'), f('endDateTime', 'datetime'),
      f('isComplete', 'bool'), f('canceledDateTime', 'datetime'), f('createDateTime', 'datetime'),
      f('lastModifiedDateTime', 'datetime')],
  },
  {
    name: 'ServiceCallTickets', table: 'service_call_tickets', sync: { kind: 'full' },
    fields: [id, f('serviceCallID', 'int'), f('ticketID', 'int')],
  },
  {
    name: 'Opportunities', table: 'opportunities', sync: { kind: 'incremental', field: 'lastActivity' },
    fields: [id, f('title', 'string'), f('companyID', 'int'), f('ownerResourceID', 'int'), pl('stage'), pl('status'),
      f('amount', 'float'), f('probability', 'int'), f('projectedCloseDate', 'date'), f('closedDate', 'date'),
      f('lostDate', 'date'), f('createDate', 'datetime'), f('lastActivity', 'datetime'),
      // Revenue and cost of the deal (commissions, the won-deal hand-off): Autotask keeps them per period.
      f('cost', 'float'), f('onetimeRevenue', 'float'), f('onetimeCost', 'float'), f('monthlyRevenue', 'float'), f('monthlyCost', 'float'),
      f('quarterlyRevenue', 'float'), f('quarterlyCost', 'float'), f('semiannualRevenue', 'float'), f('semiannualCost', 'float'),
      f('yearlyRevenue', 'float'), f('yearlyCost', 'float')],
  },
  {
    name: 'CompanyToDos', table: 'company_todos', sync: { kind: 'incremental', field: 'lastModifiedDate' },
    fields: [id, f('companyID', 'int'), f('assignedToResourceID', 'int'), pl('actionType'), f('activityDescription', 'string'),
      f('startDateTime', 'datetime'), f('endDateTime', 'datetime'), f('completedDate', 'datetime'),
      f('createDateTime', 'datetime'), f('lastModifiedDate', 'datetime')],
  },
  {
    name: 'Appointments', table: 'appointments', sync: { kind: 'incremental', field: 'updateDateTime' },
    fields: [id, f('resourceID', 'int'), f('title', 'string'), f('startDateTime', 'datetime'), f('endDateTime', 'datetime'),
      f('createDateTime', 'datetime'), f('updateDateTime', 'datetime')],
  },
  // Expense reports, their items and sales orders carry no change timestamp (autotask-api.md §4.9): they are
  // re-read whole on every sync (autotask-api.md §5.1 "full re-read"). They are small next to tickets and
  // time entries (a few requests at large scale, see bench). Optional: an API user whose security level may
  // not read expenses, or a tenant without Procurement, gets a note and the other entities still sync.
  {
    name: 'ExpenseReports', table: 'expense_reports', sync: { kind: 'full' }, optional: true,
    fields: [id, f('name', 'string'), f('submitterID', 'int'), pl('status'), f('submitDate', 'datetime'),
      f('weekEnding', 'date'), f('approverID', 'int'), f('approvedDate', 'datetime'), f('internalCurrencyExpenseTotal', 'float')],
  },
  {
    name: 'ExpenseItems', table: 'expense_items', sync: { kind: 'full' }, optional: true,
    fields: [id, f('expenseReportID', 'int'), f('expenseDate', 'datetime'), pl('expenseCategory'), f('description', 'string'),
      f('companyID', 'int'), f('ticketID', 'int'), f('projectID', 'int'), f('taskID', 'int'), f('isBillableToCompany', 'bool'),
      f('isReimbursable', 'bool'), f('haveReceipt', 'bool'), f('expenseCurrencyExpenseAmount', 'float'),
      f('internalCurrencyExpenseAmount', 'float')],
  },
  {
    name: 'SalesOrders', table: 'sales_orders', sync: { kind: 'full' }, optional: true,
    fields: [id, f('opportunityID', 'int'), f('companyID', 'int'), f('title', 'string'), pl('status'), f('salesOrderDate', 'datetime'),
      f('promisedFulfillmentDate', 'datetime'), f('ownerResourceID', 'int')],
  },
  {
    name: 'DeletedTicketLogs', table: 'deleted_ticket_logs', sync: { kind: 'incremental', field: 'deletedDateTime' }, deletionLog: true,
    fields: [id, f('ticketID', 'int'), f('ticketNumber', 'string'), f('deletedByResourceID', 'int'), f('deletedDateTime', 'datetime')],
  },
  {
    name: 'DeletedTicketActivityLogs', table: 'deleted_ticket_activity_logs', sync: { kind: 'incremental', field: 'deletedDateTime' }, deletionLog: true,
    fields: [id, f('ticketID', 'int'), f('typeID', 'int'), f('hoursWorked', 'float'), f('startDateTime', 'datetime'),
      f('deletedDateTime', 'datetime')],
  },
  {
    name: 'DeletedTaskActivityLogs', table: 'deleted_task_activity_logs', sync: { kind: 'incremental', field: 'deletedDateTime' }, deletionLog: true,
    fields: [id, f('taskID', 'int'), f('typeID', 'int'), f('hoursWorked', 'float'), f('startDateTime', 'datetime'),
      f('deletedDateTime', 'datetime')],
  },
];

/** Lookup by REST name. */
export const ENTITY_BY_NAME: ReadonlyMap<string, EntityDef> = new Map(ENTITIES.map((e) => [e.name, e]));

/** The catalogue entry of `name`, or throws (programming error). */
export function entity(name: string): EntityDef {
  const e = ENTITY_BY_NAME.get(name);
  if (!e) throw new Error(`unknown entity ${name}`);
  return e;
}

/** Picklist fields of an entity. */
export function picklistFields(e: EntityDef): FieldDef[] {
  return e.fields.filter((x) => x.picklist);
}
