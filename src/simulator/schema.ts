import { ENTITIES, type FieldType } from '../autotask/entities.js';

/**
 * What the simulator serves per entity: the catalogue's fields plus a few extra realistic ones, the
 * tenant's picklists, the singular name used in Autotask's error messages, and which verbs exist.
 */

/** One picklist value as `entityInformation/fields` describes it (value is a string there). */
export interface PicklistValue {
  /** Stored integer value (rows carry it as a number, metadata as a string). */
  value: number;
  /** Label as the tenant typed it (may carry stray spaces or odd case on purpose). */
  label: string;
  /** Inactive values stay listed. */
  isActive: boolean;
  /** Values the system defines (e.g. ticket status Complete). */
  isSystem: boolean;
  /** The default value for new records. */
  isDefaultValue?: boolean;
  /** For dependent picklists: the parent field's value this one belongs to. */
  parentValue?: number;
  /** Sort order as the tenant set it (default: the value's position in the list). */
  sortOrder?: number;
}

/** One served field. */
export interface SimField {
  /** camelCase name. */
  name: string;
  /** Storage type. */
  type: FieldType;
  /** Picklist field. */
  picklist?: boolean;
  /** Parent picklist field of a dependent picklist. */
  picklistParent?: string;
  /** Filtering on it fails (Autotask marks a few fields isQueryable:false). */
  notQueryable?: boolean;
  /** Server-maintained. */
  readOnly?: boolean;
  /** Referenced entity for foreign keys. */
  reference?: string;
}

/** Verbs an entity allows at its root path. */
export interface Capabilities {
  /** `POST E`. */
  create: boolean;
  /** `PATCH|PUT E`. */
  update: boolean;
  /** `DELETE E/{id}`. */
  delete: boolean;
}

/** One served entity. */
export interface SimEntity {
  /** REST name (`Tickets`). */
  name: string;
  /** Singular name used in error messages (`Ticket`). */
  singular: string;
  /** Fields, `id` first. */
  fields: SimField[];
  /** Change timestamp bumped on every write (the catalogue's incremental field), if any. */
  changeField?: string;
  /** Verbs at the root path. */
  can: Capabilities;
  /** Reached only through a parent (`Projects/{id}/Tasks`); the root path is query/get only. */
  childOf?: { parent: string; path: string; fk: string };
  /** User-defined fields the tenant configured (served in `userDefinedFields`, filtered with `udf: true`). */
  udfs?: UdfDef[];
}

/** One user-defined field. */
export interface UdfDef {
  /** UDF name (also its label). */
  name: string;
  /** Allowed values when it is a list UDF. */
  values?: string[];
}

/** Storage column of a UDF. */
export const udfColumn = (name: string) => `udf:${name}`;

const UDFS: Record<string, UdfDef[]> = {
  Companies: [{ name: 'Customer Tier', values: ['Gold', 'Silver', 'Bronze'] }, { name: 'Onboarding Complete', values: ['Yes', 'No'] }, { name: 'Documentation Link' }],
  Tickets: [{ name: 'Root Cause', values: ['User Error', 'Hardware Failure', 'Software Bug', 'Configuration', 'Vendor Outage'] }],
};

const x = (name: string, type: FieldType, extra: Partial<SimField> = {}): SimField => ({ name, type, ...extra });

/** Extra fields (beyond the catalogue) that a real tenant returns, to keep clients honest about projection. */
const EXTRA_FIELDS: Record<string, SimField[]> = {
  Companies: [x('companyNumber', 'string'), x('phone', 'string'), x('city', 'string'), x('state', 'string'),
    x('postalCode', 'string'), x('webAddress', 'string'), x('parentCompanyID', 'int'), x('classification', 'int', { picklist: true })],
  Resources: [x('middleName', 'string'), x('officePhone', 'string'), x('hireDate', 'datetime'), x('defaultServiceDeskRoleID', 'int'),
    x('licenseType', 'int', { picklist: true })],
  Roles: [x('description', 'string'), x('hourlyFactor', 'float'), x('isSystemRole', 'bool'), x('roleType', 'int')],
  Departments: [x('description', 'string'), x('number', 'string'), x('primaryLocationID', 'int')],
  ResourceDailyAvailabilities: [x('travelAvailability', 'float')],
  HolidaySets: [x('holidaySetDescription', 'string')],
  Contracts: [x('contractNumber', 'string'), x('contractCategory', 'int', { picklist: true }), x('contactID', 'int'),
    x('isDefaultContract', 'bool'), x('estimatedHours', 'float'), x('estimatedCost', 'float'), x('setupFee', 'float'),
    x('serviceLevelAgreementID', 'int'), x('description', 'string')],
  ConfigurationItems: [x('serialNumber', 'string'), x('referenceNumber', 'string'), x('installDate', 'datetime'),
    x('warrantyExpirationDate', 'datetime'), x('contractID', 'int'), x('rmmOpenAlertCount', 'int')],
  Projects: [x('projectNumber', 'string'), x('projectType', 'int', { picklist: true }), x('contractID', 'int'),
    x('completedDateTime', 'datetime'), x('estimatedTime', 'float'), x('createDateTime', 'datetime'), x('description', 'string')],
  Tasks: [x('taskNumber', 'string'), x('taskType', 'int', { picklist: true }), x('assignedResourceRoleID', 'int'),
    x('completedByResourceID', 'int'), x('description', 'string'), x('isTaskBillable', 'bool'), x('phaseID', 'int')],
  Tickets: [x('description', 'string'), x('contactID', 'int'), x('configurationItemID', 'int'), x('creatorResourceID', 'int'),
    x('creatorType', 'int', { notQueryable: true }), x('lastActivityPersonType', 'int', { notQueryable: true }),
    x('lastActivityResourceID', 'int'), x('serviceLevelAgreementHasBeenMet', 'bool'), x('hoursToBeScheduled', 'float'),
    x('resolution', 'string'), x('problemTicketId', 'int'), x('opportunityID', 'int')],
  TimeEntries: [x('summaryNotes', 'string'), x('internalNotes', 'string'), x('showOnInvoice', 'bool'), x('offsetHours', 'float'),
    x('billingCodeID', 'int'), x('creatorUserID', 'int'), x('lastModifiedUserID', 'int'), x('billingApprovalResourceID', 'int'),
    x('billingApprovalLevelMostRecent', 'int')],
  BillingItems: [x('description', 'string'), x('totalAmount', 'float'), x('nonBillable', 'bool'), x('webServiceDate', 'datetime'),
    x('itemApproverID', 'int'), x('lineItemFullDescription', 'string', { notQueryable: true })],
  ServiceCalls: [x('duration', 'float'), x('status', 'int', { picklist: true }), x('creatorResourceID', 'int'), x('canceledByResourceID', 'int')],
  Opportunities: [x('contactID', 'int'), x('cost', 'float'), x('monthlyRevenue', 'float'), x('onetimeRevenue', 'float'),
    x('leadSource', 'string'), x('rating', 'int', { picklist: true }), x('creatorResourceID', 'int')],
  CompanyToDos: [x('contactID', 'int'), x('opportunityID', 'int'), x('ticketID', 'int'), x('creatorResourceID', 'int')],
  Appointments: [x('description', 'string'), x('creatorResourceID', 'int')],
  ExpenseReports: [x('amountDue', 'float', { notQueryable: true }), x('internalCurrencyCashAdvanceAmount', 'float'), x('reimbursementCurrencyID', 'int'),
    x('rejectionReason', 'string')],
  ExpenseItems: [x('expenseCurrencyID', 'int'), x('internalCurrencyReimbursementAmount', 'float'), x('workType', 'int'),
    x('paymentType', 'int', { picklist: true }), x('glCode', 'string'), x('destination', 'string'), x('origin', 'string')],
  SalesOrders: [x('contactID', 'int'), x('additionalBillToAddressInformation', 'string'), x('shipToCity', 'string'),
    x('organizationalLevelAssociationID', 'int')],
  DeletedTicketLogs: [x('ticketTitle', 'string')],
  DeletedTicketActivityLogs: [x('ticketNumber', 'string'), x('noteOrAttachmentTitle', 'string'), x('createdByResourceID', 'int'),
    x('activityDateTime', 'datetime'), x('endDateTime', 'datetime'), x('deletedByResourceID', 'int')],
  DeletedTaskActivityLogs: [x('taskNumber', 'string'), x('noteOrAttachmentTitle', 'string'), x('createdByResourceID', 'int'),
    x('activityDateTime', 'datetime'), x('endDateTime', 'datetime'), x('deletedByResourceID', 'int')],
};

const SINGULAR: Record<string, string> = {
  Companies: 'Company', Resources: 'Resource', Roles: 'Role', Departments: 'Department',
  ResourceRoleDepartments: 'ResourceRoleDepartment', ResourceDailyAvailabilities: 'ResourceDailyAvailability',
  HolidaySets: 'HolidaySet', Holidays: 'Holiday', Contracts: 'Contract', ConfigurationItems: 'ConfigurationItem',
  Projects: 'Project', Tasks: 'Task', Tickets: 'Ticket', TimeEntries: 'TimeEntry', BillingItems: 'BillingItem',
  ServiceCalls: 'ServiceCall', ServiceCallTickets: 'ServiceCallTicket', Opportunities: 'Opportunity',
  CompanyToDos: 'CompanyToDo', Appointments: 'Appointment', ExpenseReports: 'ExpenseReport', ExpenseItems: 'ExpenseItem',
  SalesOrders: 'SalesOrder',
  DeletedTicketLogs: 'DeletedTicketLog', DeletedTicketActivityLogs: 'DeletedTicketActivityLog',
  DeletedTaskActivityLogs: 'DeletedTaskActivityLog', TicketHistory: 'TicketHistory',
};

const CAN: Record<string, Capabilities> = {
  Tickets: { create: true, update: true, delete: false },
  TimeEntries: { create: true, update: true, delete: true },
  Companies: { create: true, update: true, delete: false },
  Contracts: { create: true, update: true, delete: false },
  ConfigurationItems: { create: true, update: true, delete: false },
  ServiceCalls: { create: true, update: true, delete: true },
  Projects: { create: true, update: true, delete: false },
  Opportunities: { create: true, update: true, delete: false },
  Appointments: { create: true, update: true, delete: true },
  BillingItems: { create: false, update: true, delete: false },
  Resources: { create: false, update: true, delete: false },
  Roles: { create: true, update: true, delete: false },
};

const CHILD: Record<string, { parent: string; path: string; fk: string }> = {
  Tasks: { parent: 'Projects', path: 'Tasks', fk: 'projectID' },
  ServiceCallTickets: { parent: 'ServiceCalls', path: 'Tickets', fk: 'serviceCallID' },
  Holidays: { parent: 'HolidaySets', path: 'Holidays', fk: 'holidaySetID' },
  CompanyToDos: { parent: 'Companies', path: 'ToDos', fk: 'companyID' },
  ResourceDailyAvailabilities: { parent: 'Resources', path: 'DailyAvailabilities', fk: 'resourceID' },
  ResourceRoleDepartments: { parent: 'Resources', path: 'RoleDepartments', fk: 'resourceID' },
  SalesOrders: { parent: 'Opportunities', path: 'SalesOrders', fk: 'opportunityID' },
};

/** Foreign keys worth describing as references in field metadata. */
const REFERENCES: Record<string, string> = {
  companyID: 'Company', resourceID: 'Resource', roleID: 'Role', ticketID: 'Ticket', taskID: 'Task', projectID: 'Project',
  contractID: 'Contract', assignedResourceID: 'Resource', ownerResourceID: 'Resource', timeEntryID: 'TimeEntry',
  serviceCallID: 'ServiceCall', holidaySetID: 'HolidaySet', departmentID: 'Department', completedByResourceID: 'Resource',
  opportunityID: 'Opportunity', expenseReportID: 'ExpenseReport', submitterID: 'Resource', approverID: 'Resource', expenseItemID: 'ExpenseItem',
};

function build(): SimEntity[] {
  const out: SimEntity[] = ENTITIES.map((e) => {
    const fields: SimField[] = e.fields.map((f) => ({
      name: f.name, type: f.type,
      ...(f.picklist ? { picklist: true } : {}),
      ...(f.picklistParent ? { picklistParent: f.picklistParent } : {}),
      ...(REFERENCES[f.name] ? { reference: REFERENCES[f.name] } : {}),
    }));
    const names = new Set(fields.map((f) => f.name));
    for (const extra of EXTRA_FIELDS[e.name] ?? []) if (!names.has(extra.name)) fields.push(extra);
    const changeField = e.sync.kind === 'incremental' ? e.sync.field : undefined;
    for (const f of fields) if (f.name === 'id' || f.name === changeField || /^(createDate|createDateTime)$/.test(f.name)) f.readOnly = true;
    return {
      name: e.name,
      singular: SINGULAR[e.name] ?? e.name.replace(/ies$/, 'y').replace(/s$/, ''),
      fields,
      ...(changeField ? { changeField } : {}),
      can: CAN[e.name] ?? { create: false, update: false, delete: false },
      ...(CHILD[e.name] ? { childOf: CHILD[e.name] } : {}),
      ...(UDFS[e.name] ? { udfs: UDFS[e.name] } : {}),
    };
  });
  // Ticket history is not synced wholesale (one call per ticket), but a faithful server answers it.
  out.push({
    name: 'TicketHistory', singular: 'TicketHistory', can: { create: false, update: false, delete: false },
    fields: [x('id', 'int'), x('ticketID', 'int'), x('action', 'string'), x('date', 'datetime'), x('detail', 'string'), x('resourceID', 'int')],
  });
  return out;
}

/** Every served entity. */
export const SIM_ENTITIES: readonly SimEntity[] = build();

/** Case-insensitive lookup by REST name. */
export const SIM_ENTITY_BY_LOWER: ReadonlyMap<string, SimEntity> = new Map(SIM_ENTITIES.map((e) => [e.name.toLowerCase(), e]));

/** Lookup by exact REST name (throws on programming errors). */
export function simEntity(name: string): SimEntity {
  const e = SIM_ENTITY_BY_LOWER.get(name.toLowerCase());
  if (!e) throw new Error(`simulator: unknown entity ${name}`);
  return e;
}

const pv = (value: number, label: string, extra: Partial<PicklistValue> = {}): PicklistValue => ({ value, label, isActive: true, isSystem: false, ...extra });

/**
 * The tenant's picklists, per entity and field. Deliberately tenant-style: Complete keeps Autotask's
 * system value 5 but the other statuses are renumbered, priorities skip 3, some values are inactive,
 * and a few labels carry stray spaces or odd case (reports must match labels trimmed, case-insensitive).
 */
export function defaultPicklists(): Record<string, Record<string, PicklistValue[]>> {
  return {
    Companies: {
      companyType: [pv(1, 'Customer', { isSystem: true }), pv(2, 'Lead', { isSystem: true }), pv(3, 'Prospect', { isSystem: true }),
        pv(4, 'Dead', { isSystem: true }), pv(6, 'Cancellation', { isSystem: true }), pv(7, 'Vendor', { isSystem: true }),
        pv(8, 'Partner', { isSystem: true }), pv(11, 'Former Customer', { isActive: false })],
      classification: [pv(101, 'Gold'), pv(102, 'Silver'), pv(103, 'Bronze'), pv(104, 'Legacy', { isActive: false })],
    },
    Resources: {
      resourceType: [pv(1, 'Employee', { isSystem: true }), pv(2, 'Contractor', { isSystem: true }), pv(3, 'Temporary', { isSystem: true })],
      licenseType: [pv(1, 'Full'), pv(2, 'Time and Expense'), pv(7, 'API User (system)', { isSystem: true })],
    },
    Contracts: {
      status: [pv(1, 'Active', { isSystem: true, isDefaultValue: true }), pv(0, 'Inactive', { isSystem: true }), pv(4, 'Pending Signature', { isActive: false })],
      contractType: [pv(1, 'Time and Materials', { isSystem: true }), pv(3, 'Fixed Price', { isSystem: true }), pv(4, 'Block Hours', { isSystem: true }),
        pv(6, 'Retainer', { isSystem: true }), pv(7, 'Recurring Service', { isSystem: true }), pv(8, 'Per Ticket', { isSystem: true })],
      contractCategory: [pv(12, 'Managed Services'), pv(13, 'Break/Fix'), pv(14, 'Project'), pv(15, 'Old Category', { isActive: false })],
    },
    ConfigurationItems: {
      configurationItemType: [pv(3, 'Workstation'), pv(4, 'Laptop'), pv(5, ' Server'), pv(6, 'Printer'), pv(7, 'Network Device'),
        pv(9, 'Mobile Device'), pv(2, 'Firewall (old)', { isActive: false })],
    },
    Projects: {
      status: [pv(0, 'Inactive', { isSystem: true }), pv(1, 'New', { isSystem: true, isDefaultValue: true }), pv(5, 'Complete', { isSystem: true }),
        pv(8, 'In Progress'), pv(9, 'On Hold'), pv(11, 'Planning', { isActive: false })],
      projectType: [pv(2, 'Proposal'), pv(3, 'Template'), pv(4, 'Internal'), pv(5, 'Client'), pv(8, 'Baseline')],
    },
    Tasks: {
      status: [pv(1, 'New', { isSystem: true, isDefaultValue: true }), pv(5, 'Complete', { isSystem: true }), pv(7, 'Waiting Customer'),
        pv(14, 'In Progress'), pv(16, 'On Hold'), pv(19, 'Blocked', { isActive: false })],
      taskType: [pv(1, 'Fixed Work', { isSystem: true }), pv(2, 'Fixed Duration', { isSystem: true })],
    },
    Tickets: {
      status: [pv(1, 'New', { isSystem: true, isDefaultValue: true }), pv(5, 'Complete', { isSystem: true }), pv(21, 'In Progress'),
        pv(22, 'Escalate'), pv(23, 'Scheduled'), pv(24, 'dispatched'), pv(25, 'On Hold'), pv(27, 'Waiting Customer'),
        pv(28, 'Waiting Vendor '), pv(29, 'Waiting Materials'), pv(30, 'Customer Note Added'), pv(13, 'Waiting Approval', { isActive: false })],
      priority: [pv(4, 'Critical', { isSystem: true }), pv(1, 'High', { isSystem: true }), pv(2, 'Medium', { isSystem: true, isDefaultValue: true }),
        pv(6, 'Low'), pv(7, 'Planning', { isActive: false })],
      queueID: [pv(29683354, 'Tier 1'), pv(29683355, 'Tier 2'), pv(29683356, 'Tier 3'), pv(29682969, 'Triage'),
        pv(29683481, 'Monitoring Alerts'), pv(29683490, 'Recurring Maintenance'), pv(29683495, 'Projects'),
        pv(29682833, 'Client Portal', { isSystem: true }), pv(29683102, 'Old Helpdesk', { isActive: false })],
      ticketType: [pv(1, 'Service Request', { isSystem: true, isDefaultValue: true }), pv(2, 'Incident', { isSystem: true }),
        pv(3, 'Problem', { isSystem: true }), pv(4, 'Change Request', { isSystem: true }), pv(5, 'Alert', { isSystem: true })],
      issueType: [pv(11, 'Hardware'), pv(12, 'Software'), pv(13, 'Network'), pv(14, 'Quick Hit'), pv(15, 'Install'), pv(16, 'Security'),
        pv(17, 'Email & Collaboration'), pv(18, 'Printing', { isActive: false })],
      subIssueType: [
        pv(201, 'Desktop / Laptop', { parentValue: 11 }), pv(202, 'Server Hardware', { parentValue: 11 }), pv(203, 'Peripheral', { parentValue: 11 }),
        pv(211, 'Line of Business App', { parentValue: 12 }), pv(212, 'Microsoft 365', { parentValue: 12 }), pv(213, 'Operating System', { parentValue: 12 }),
        pv(221, 'Internet Connectivity', { parentValue: 13 }), pv(222, 'Wi-Fi', { parentValue: 13 }), pv(223, 'VPN', { parentValue: 13 }),
        pv(231, 'Password Reset', { parentValue: 14 }), pv(232, 'How-To Question', { parentValue: 14 }),
        pv(241, 'New User Setup', { parentValue: 15 }), pv(242, 'New Workstation', { parentValue: 15 }), pv(243, 'Software Install', { parentValue: 15 }),
        pv(251, 'Malware', { parentValue: 16 }), pv(252, 'Phishing Report', { parentValue: 16 }),
        pv(261, 'Mailbox', { parentValue: 17 }), pv(262, 'Teams / SharePoint', { parentValue: 17 }),
        pv(271, 'Toner', { parentValue: 18, isActive: false })],
      ticketCategory: [pv(3, 'Standard', { isSystem: true, isDefaultValue: true }), pv(4, 'RMM Alert'), pv(105, 'Recurring'),
        pv(113, 'Change Management'), pv(117, 'Project Ticket'), pv(119, 'Legacy Category', { isActive: false })],
      source: [pv(-1, 'Insourced (Comanaged)', { isSystem: true }), pv(1, 'Other'), pv(2, 'Phone'), pv(4, 'Email'), pv(6, 'Client Portal', { isSystem: true }),
        pv(8, 'Monitoring Alert'), pv(11, 'Walk-in '), pv(13, 'Chat')],
      serviceLevelAgreementID: [pv(1, 'Standard SLA'), pv(2, 'Premium SLA'), pv(4, 'Basic SLA'), pv(3, 'Legacy SLA', { isActive: false })],
    },
    TimeEntries: {
      timeEntryType: [pv(2, 'Ticket', { isSystem: true }), pv(6, 'Project Task', { isSystem: true }), pv(7, 'Regular Time', { isSystem: true }),
        pv(9, 'Travel', { isSystem: true })],
    },
    BillingItems: {
      billingItemType: [pv(1, 'Labor', { isSystem: true }), pv(2, 'Expense', { isSystem: true }), pv(3, 'Milestone', { isSystem: true }),
        pv(4, 'Product', { isSystem: true }), pv(5, 'Contract Cost', { isSystem: true }), pv(6, 'Recurring Contract Service', { isSystem: true }),
        pv(7, 'Recurring Contract Service Adjustment', { isSystem: true }), pv(8, 'Labor Adjustment', { isSystem: true }),
        pv(10, 'Project Charge', { isSystem: true }), pv(12, 'Ticket Charge', { isSystem: true })],
    },
    ServiceCalls: {
      status: [pv(1, 'New', { isSystem: true }), pv(2, 'Confirmed'), pv(3, 'Complete', { isSystem: true }), pv(6, 'Cancelled')],
    },
    Opportunities: {
      stage: [pv(3, 'Qualification'), pv(4, 'Sales Engineering'), pv(6, 'Proposal'), pv(7, 'negotiation '),
        pv(8, 'Closed Won', { isActive: false }), pv(2, 'Discovery', { isActive: false })],
      status: [pv(0, 'Inactive', { isSystem: true }), pv(1, 'Active', { isSystem: true, isDefaultValue: true }), pv(2, 'Lost', { isSystem: true }),
        pv(3, 'Closed', { isSystem: true }), pv(4, 'Implemented', { isSystem: true }), pv(9, 'Not Ready To Buy')],
      rating: [pv(1, 'Hot'), pv(2, 'Warm'), pv(3, 'Cold')],
    },
    CompanyToDos: {
      actionType: [pv(0, 'Opportunity Update', { isSystem: true }), pv(1, 'Phone Call'), pv(2, 'Meeting'), pv(3, 'Email'),
        pv(6, 'Follow Up'), pv(8, 'Quarterly Business Review'), pv(9, 'Fax', { isActive: false })],
    },
    // No official numbers exist for these (autotask-api.md §4.9); the tenant's own, matched by label.
    ExpenseReports: {
      status: [pv(11, 'In Progress', { isSystem: true, isDefaultValue: true }), pv(12, 'Awaiting Approval', { isSystem: true }),
        pv(13, 'Approved for Payment', { isSystem: true }), pv(14, 'Rejected', { isSystem: true }), pv(15, 'Paid', { isSystem: true }),
        pv(16, ' transferred to QuickBooks', { isSystem: true })],
    },
    ExpenseItems: {
      expenseCategory: [pv(21, 'Mileage'), pv(22, 'Meals'), pv(23, 'Hotel'), pv(24, 'Parts & Materials'), pv(25, 'Airfare'), pv(26, 'Parking'),
        pv(29, 'Entertainment', { isActive: false })],
      paymentType: [pv(1, 'Cash'), pv(2, 'Company Credit Card'), pv(3, 'Personal Credit Card')],
    },
    SalesOrders: {
      status: [pv(31, 'New', { isSystem: true, isDefaultValue: true }), pv(32, 'Partially Fulfilled', { isSystem: true }),
        pv(33, 'Fulfilled', { isSystem: true }), pv(34, 'Canceled', { isSystem: true }), pv(38, 'On Hold')],
    },
  };
}
