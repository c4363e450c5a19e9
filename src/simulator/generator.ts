import { Rng } from './prng.js';
import { defaultPicklists } from './schema.js';
import { Tenant, type Scale } from './tenant.js';
import type { StoredRecord } from './table.js';
import { dayStart } from './format.js';
import {
  COMPANY_A, COMPANY_B, COMPANY_C, FIRST, LAST, OPPORTUNITY_NAMES, PROJECT_NAMES, TASK_NAMES, TE_NOTES, TICKET_TITLES,
} from './names.js';

/**
 * The seeded demo MSP: a believable Autotask tenant with ~13 months of history ending at `now`.
 * Deterministic: the same seed, scale and now give the same data (no Math.random, no real clock).
 * Every report of kpi-spec.md finds data: tickets in every workflow, SLA events met and breached, an
 * aged backlog, time entries with realistic entry lag, contracts expiring and renewing, opportunities
 * stuck in a stage, to-dos, appointments, billing items for approved work.
 */

/** Options of `generateTenant`. */
export interface GenerateOptions {
  /** Seed of the generator. */
  seed: number;
  /** Size class. */
  scale: Scale;
  /** The tenant's now (epoch ms); history ends here. */
  now: number;
  /** Progress callback (phase name, 0..1), for the `simulate` command on large tenants. */
  onProgress?: (phase: string, done: number) => void;
}

interface ScaleParams {
  companies: number;
  techs: number;
  tickets: number;
  timeEntries: number;
  projects: number;
  opportunities: number;
}

/** Target sizes per scale. */
export const SCALES: Record<Scale, ScaleParams> = {
  tiny: { companies: 40, techs: 7, tickets: 300, timeEntries: 2000, projects: 5, opportunities: 45 },
  small: { companies: 120, techs: 14, tickets: 1500, timeEntries: 10_000, projects: 14, opportunities: 130 },
  medium: { companies: 600, techs: 88, tickets: 10_000, timeEntries: 100_000, projects: 90, opportunities: 700 },
  large: { companies: 4000, techs: 900, tickets: 102_000, timeEntries: 1_020_000, projects: 900, opportunities: 5000 },
};

const H = 3_600_000;
const D = 86_400_000;
const MIN = 60_000;

type Workflow = 'Project' | 'Alert' | 'Recurring' | 'Critical' | 'High' | 'Medium' | 'Low' | 'Problem' | 'Change' | 'QuickHit' | 'Install' | 'ServiceRequest';

const WORKFLOWS: [Workflow, number][] = [
  ['Project', 5], ['Alert', 14], ['Recurring', 6], ['Critical', 2], ['High', 7], ['Medium', 20], ['Low', 14],
  ['Problem', 3], ['Change', 7], ['QuickHit', 9], ['Install', 5], ['ServiceRequest', 8],
];

/** Mean time entries per ticket before the scale factor. */
const TE_BASE: Record<Workflow, number> = {
  Project: 3, Alert: 0.5, Recurring: 1, Critical: 6, High: 4, Medium: 3, Low: 2, Problem: 5, Change: 4, QuickHit: 1, Install: 4, ServiceRequest: 2,
};

/** SLA due offsets in hours: first response, resolution plan, resolved. */
const SLA_DUE: Record<string, [number, number, number]> = {
  Critical: [0.5, 2, 4], High: [1, 4, 8], Medium: [2, 8, 24], Low: [4, 16, 72], QuickHit: [2, 4, 8], Default: [4, 24, 120],
};

interface Resource {
  id: number;
  roleId: number;
  cost: number | null;
  activeUntil: number;
  tech: boolean;
}

interface CompanyInfo {
  id: number;
  type: number;
  endpoints: number;
  recurringContract: number | null;
  contractType: 'recurring' | 'tm' | 'block' | null;
  tmContract: number | null;
  sla: number;
  lastActivity: number;
  owner: number;
}

/** Generates a tenant. */
export function generateTenant(opts: GenerateOptions): Tenant {
  const { seed, scale, now } = opts;
  const progress = opts.onProgress ?? (() => {});
  const p = SCALES[scale];
  const rng = new Rng(seed);
  const tenant = new Tenant({ seed, scale, now, picklists: defaultPicklists() });
  const pv = (e: string, f: string, label: string) => tenant.value(e, f, label);
  const start = now - 395 * D;
  const today = dayStart(now);

  const clampPast = (t: number) => Math.min(t, now - 1000);
  // Shift an instant into business hours (08:00–17:00 UTC, Monday–Friday) unless that passes `limit`.
  const inBusiness = (t: number, limit: number) => {
    let x = t;
    const hour = new Date(x).getUTCHours();
    if (hour < 8) x = dayStart(x) + 8 * H + (x % H);
    else if (hour >= 17) x = dayStart(x) + D + 8 * H + (x % H);
    const dow2 = new Date(x).getUTCDay();
    if (dow2 === 6) x += 2 * D;
    else if (dow2 === 0) x += D;
    return x <= limit ? x : t;
  };
  const roundTo = (t: number, step: number) => Math.round(t / step) * step;

  // ---- Organisation: departments, roles, resources, availability, holidays ----
  progress('organisation', 0);
  const deptIds = { service: 29682861, projects: 29682862, sales: 29682863, admin: 29682864 };
  const departments: [number, string, string][] = [
    [deptIds.service, 'Service Desk', 'Reactive and request work'], [deptIds.projects, 'Projects', 'Project delivery'],
    [deptIds.sales, 'Sales', 'Account management'], [deptIds.admin, 'Administration', 'Back office'],
  ];
  for (const [id, name, description] of departments) tenant.table('Departments').append({ id, name, description, number: String(id % 100), primaryLocationID: 1 });

  const roles: [number, string, number, boolean][] = [
    [29683401, 'Helpdesk Technician', 125, true], [29683402, 'Field Technician', 140, true], [29683403, 'Systems Engineer', 165, true],
    [29683404, 'Project Engineer', 175, true], [29683405, 'Account Manager', 0, true], [29683406, 'Service Manager', 150, true],
    [29683407, 'Legacy Bench Tech', 95, false],
  ];
  const roleRate = new Map<number, number>();
  for (const [id, name, hourlyRate, isActive] of roles) {
    roleRate.set(id, hourlyRate);
    tenant.table('Roles').append({ id, name, hourlyRate, isActive, description: `${name} rate`, hourlyFactor: 1, isSystemRole: false, roleType: 1 });
  }
  const techRoles = [29683401, 29683401, 29683402, 29683403, 29683403];

  const resources: Resource[] = [];
  const salesReps: number[] = [];
  let rid = 29682885;
  const usedNames = new Set<string>();
  const personName = () => {
    for (;;) {
      const fn = rng.pick(FIRST);
      const ln = rng.pick(LAST);
      const key = `${fn} ${ln}`;
      if (!usedNames.has(key) || usedNames.size > FIRST.length * LAST.length * 0.8) {
        usedNames.add(key);
        return [fn, ln] as const;
      }
    }
  };
  const addResource = (kind: 'manager' | 'tech' | 'sales' | 'pm', active: boolean) => {
    const id = rid++;
    const [firstName, lastName] = personName();
    const roleId = kind === 'tech' ? rng.pick(techRoles) : kind === 'sales' ? 29683405 : kind === 'pm' ? 29683404 : 29683406;
    const cost = kind === 'sales' ? Math.round(rng.float(30, 45) * 100) / 100 : Math.round(rng.float(32, 72) * 100) / 100;
    const activeUntil = active ? Infinity : now - rng.int(20, 300) * D;
    const dept = kind === 'tech' ? deptIds.service : kind === 'pm' ? deptIds.projects : kind === 'sales' ? deptIds.sales : deptIds.service;
    const r: Resource = { id, roleId, cost, activeUntil, tech: kind === 'tech' || kind === 'pm' };
    resources.push(r);
    if (kind === 'sales' && active) salesReps.push(id);
    const userName = `${firstName[0]!.toLowerCase()}${lastName.toLowerCase()}`;
    tenant.table('Resources').append({
      id, firstName, lastName, userName, email: `${userName}@northwind-it.example`, isActive: active, internalCost: cost,
      resourceType: rng.chance(0.9) ? 1 : 2, securityLevelID: kind === 'manager' ? 1 : 3, departmentID: dept,
      title: kind === 'tech' ? 'Technician' : kind === 'sales' ? 'Account Manager' : kind === 'pm' ? 'Project Manager' : 'Service Manager',
      middleName: null, officePhone: `+1 555 01${String(id % 100).padStart(2, '0')}`, hireDate: now - rng.int(200, 3000) * D,
      defaultServiceDeskRoleID: roleId, licenseType: 1,
    });
    tenant.table('ResourceRoleDepartments').append({ id: tenant.nextId('ResourceRoleDepartments'), resourceID: id, roleID: roleId, departmentID: dept, isActive: true, isDefault: true });
    if (kind === 'tech' && rng.chance(0.4)) {
      tenant.table('ResourceRoleDepartments').append({ id: tenant.nextId('ResourceRoleDepartments'), resourceID: id, roleID: 29683402, departmentID: deptIds.service, isActive: true, isDefault: false });
    }
    return r;
  };
  addResource('manager', true);
  const nSales = Math.max(2, Math.round(p.techs / 12));
  for (let i = 0; i < nSales; i++) addResource('sales', true);
  const nPm = Math.max(1, Math.round(p.techs / 15));
  for (let i = 0; i < nPm; i++) addResource('pm', true);
  const nInactive = Math.max(1, Math.round(p.techs * 0.1));
  for (let i = 0; i < p.techs; i++) addResource('tech', i >= nInactive);
  // A couple of people without a cost rate (labour profitability reports their hours separately).
  const techs = resources.filter((r) => r.tech);
  const noCost = [techs[techs.length - 1]!, ...(techs.length > 20 ? [techs[techs.length - 7]!] : [])];
  for (const r of noCost) {
    r.cost = null;
    const t = tenant.table('Resources');
    t.set(t.find(r.id), 'internalCost', null);
  }
  // Most technicians have an availability record; a few rely on the default.
  const activeTechList = techs.filter((r) => r.activeUntil === Infinity && r.roleId !== 29683404);
  const withoutAvail = new Set([activeTechList[0]!.id, ...(activeTechList.length > 10 ? [activeTechList[activeTechList.length - 3]!.id] : [])]);
  for (const r of resources) {
    if (withoutAvail.has(r.id) || (!r.tech && r.roleId !== 29683406)) continue;
    const partTime = rng.chance(0.08);
    const day = rng.chance(0.2) ? 7.5 : 8;
    tenant.table('ResourceDailyAvailabilities').append({
      id: tenant.nextId('ResourceDailyAvailabilities'), resourceID: r.id,
      mondayAvailableHours: day, tuesdayAvailableHours: day, wednesdayAvailableHours: day, thursdayAvailableHours: day,
      fridayAvailableHours: partTime ? 4 : day, saturdayAvailableHours: 0, sundayAvailableHours: 0,
      weeklyBillableHoursGoal: partTime ? 24 : rng.pick([28, 30, 30, 32, 32, 34]), travelAvailability: 0,
    });
  }
  tenant.table('HolidaySets').append({ id: 1, holidaySetName: 'Company Holidays', holidaySetDescription: 'Observed office closures' });
  tenant.table('HolidaySets').append({ id: 2, holidaySetName: 'UK Office', holidaySetDescription: 'Unused set kept for history' });
  const firstYear = new Date(start).getUTCFullYear();
  const lastYear = new Date(now).getUTCFullYear() + 1;
  for (let y = firstYear; y <= lastYear; y++) {
    for (const [name, date] of usHolidays(y)) tenant.table('Holidays').append({ id: tenant.nextId('Holidays'), holidaySetID: 1, holidayName: name, holidayDate: date });
  }
  tenant.table('Holidays').append({ id: tenant.nextId('Holidays'), holidaySetID: 2, holidayName: 'Boxing Day', holidayDate: Date.UTC(lastYear - 1, 11, 26) });
  // Technicians working at an instant: the always-active ones plus a suffix of the departed ones sorted
  // by departure; cached per suffix because it is asked once per ticket.
  const departed = techs.filter((r) => r.activeUntil !== Infinity).sort((a, b) => a.activeUntil - b.activeUntil);
  const stayers = techs.filter((r) => r.activeUntil === Infinity);
  const bySuffix = new Map<number, Resource[]>();
  const activeTechsAt = (t: number) => {
    let k = 0;
    while (k < departed.length && departed[k]!.activeUntil <= t) k++;
    let list = bySuffix.get(k);
    if (!list) {
      list = [...stayers, ...departed.slice(k)];
      bySuffix.set(k, list);
    }
    return list;
  };
  const apiUser = resources[0]!.id;
  tenant.adminResourceId = apiUser;

  // ---- Companies ----
  progress('companies', 0);
  const companies: CompanyInfo[] = [];
  const usedCompanyNames = new Set<string>();
  const companyTable = tenant.table('Companies');
  const companyRecs: StoredRecord[] = [];
  const addCompany = (id: number, name: string, type: number, endpoints: number) => {
    const created = now - rng.int(400, 3000) * D;
    const info: CompanyInfo = {
      id, type, endpoints, recurringContract: null, contractType: null, tmContract: null,
      sla: rng.weighted([[1, 6], [2, 2], [4, 2]]), lastActivity: created, owner: rng.pick(salesReps),
    };
    companies.push(info);
    companyRecs.push({
      id, companyName: name, companyType: type, isActive: !(type === 4 || (type === 1 && rng.chance(0.03))), ownerResourceID: info.owner,
      lastActivityDate: null, createDate: created, lastTrackedModifiedDateTime: null,
      companyNumber: String(1000 + id), phone: `+1 555 ${String(100 + (id % 900)).padStart(3, '0')} ${String(1000 + ((id * 37) % 9000))}`,
      city: rng.pick(['Springfield', 'Riverton', 'Fairview', 'Madison', 'Georgetown', 'Salem', 'Franklin', 'Clinton']),
      state: rng.pick(['OH', 'PA', 'NY', 'TX', 'CA', 'WA', 'IL']), postalCode: String(10000 + rng.int(0, 89999)),
      webAddress: `https://www.${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`, parentCompanyID: null,
      classification: rng.weighted([[101, 2], [102, 4], [103, 4]]),
      'udf:Customer Tier': type === 1 ? rng.pick(['Gold', 'Silver', 'Silver', 'Bronze']) : null,
      'udf:Onboarding Complete': type === 1 ? (rng.chance(0.9) ? 'Yes' : 'No') : null,
      'udf:Documentation Link': type === 1 && rng.chance(0.5) ? `https://docs.northwind-it.example/clients/${id}` : null,
    });
    return info;
  };
  addCompany(0, 'Northwind IT Services', 8, 40);
  for (let i = 1; i < p.companies; i++) {
    let name = '';
    for (let k = 0; k < 10; k++) {
      name = `${rng.pick(COMPANY_A)} ${rng.pick(COMPANY_B)} ${rng.pick(COMPANY_C)}`.trim();
      if (!usedCompanyNames.has(name)) break;
    }
    if (usedCompanyNames.has(name)) name = `${name} ${i}`;
    // Real company names carry ampersands, accents and angle brackets; reports must print them as text.
    if (i === 2) name = 'Müller & Söhne <Steuerberatung>';
    usedCompanyNames.add(name);
    const type = rng.weighted([[1, 70], [3, 14], [2, 5], [4, 3], [7, 4], [6, 4]]);
    const endpoints = type === 1 ? Math.max(4, Math.round(Math.exp(rng.float(1.6, 4.2)))) : 0;
    addCompany(99 + i * 3, name, type, endpoints);
  }
  const customers = companies.filter((c) => c.type === 1);
  const prospects = companies.filter((c) => c.type === 3 || c.type === 2);

  // ---- Contracts ----
  progress('contracts', 0);
  interface ContractDraft extends StoredRecord { id: number }
  const contracts: ContractDraft[] = [];
  let cid = 1001;
  const fmtNum = (n: number) => `C${String(n).padStart(5, '0')}`;
  const monthlyFee = new Map<number, number>();
  const contractKind = new Map<number, 'recurring' | 'tm' | 'block'>();
  const contractCompany = new Map<number, number>();
  const contractSpan = new Map<number, [number, number]>();
  let recurringCount = 0;
  let blockCount = 0;
  for (const c of customers) {
    if (rng.chance(0.78) || recurringCount < 2) {
      const termMonths = rng.pick([12, 12, 24, 36]);
      // End dates spread from 60 days ago (expired, still Active) to two years ahead; the first two
      // managed customers are pinned to one expired and one renewing contract so every tenant has both.
      const k = recurringCount++;
      const end = k === 0 ? today - rng.int(5, 40) * D : k === 1 ? today + rng.int(10, 110) * D : today + rng.int(-60, 700) * D;
      const startD = addMonths(end + D, -termMonths);
      const fee = Math.round(c.endpoints * rng.float(85, 140));
      if (rng.chance(0.5)) {
        // The previous term, now inactive and renewed into the current one.
        const prevEnd = startD - D;
        const prevStart = addMonths(prevEnd + D, -12);
        contracts.push({
          id: cid++, contractName: `Managed Services Agreement ${new Date(prevStart).getUTCFullYear()}`, companyID: c.id,
          status: pv('Contracts', 'status', 'Inactive'), contractType: pv('Contracts', 'contractType', 'Recurring Service'),
          startDate: prevStart, endDate: prevEnd, estimatedRevenue: Math.round(fee * 0.9 * 12), renewedContractID: cid,
          lastModifiedDateTime: clampPast(prevEnd + rng.int(1, 20) * D), contractCategory: 12, contractNumber: fmtNum(cid - 1),
          isDefaultContract: false, estimatedHours: null, estimatedCost: Math.round(fee * 0.2 * 12), setupFee: 0, serviceLevelAgreementID: c.sla,
          description: 'Previous term', contactID: null,
        });
        monthlyFee.set(cid - 1, Math.round(fee * 0.9));
        contractKind.set(cid - 1, 'recurring');
        contractCompany.set(cid - 1, c.id);
        contractSpan.set(cid - 1, [prevStart, prevEnd]);
      }
      const id = cid++;
      const expiredRenewed = end < today && rng.chance(0.4);
      contracts.push({
        id, contractName: `Managed Services Agreement`, companyID: c.id, status: pv('Contracts', 'status', 'Active'),
        contractType: pv('Contracts', 'contractType', 'Recurring Service'), startDate: startD, endDate: end,
        estimatedRevenue: fee * termMonths, renewedContractID: expiredRenewed ? cid : null,
        lastModifiedDateTime: clampPast(startD + rng.int(0, 60) * D), contractCategory: 12, contractNumber: fmtNum(id),
        isDefaultContract: true, estimatedHours: null, estimatedCost: Math.round(fee * 0.2 * termMonths), setupFee: rng.chance(0.3) ? 500 : 0,
        serviceLevelAgreementID: c.sla, description: `${c.endpoints} managed endpoints`, contactID: null,
      });
      monthlyFee.set(id, fee);
      contractKind.set(id, 'recurring');
      contractCompany.set(id, c.id);
      contractSpan.set(id, [startD, end]);
      c.recurringContract = id;
      c.contractType = 'recurring';
      if (expiredRenewed) {
        // Renewed in the system, but someone forgot to set the old one inactive.
        const nid = cid++;
        contracts.push({
          id: nid, contractName: `Managed Services Agreement (renewal)`, companyID: c.id, status: pv('Contracts', 'status', 'Active'),
          contractType: pv('Contracts', 'contractType', 'Recurring Service'), startDate: end + D, endDate: addMonths(end + D, 12) - D,
          estimatedRevenue: Math.round(fee * 1.05) * 12, renewedContractID: null, lastModifiedDateTime: clampPast(end - rng.int(1, 10) * D),
          contractCategory: 12, contractNumber: fmtNum(nid), isDefaultContract: false, estimatedHours: null, estimatedCost: null, setupFee: 0,
          serviceLevelAgreementID: c.sla, description: 'Renewal', contactID: null,
        });
        monthlyFee.set(nid, Math.round(fee * 1.05));
        contractKind.set(nid, 'recurring');
        contractCompany.set(nid, c.id);
        contractSpan.set(nid, [end + D, addMonths(end + D, 12) - D]);
      }
    }
    if (!c.recurringContract || rng.chance(0.3)) {
      const id = cid++;
      const s = today - rng.int(100, 1500) * D;
      contracts.push({
        id, contractName: 'Time & Materials', companyID: c.id, status: pv('Contracts', 'status', 'Active'),
        contractType: pv('Contracts', 'contractType', 'Time and Materials'), startDate: s, endDate: Date.UTC(2030, 11, 31),
        estimatedRevenue: Math.round(rng.float(2000, 30000)), renewedContractID: null, lastModifiedDateTime: clampPast(s + rng.int(0, 90) * D),
        contractCategory: 13, contractNumber: fmtNum(id), isDefaultContract: !c.recurringContract, estimatedHours: null, estimatedCost: null,
        setupFee: 0, serviceLevelAgreementID: c.sla, description: 'Break/fix work', contactID: null,
      });
      contractKind.set(id, 'tm');
      contractCompany.set(id, c.id);
      contractSpan.set(id, [s, Date.UTC(2030, 11, 31)]);
      c.tmContract = id;
      if (!c.contractType) c.contractType = 'tm';
    }
    if (rng.chance(0.12) || blockCount++ === 0) {
      const id = cid++;
      const s = today - rng.int(30, 300) * D;
      const hours = rng.pick([10, 20, 40]);
      contracts.push({
        id, contractName: `${hours}-Hour Block`, companyID: c.id, status: pv('Contracts', 'status', rng.chance(0.85) ? 'Active' : 'Inactive'),
        contractType: pv('Contracts', 'contractType', 'Block Hours'), startDate: s, endDate: addMonths(s, 12) - D,
        estimatedRevenue: hours * 140, renewedContractID: null, lastModifiedDateTime: clampPast(s + rng.int(0, 30) * D), contractCategory: 13,
        contractNumber: fmtNum(id), isDefaultContract: false, estimatedHours: hours, estimatedCost: null, setupFee: 0,
        serviceLevelAgreementID: c.sla, description: 'Prepaid block of hours', contactID: null,
      });
      contractKind.set(id, 'block');
      contractCompany.set(id, c.id);
      contractSpan.set(id, [s, addMonths(s, 12) - D]);
    }
  }
  for (const c of contracts) tenant.table('Contracts').append(c);

  // ---- Configuration items ----
  progress('configuration items', 0);
  const ciTypes: [number, number][] = [[3, 55], [4, 25], [5, 8], [6, 6], [7, 6]];
  const ciPrefix: Record<number, string> = { 3: 'WS', 4: 'LT', 5: 'SRV', 6: 'PRN', 7: 'NET' };
  for (const c of companies) {
    const n = c.id === 0 ? 25 : c.endpoints;
    for (let i = 0; i < n; i++) {
      const type = rng.weighted(ciTypes);
      const created = now - rng.int(5, 1500) * D;
      tenant.table('ConfigurationItems').append({
        id: tenant.nextId('ConfigurationItems') + (tenant.table('ConfigurationItems').size === 0 ? 500 : 0), companyID: c.id,
        configurationItemType: type, isActive: rng.chance(0.92), referenceTitle: `${ciPrefix[type]}-${String(c.id).padStart(4, '0')}-${String(i + 1).padStart(3, '0')}`,
        createDate: created, lastModifiedTime: clampPast(created + rng.int(0, 400) * D),
        serialNumber: `SN${(seed * 7919 + c.id * 131 + i * 17).toString(36).toUpperCase()}`, referenceNumber: null,
        installDate: created, warrantyExpirationDate: created + rng.pick([3, 4, 5]) * 365 * D, contractID: c.recurringContract,
        rmmOpenAlertCount: rng.chance(0.1) ? rng.int(1, 4) : 0,
      });
    }
  }

  // ---- Projects and tasks ----
  progress('projects', 0);
  interface ProjectInfo { id: number; companyID: number; start: number; end: number; open: boolean; tasks: { id: number; start: number | null; end: number | null; open: boolean; res: number; role: number; est: number }[] }
  const projects: ProjectInfo[] = [];
  const pStatus = { new: pv('Projects', 'status', 'New'), complete: pv('Projects', 'status', 'Complete'), inprogress: pv('Projects', 'status', 'In Progress'), hold: pv('Projects', 'status', 'On Hold') };
  const tStatus = { new: pv('Tasks', 'status', 'New'), complete: pv('Tasks', 'status', 'Complete'), inprogress: pv('Tasks', 'status', 'In Progress'), waiting: pv('Tasks', 'status', 'Waiting Customer') };
  let taskId = 7001;
  const pms = resources.filter((r) => r.roleId === 29683404);
  for (let i = 0; i < p.projects; i++) {
    const company = i % 7 === 6 ? companies[0]! : rng.pick(customers);
    // Spread projects over the year; about a third still running or starting soon.
    let pStart = dayStart(now - rng.int(-20, 380) * D) + 8 * H;
    let pEnd = pStart + rng.int(20, 120) * D;
    // The first two projects are running now (one late, one on track), so every tenant has open work.
    if (i === 0) {
      pStart = dayStart(now - 80 * D) + 8 * H;
      pEnd = dayStart(now + 10 * D) + 17 * H;
    } else if (i === 1) {
      pStart = dayStart(now - 10 * D) + 8 * H;
      pEnd = dayStart(now + 60 * D) + 17 * H;
    }
    const open = pEnd > now - 10 * D || rng.chance(0.05);
    const id = 501 + i * 2;
    const lead = rng.pick(pms).id;
    const info: ProjectInfo = { id, companyID: company.id, start: pStart, end: pEnd, open, tasks: [] };
    projects.push(info);
    const status = !open ? pStatus.complete : pStart > now ? pStatus.new : rng.chance(0.1) ? pStatus.hold : pStatus.inprogress;
    tenant.table('Projects').append({
      id, projectName: `${rng.pick(PROJECT_NAMES)}${company.id === 0 ? ' (internal)' : ''}`, companyID: company.id, status,
      startDateTime: pStart, endDateTime: pEnd, projectLeadResourceID: lead, lastActivityDateTime: null,
      projectNumber: `P${new Date(pStart).getUTCFullYear()}${String(i + 1).padStart(4, '0')}`, projectType: company.id === 0 ? 4 : 5,
      contractID: company.tmContract ?? company.recurringContract, completedDateTime: open ? null : clampPast(pEnd + rng.int(0, 5) * D),
      estimatedTime: null, createDateTime: pStart - rng.int(5, 30) * D, description: null,
    });
    const nTasks = rng.int(3, 9);
    for (let k = 0; k < nTasks; k++) {
      const span = pEnd - pStart;
      let ts: number | null = pStart + Math.floor((span * k) / nTasks);
      let te: number | null = ts + Math.max(D, Math.floor(span / nTasks));
      const done = i === 0 && k === 0 ? false : !open ? true : te < now - 3 * D ? rng.chance(0.75) : false;
      if (open && !done && (rng.chance(0.12) || (i === 0 && k === nTasks - 1))) {
        ts = null;
        te = null;
      }
      const tech = rng.pick(activeTechsAt(now));
      const est = roundTo(rng.float(2, 24), 0.5);
      info.tasks.push({ id: taskId, start: ts, end: te, open: !done, res: tech.id, role: 29683404, est });
      tenant.table('Tasks').append({
        id: taskId, projectID: id, title: TASK_NAMES[k % TASK_NAMES.length]!, status: done ? tStatus.complete : ts !== null && ts < now ? rng.pick([tStatus.inprogress, tStatus.inprogress, tStatus.waiting]) : tStatus.new,
        estimatedHours: est, remainingHours: done ? 0 : rng.chance(0.2) ? null : roundTo(est * rng.float(0.2, 1), 0.5),
        startDateTime: ts, endDateTime: te, assignedResourceID: tech.id, completedDateTime: done ? clampPast((te ?? pEnd) - rng.int(0, 2) * D) : null,
        createDateTime: pStart - rng.int(1, 5) * D, lastActivityDateTime: null, taskNumber: `T${taskId}`, taskType: 1,
        assignedResourceRoleID: 29683404, completedByResourceID: done ? tech.id : null, description: null, isTaskBillable: company.id !== 0, phaseID: null,
      });
      taskId += 1;
    }
  }

  // ---- Tickets, time entries, billing items ----
  progress('tickets', 0);
  const nTickets = p.tickets;
  const creates = new Float64Array(nTickets);
  for (let i = 0; i < nTickets; i++) {
    let t = start + rng.next() * (now - start - 10 * MIN);
    const dow = new Date(t).getUTCDay();
    if ((dow === 0 || dow === 6) && rng.chance(0.8)) t -= rng.int(1, 2) * D;
    const hour = new Date(t).getUTCHours();
    if ((hour < 7 || hour > 18) && rng.chance(0.75)) t = dayStart(t) + rng.float(8, 17) * H;
    creates[i] = Math.max(start, Math.min(t, now - 10 * MIN));
  }
  creates.sort();
  // Force a few fresh tickets so "new, young" states exist at now.
  for (let i = 0; i < Math.min(4, nTickets); i++) creates[nTickets - 1 - i] = now - (i + 1) * 37 * MIN;
  creates.sort();

  const prevMonthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - 1, 1);
  const prevMonthEnd = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
  const allWorkflows = WORKFLOWS.map(([w]) => w);
  let forcedInPrevMonth = 0;

  const ts = {
    new: pv('Tickets', 'status', 'New'), complete: pv('Tickets', 'status', 'Complete'), inprogress: pv('Tickets', 'status', 'In Progress'),
    escalate: pv('Tickets', 'status', 'Escalate'), scheduled: pv('Tickets', 'status', 'Scheduled'), dispatched: pv('Tickets', 'status', 'Dispatched'),
    hold: pv('Tickets', 'status', 'On Hold'), wcust: pv('Tickets', 'status', 'Waiting Customer'), wvend: pv('Tickets', 'status', 'Waiting Vendor'),
    wmat: pv('Tickets', 'status', 'Waiting Materials'), note: pv('Tickets', 'status', 'Customer Note Added'),
  };
  const prio = { Critical: pv('Tickets', 'priority', 'Critical'), High: pv('Tickets', 'priority', 'High'), Medium: pv('Tickets', 'priority', 'Medium'), Low: pv('Tickets', 'priority', 'Low') };
  const q = {
    t1: pv('Tickets', 'queueID', 'Tier 1'), t2: pv('Tickets', 'queueID', 'Tier 2'), t3: pv('Tickets', 'queueID', 'Tier 3'), triage: pv('Tickets', 'queueID', 'Triage'),
    alerts: pv('Tickets', 'queueID', 'Monitoring Alerts'), recurring: pv('Tickets', 'queueID', 'Recurring Maintenance'), projects: pv('Tickets', 'queueID', 'Projects'),
  };
  const type = { sr: pv('Tickets', 'ticketType', 'Service Request'), inc: pv('Tickets', 'ticketType', 'Incident'), prob: pv('Tickets', 'ticketType', 'Problem'), chg: pv('Tickets', 'ticketType', 'Change Request'), alert: pv('Tickets', 'ticketType', 'Alert') };
  const subIssues = tenant.picklists.Tickets!.subIssueType!.filter((v) => v.isActive);
  const genericIssues = [11, 12, 13, 16, 17];

  const ticketsT = tenant.table('Tickets');
  const teT = tenant.table('TimeEntries');
  const biT = tenant.table('BillingItems');
  const histT = tenant.table('TicketHistory');
  let teId = 30001;
  let biId = 90001;
  let histId = 1;
  const dayCounters = new Map<number, number>();
  const ticketNumberFor = (created: number) => {
    const d = dayStart(created);
    const n = (dayCounters.get(d) ?? 0) + 1;
    dayCounters.set(d, n);
    const iso = new Date(d).toISOString();
    return `T${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}.${String(n).padStart(4, '0')}`;
  };
  const teTarget = p.timeEntries;
  const ticketTeShare = 0.82;
  const avgBase = WORKFLOWS.reduce((s, [w, wt]) => s + TE_BASE[w] * wt, 0) / WORKFLOWS.reduce((s, [, wt]) => s + wt, 0);
  const teFactor = (teTarget * ticketTeShare) / nTickets / avgBase;
  const invoiceOf = (companyID: number, itemDate: number) => (itemDate < now - 35 * D ? 400000 + companyID * 1000 + ((new Date(itemDate).getUTCMonth() + 12 * (new Date(itemDate).getUTCFullYear() - 2000)) % 1000) : null);
  const resourceById = new Map(resources.map((r) => [r.id, r]));
  const openTicketIds: number[] = [];
  const deletableTickets: number[] = [];
  const scheduledTickets: number[] = [];
  const completedForCalls: number[] = [];

  /** Writes one time entry (and its billing item when approved and billable). Returns the lag-adjusted create time. */
  const addTimeEntry = (o: {
    resource: Resource; ticketID: number | null; taskID: number | null; projectID: number | null; companyID: number; contractID: number | null;
    start: number; hours: number; nonBillable: boolean; withTimes: boolean;
  }): number => {
    const end = o.start + o.hours * H;
    const lagRoll = rng.next();
    const lag = lagRoll < 0.72 ? rng.float(0, 15) * MIN : lagRoll < 0.86 ? rng.float(15, 120) * MIN : lagRoll < 0.96 ? rng.float(2, 24) * H : rng.float(1, 6) * D;
    const base = o.withTimes ? end : dayStart(o.start) + 17 * H;
    const created = Math.floor(clampPast(Math.max(base + lag, o.start + MIN)) / 1000) * 1000 + (rng.chance(0.5) ? rng.int(0, 999) : 0);
    const billable = !o.nonBillable;
    const hoursToBill = billable ? (rng.chance(0.1) ? roundTo(o.hours + 0.25, 0.25) : o.hours) : 0;
    const age = now - end;
    // Almost all work is approved and posted within a week or so (an old unposted entry is the exception).
    const approved = age > 10 * D ? rng.chance(0.995) : age > 3 * D ? rng.chance(0.75) : false;
    const approvedAt = approved ? clampPast(Math.max(created, end + rng.float(1, 9) * D)) : null;
    const approvedReal = approvedAt !== null && approvedAt < now - MIN ? approvedAt : null;
    const id = teId++;
    teT.append({
      id, resourceID: o.resource.id, roleID: o.resource.roleId, ticketID: o.ticketID, taskID: o.taskID, contractID: o.contractID,
      dateWorked: dayStart(o.start), startDateTime: o.withTimes ? o.start : null, endDateTime: o.withTimes ? end : null,
      hoursWorked: o.hours, hoursToBill, isNonBillable: o.nonBillable, billingApprovalDateTime: approvedReal,
      timeEntryType: o.ticketID !== null ? 2 : 6, createDateTime: created, lastModifiedDateTime: approvedReal ?? created,
      summaryNotes: rng.pick(TE_NOTES), internalNotes: null, showOnInvoice: billable, offsetHours: 0, billingCodeID: 29682801,
      creatorUserID: o.resource.id, lastModifiedUserID: approvedReal ? apiUser : o.resource.id, billingApprovalResourceID: approvedReal ? apiUser : null,
      billingApprovalLevelMostRecent: approvedReal ? 1 : null,
    });
    if (approvedReal !== null && billable) {
      const kind = o.contractID !== null ? contractKind.get(o.contractID) : undefined;
      const covered = kind === 'block' || (kind === 'recurring' && rng.chance(0.8));
      const rate = covered ? 0 : roleRate.get(o.resource.roleId) ?? 125;
      biT.append({
        id: biId++, billingItemType: 1, companyID: o.companyID, contractID: o.contractID, ticketID: o.ticketID, taskID: o.taskID,
        projectID: o.projectID, timeEntryID: id, roleID: o.resource.roleId, invoiceID: invoiceOf(o.companyID, o.start),
        itemName: 'Labor', itemDate: dayStart(o.start), quantity: hoursToBill, rate, extendedPrice: Math.round(rate * hoursToBill * 100) / 100,
        ourCost: o.resource.cost === null ? 0 : Math.round(o.resource.cost * o.hours * 100) / 100, postedDate: approvedReal,
        description: 'Labor', totalAmount: Math.round(rate * hoursToBill * 100) / 100, nonBillable: false, webServiceDate: null,
        itemApproverID: apiUser, lineItemFullDescription: null,
      });
    }
    return created;
  };

  for (let i = 0; i < nTickets; i++) {
    if (i % 2000 === 0) progress('tickets', i / nTickets);
    const created = Math.floor(creates[i]!);
    let wf: Workflow = rng.weighted(WORKFLOWS);
    if (created >= prevMonthStart && created < prevMonthEnd && forcedInPrevMonth < allWorkflows.length * 2) {
      // Every workflow gets tickets in the previous month, even in a tiny tenant.
      wf = allWorkflows[forcedInPrevMonth % allWorkflows.length]!;
      forcedInPrevMonth++;
    }
    // The freshest tickets are ordinary service-desk work still open at now.
    const fresh = i >= nTickets - 4;
    if (fresh) wf = (['Medium', 'Low', 'ServiceRequest', 'High'] as const)[nTickets - 1 - i]!;
    const id = 10001 + i;
    const company = wf === 'Recurring' || wf === 'Alert' ? rng.pick(customers) : rng.chance(0.04) ? companies[0]! : rng.chance(0.03) && prospects.length ? rng.pick(prospects) : rng.pick(customers);
    let project: ProjectInfo | null = null;
    if (wf === 'Project') {
      const live = projects.filter((pr) => pr.start <= created && pr.end >= created);
      project = live.length ? rng.pick(live) : projects.length ? rng.pick(projects) : null;
      if (!project) wf = 'ServiceRequest';
    }
    const ticketCompany = project ? companyIndex(companies, project.companyID) ?? company : company;
    const ticketType = wf === 'Alert' ? type.alert : ['Critical', 'High', 'Medium', 'Low'].includes(wf) ? type.inc : wf === 'Problem' ? type.prob : wf === 'Change' ? type.chg : wf === 'Recurring' ? rng.pick([type.sr, type.sr, type.chg]) : type.sr;
    const priority = wf === 'Critical' ? prio.Critical : wf === 'High' ? prio.High : wf === 'Medium' ? prio.Medium : wf === 'Low' ? prio.Low : wf === 'Alert' ? rng.pick([prio.High, prio.Medium, prio.Low]) : rng.weighted([[prio.Medium, 5], [prio.Low, 4], [prio.High, 1]]);
    const issueType = wf === 'QuickHit' ? 14 : wf === 'Install' ? 15 : rng.pick(genericIssues);
    const subs = subIssues.filter((s) => s.parentValue === issueType);
    const subIssueType = subs.length && rng.chance(0.85) ? rng.pick(subs).value : null;
    const category = wf === 'Recurring' ? 105 : wf === 'Alert' ? 4 : wf === 'Change' ? 113 : wf === 'Project' ? 117 : 3;
    const source = wf === 'Alert' ? 8 : wf === 'Recurring' ? 1 : rng.weighted([[2, 4], [4, 4], [6, 3], [13, 1], [11, 1], [-1, 0.3]]);
    let queue = wf === 'Alert' ? q.alerts : wf === 'Recurring' ? q.recurring : wf === 'Project' ? q.projects : wf === 'Problem' ? rng.pick([q.t2, q.t3]) : wf === 'Change' || wf === 'Install' ? q.t2 : rng.weighted([[q.t1, 75], [q.t2, 13], [q.t3, 4], [q.triage, 8]]);
    const hasSla = !['Alert', 'Recurring', 'Project'].includes(wf) && rng.chance(0.88);
    const due = SLA_DUE[wf] ?? SLA_DUE.Default!;
    const sla = hasSla ? ticketCompany.sla : null;

    // Resolution time: SLA-driven where an SLA applies, mostly met.
    const resolvedDue = created + due[2] * H;
    let duration: number;
    if (wf === 'QuickHit') duration = rng.chance(0.7) ? rng.float(10, 50) * MIN : rng.float(1, 30) * H;
    else if (hasSla) duration = rng.chance(0.88) ? due[2] * H * Math.pow(rng.float(0.05, 0.95), 1.3) : due[2] * H * rng.float(1.05, 4);
    else if (wf === 'Alert') duration = rng.exp(3 * H);
    else if (wf === 'Recurring') duration = rng.float(1, 10) * D;
    else duration = rng.exp(4 * D);
    let completedAt: number | null = created + Math.max(5 * MIN, duration);
    // Some tickets stall; old stalled tickets mostly got closed eventually, so the chance falls with age.
    const recent = now - created < 60 * D;
    const stuckP = (wf === 'Alert' ? 0.008 : wf === 'Recurring' ? 0.02 : wf === 'Project' ? 0.06 : 0.09) * (recent ? 1 : 0.06);
    if (completedAt > now - MIN || rng.chance(stuckP) || fresh) completedAt = null;
    const isOpen = completedAt === null;

    const techsNow = activeTechsAt(created);
    const assigned = isOpen && now - created < 2 * H && rng.chance(0.5) ? null : rng.pick(techsNow.length ? techsNow : techs);
    let status: number;
    if (!isOpen) status = ts.complete;
    else if (assigned === null) status = ts.new;
    else {
      status = rng.weighted([[ts.inprogress, 30], [ts.escalate, 7], [ts.scheduled, 9], [ts.dispatched, 5], [ts.hold, 9], [ts.wcust, 14], [ts.wvend, 6], [ts.wmat, 5], [ts.note, 3], [ts.new, 4]]);
      if (status === ts.escalate && (queue === q.t1 || queue === q.triage)) queue = q.t2;
    }
    if (['Critical', 'High', 'Medium', 'Low', 'Problem'].includes(wf) && !isOpen && rng.chance(0.12)) queue = rng.pick([q.t2, q.t3]);

    const frDue = hasSla ? created + due[0] * H : null;
    const planDue = hasSla ? created + due[1] * H : null;
    const end = completedAt ?? now;
    const fr = hasSla ? (rng.chance(0.96) ? created + due[0] * H * rng.float(0.05, 0.9) : created + due[0] * H * rng.float(1.1, 3)) : null;
    const frReal = fr !== null && fr < end ? Math.floor(fr) : isOpen ? null : fr !== null ? end : null;
    const plan = hasSla ? (rng.chance(0.93) ? created + due[1] * H * rng.float(0.1, 0.95) : created + due[1] * H * rng.float(1.05, 3)) : null;
    const planReal = plan !== null && plan < end ? Math.floor(plan) : isOpen ? null : plan !== null ? end : null;

    // Time entries on this ticket.
    let nTe: number;
    if (wf === 'QuickHit') nTe = rng.chance(0.75) ? 1 : 1 + rng.poisson(teFactor);
    else nTe = rng.poisson(TE_BASE[wf] * teFactor);
    if (isOpen && now - created < H) nTe = 0;
    if (!isOpen && nTe === 0 && wf !== 'Alert') nTe = 1;
    const contractID = project ? null : ticketCompany.recurringContract ?? ticketCompany.tmContract;
    const nonBillableTicket = ticketCompany.id === 0 || wf === 'Recurring';
    let lastActivity = Math.max(created, frReal ?? 0, completedAt ?? 0);
    let lastTe: number | null = null;
    for (let k = 0; k < nTe; k++) {
      const res = assigned && rng.chance(0.8) ? assigned : rng.pick(techsNow.length ? techsNow : techs);
      // About 30 h per technician per week over the whole history.
      const hours = wf === 'QuickHit' && nTe === 1 ? 0.25 : Math.min(8, Math.max(0.25, roundTo(rng.exp(wf === 'Alert' ? 0.4 : 1.8), 0.25)));
      let st: number;
      if (wf === 'QuickHit' && nTe === 1) st = created + rng.float(1, 15) * MIN;
      else st = created + (end - created) * (nTe === 1 ? rng.float(0, 0.7) : k / nTe + rng.float(0, 0.8 / nTe));
      st = inBusiness(roundTo(st, 5 * MIN), end);
      if (st + hours * H > now) continue;
      if (completedAt !== null && wf === 'QuickHit' && nTe === 1) completedAt = Math.max(completedAt, st + hours * H + rng.float(0, 8) * MIN);
      const createdTe = addTimeEntry({
        resource: res, ticketID: id, taskID: null, projectID: project?.id ?? null, companyID: ticketCompany.id, contractID,
        start: st, hours, nonBillable: nonBillableTicket || (wf === 'Alert' ? rng.chance(0.6) : rng.chance(0.12)), withTimes: rng.chance(0.92),
      });
      lastActivity = Math.max(lastActivity, createdTe);
      lastTe = createdTe;
    }
    if (completedAt !== null && completedAt > now - MIN) completedAt = now - MIN;
    lastActivity = Math.min(Math.max(lastActivity, completedAt ?? 0), now - 1000);
    const resolved = completedAt;
    const estimated = rng.chance(0.7) ? (wf === 'QuickHit' ? 0.25 : roundTo(rng.float(0.5, wf === 'Install' || wf === 'Change' ? 8 : 4), 0.25)) : rng.chance(0.3) ? 0 : null;
    const dueDate = created + (hasSla ? due[2] : rng.int(2, 10) * 24) * H;
    ticketsT.append({
      id, ticketNumber: ticketNumberFor(created), title: rng.pick(TICKET_TITLES[wf === 'Critical' || wf === 'High' || wf === 'Medium' || wf === 'Low' ? 'Incident' : wf]!),
      companyID: ticketCompany.id, status, priority, queueID: queue, ticketType, issueType, subIssueType, ticketCategory: category, source,
      serviceLevelAgreementID: sla, projectID: project?.id ?? null, contractID, assignedResourceID: assigned?.id ?? null,
      assignedResourceRoleID: assigned?.roleId ?? null, createDate: created, lastActivityDate: lastActivity, completedDate: completedAt,
      completedByResourceID: completedAt !== null ? assigned?.id ?? apiUser : null, dueDateTime: Math.floor(dueDate), estimatedHours: estimated,
      firstResponseDateTime: frReal, firstResponseDueDateTime: frDue, resolutionPlanDateTime: planReal, resolutionPlanDueDateTime: planDue,
      resolvedDateTime: hasSla ? resolved : completedAt, resolvedDueDateTime: hasSla ? resolvedDue : null, lastTrackedModificationDateTime: lastActivity,
      description: 'Reported by client.', contactID: null, configurationItemID: null, creatorResourceID: wf === 'Alert' ? apiUser : assigned?.id ?? apiUser,
      creatorType: 1, lastActivityPersonType: 1, lastActivityResourceID: assigned?.id ?? null,
      serviceLevelAgreementHasBeenMet: hasSla && resolved !== null ? resolved <= resolvedDue : null, hoursToBeScheduled: null,
      resolution: completedAt !== null ? 'Resolved.' : null, problemTicketId: null, opportunityID: null,
      'udf:Root Cause': completedAt !== null && (ticketType === type.inc || ticketType === type.prob) && rng.chance(0.3)
        ? rng.pick(['User Error', 'Hardware Failure', 'Software Bug', 'Configuration', 'Vendor Outage']) : null,
    });
    histT.append({ id: histId++, ticketID: id, action: 'Created', date: created, detail: 'Ticket created', resourceID: assigned?.id ?? apiUser });
    if (completedAt !== null) histT.append({ id: histId++, ticketID: id, action: 'Edit', date: completedAt, detail: 'status: -> Complete', resourceID: assigned?.id ?? apiUser });
    if (isOpen) openTicketIds.push(id);
    if (status === ts.scheduled || status === ts.dispatched) scheduledTickets.push(id);
    if (!isOpen && wf !== 'Alert' && rng.chance(0.05)) completedForCalls.push(id);
    if (lastTe === null && wf === 'Alert' && !isOpen && created < prevMonthStart - 7 * D) deletableTickets.push(id);
  }

  // Task time entries fill the rest of the target.
  progress('task time entries', 0);
  const allTasks = projects.flatMap((pr) => pr.tasks.map((t) => ({ ...t, project: pr })));
  const remaining = Math.max(Math.round(teTarget * 0.15), teTarget + Math.round(teTarget * 0.02) - teT.size);
  const perTask = allTasks.length ? remaining / allTasks.length : 0;
  for (const task of allTasks) {
    const tStart = task.start ?? task.project.start;
    const tEnd = Math.min(task.end ?? task.project.end, now - H);
    if (tEnd <= tStart) continue;
    const n = Math.round(perTask * rng.float(0.6, 1.4));
    const company = companies.find((c) => c.id === task.project.companyID)!;
    for (let k = 0; k < n; k++) {
      const st = inBusiness(roundTo(tStart + rng.next() * (tEnd - tStart), 15 * MIN), tEnd);
      const hours = Math.min(8, Math.max(0.5, roundTo(rng.exp(2.2), 0.25)));
      if (st + hours * H > now) continue;
      const res = rng.chance(0.7) ? resourceById.get(task.res)! : rng.pick(techs);
      addTimeEntry({
        resource: res, ticketID: null, taskID: task.id, projectID: task.project.id, companyID: company.id,
        contractID: company.tmContract, start: st, hours, nonBillable: company.id === 0 || rng.chance(0.15), withTimes: rng.chance(0.95),
      });
    }
    const tt = tenant.table('Tasks');
    tt.set(tt.find(task.id), 'lastActivityDateTime', clampPast(Math.max(tStart, Math.min(tEnd, now - rng.int(0, 20) * D))));
  }
  for (const pr of projects) {
    const t = tenant.table('Projects');
    t.set(t.find(pr.id), 'lastActivityDateTime', clampPast(Math.min(pr.end, now - rng.int(0, 15) * D)));
  }

  // Recurring contract service items, monthly, plus a few adjustments, expenses and products.
  progress('billing items', 0);
  const monthStarts: number[] = [];
  for (let m = Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth(), 1); m <= now; m = addMonths(m, 1)) monthStarts.push(m);
  for (const [contractID, fee] of monthlyFee) {
    const [cs, ce] = contractSpan.get(contractID)!;
    const companyID = contractCompany.get(contractID)!;
    for (const m of monthStarts) {
      if (m < cs || m > ce || m + 2 * D > now) continue;
      const adj = rng.chance(0.06);
      biT.append({
        id: biId++, billingItemType: 6, companyID, contractID, ticketID: null, taskID: null, projectID: null, timeEntryID: null, roleID: null,
        invoiceID: invoiceOf(companyID, m), itemName: 'Managed Services', itemDate: m, quantity: 1, rate: fee, extendedPrice: fee,
        ourCost: Math.round(fee * 0.18 * 100) / 100, postedDate: m + 2 * D + rng.int(0, 6) * H, description: 'Monthly managed services',
        totalAmount: fee, nonBillable: false, webServiceDate: null, itemApproverID: apiUser, lineItemFullDescription: null,
      });
      if (adj) {
        const amount = Math.round(fee * rng.float(-0.1, 0.15));
        biT.append({
          id: biId++, billingItemType: 7, companyID, contractID, ticketID: null, taskID: null, projectID: null, timeEntryID: null, roleID: null,
          invoiceID: invoiceOf(companyID, m), itemName: 'Endpoint count adjustment', itemDate: m + 14 * D, quantity: 1, rate: amount, extendedPrice: amount,
          ourCost: 0, postedDate: clampPast(m + 16 * D), description: 'Service adjustment', totalAmount: amount, nonBillable: false, webServiceDate: null,
          itemApproverID: apiUser, lineItemFullDescription: null,
        });
      }
    }
  }
  for (const m of monthStarts) {
    const n = Math.max(2, Math.round(customers.length / 15));
    for (let k = 0; k < n; k++) {
      const c = rng.pick(customers);
      const itemDate = m + rng.int(1, 25) * D;
      if (itemDate > now - D) continue;
      const kind = rng.weighted([[4, 4], [2, 3], [8, 2], [12, 1]]);
      const price = kind === 4 ? Math.round(rng.float(150, 3000)) : kind === 2 ? Math.round(rng.float(20, 300)) : kind === 8 ? Math.round(rng.float(-300, 400)) : Math.round(rng.float(100, 600));
      biT.append({
        id: biId++, billingItemType: kind, companyID: c.id, contractID: kind === 8 ? c.tmContract ?? c.recurringContract : null, ticketID: null, taskID: null,
        projectID: null, timeEntryID: null, roleID: null, invoiceID: invoiceOf(c.id, itemDate),
        itemName: kind === 4 ? 'Hardware' : kind === 2 ? 'Mileage' : kind === 8 ? 'Labor adjustment' : 'Ticket charge', itemDate, quantity: 1, rate: price,
        extendedPrice: price, ourCost: kind === 4 ? Math.round(price * 0.78) : kind === 2 ? price : 0, postedDate: clampPast(itemDate + rng.int(1, 5) * D),
        description: null, totalAmount: price, nonBillable: false, webServiceDate: null, itemApproverID: apiUser, lineItemFullDescription: null,
      });
    }
  }

  // ---- Service calls ----
  progress('service calls', 0);
  let scId = 2001;
  let sctId = 1;
  const addCall = (ticketID: number, startAt: number, complete: boolean, canceled: boolean) => {
    const t = ticketsT.stored(ticketsT.find(ticketID));
    const id = scId++;
    const createdAt = Math.min(now - H, startAt - rng.int(1, 72) * H);
    tenant.table('ServiceCalls').append({
      id, companyID: t.companyID, description: `Onsite: ${String(t.title)}`, startDateTime: startAt, endDateTime: startAt + rng.pick([1, 2, 3]) * H,
      isComplete: complete, canceledDateTime: canceled ? clampPast(Math.min(startAt, now) - rng.int(1, 24) * H) : null,
      createDateTime: createdAt, lastModifiedDateTime: clampPast(Math.max(createdAt, Math.min(startAt + 4 * H, now - H))),
      duration: 2, status: canceled ? 6 : complete ? 3 : 2, creatorResourceID: t.assignedResourceID ?? apiUser, canceledByResourceID: canceled ? apiUser : null,
    });
    tenant.table('ServiceCallTickets').append({ id: sctId++, serviceCallID: id, ticketID });
  };
  // Even a tiny tenant needs an aged backlog: reopen a few completed service-desk tickets from 2–8 weeks ago.
  const backlogWf = new Set([type.inc, type.sr, type.prob, type.chg]);
  let aged = 0;
  for (const tid of openTicketIds) {
    const pos = ticketsT.find(tid);
    const st = ticketsT.get(pos, 'status') as number;
    if (now - (ticketsT.get(pos, 'createDate') as number) > 14 * D && ticketsT.get(pos, 'projectID') === null && backlogWf.has(ticketsT.get(pos, 'ticketType') as number)
      && st !== ts.scheduled && st !== ts.dispatched) aged++;
  }
  for (let pos = ticketsT.length - 1; pos >= 0 && aged < 3; pos--) {
    const age = now - (ticketsT.get(pos, 'createDate') as number);
    if (age < 16 * D || ticketsT.get(pos, 'status') !== ts.complete || ticketsT.get(pos, 'projectID') !== null) continue;
    if (!backlogWf.has(ticketsT.get(pos, 'ticketType') as number) || ticketsT.get(pos, 'ticketCategory') === 105) continue;
    if (age > 56 * D) break;
    if (rng.chance(0.6)) continue;
    for (const f of ['completedDate', 'completedByResourceID', 'resolvedDateTime', 'resolution', 'serviceLevelAgreementHasBeenMet']) ticketsT.set(pos, f, null);
    ticketsT.set(pos, 'status', rng.pick([ts.wcust, ts.hold, ts.wvend, ts.wmat]));
    openTicketIds.push(ticketsT.idAt(pos));
    aged++;
  }

  // Open tickets with and without an estimate, for the forecast's "without estimate" count.
  const openPlain = openTicketIds.map((tid) => ticketsT.find(tid)).filter((pos) => ticketsT.get(pos, 'projectID') === null);
  if (openPlain.length >= 2) {
    const est = (pos: number) => (ticketsT.get(pos, 'estimatedHours') as number | null) ?? 0;
    if (!openPlain.some((pos) => est(pos) === 0)) ticketsT.set(openPlain[0]!, 'estimatedHours', null);
    if (!openPlain.some((pos) => est(pos) > 0)) ticketsT.set(openPlain[openPlain.length - 1]!, 'estimatedHours', 2);
  }

  // Even a tiny tenant needs a few scheduled tickets, with and without a future visit.
  // Youngest first, and the aged backlog only when nothing else is left: it must keep its on-hold tickets.
  for (const agedToo of [false, true]) {
    for (const tid of [...openTicketIds].reverse()) {
      if (scheduledTickets.length >= 4) break;
      const pos = ticketsT.find(tid);
      if (scheduledTickets.includes(tid) || ticketsT.get(pos, 'status') === ts.new || ticketsT.get(pos, 'projectID') !== null) continue;
      if (!agedToo && now - (ticketsT.get(pos, 'createDate') as number) > 14 * D) continue;
      ticketsT.set(pos, 'status', scheduledTickets.length % 2 ? ts.dispatched : ts.scheduled);
      scheduledTickets.push(tid);
    }
  }
  // …and at least one ticket on hold past its due date.
  const holdStatuses = new Set([ts.hold, ts.wcust, ts.wvend, ts.wmat]);
  const pastDueHold = openTicketIds.some((tid) => {
    const pos = ticketsT.find(tid);
    return holdStatuses.has(ticketsT.get(pos, 'status') as number) && (ticketsT.get(pos, 'dueDateTime') as number) < now;
  });
  if (!pastDueHold) {
    const tid = openTicketIds.find((x) => {
      const pos = ticketsT.find(x);
      return !scheduledTickets.includes(x) && ticketsT.get(pos, 'status') !== ts.new && (ticketsT.get(pos, 'dueDateTime') as number) < now;
    });
    if (tid !== undefined) ticketsT.set(ticketsT.find(tid), 'status', ts.wcust);
    else {
      // No open ticket is past due at all: one waiting on its customer passed its due date two days ago.
      const older = openTicketIds.find((x) => !scheduledTickets.includes(x) && (ticketsT.get(ticketsT.find(x), 'createDate') as number) < now - 3 * D);
      if (older !== undefined) {
        const pos = ticketsT.find(older);
        ticketsT.set(pos, 'status', ts.wcust);
        ticketsT.set(pos, 'dueDateTime', now - 2 * D);
      }
    }
  }
  scheduledTickets.sort((a, b) => a - b);
  scheduledTickets.forEach((tid, i) => {
    const mode = i % 7;
    // Most scheduled tickets have a future visit; some only a past one, a cancelled one, or none at all.
    if (mode % 2 === 0) addCall(tid, dayStart(now) + rng.int(1, 10) * D + rng.int(8, 15) * H, false, false);
    else if (mode === 3) addCall(tid, now - rng.int(2, 20) * D, true, false);
    else if (mode === 5) addCall(tid, now + rng.int(1, 5) * D, false, true);
  });
  for (const tid of completedForCalls) {
    const t = ticketsT.stored(ticketsT.find(tid));
    addCall(tid, Math.max(t.createDate as number, (t.completedDate as number) - rng.int(2, 48) * H), true, false);
  }

  // ---- Opportunities ----
  progress('opportunities', 0);
  const opStage = { qual: pv('Opportunities', 'stage', 'Qualification'), se: pv('Opportunities', 'stage', 'Sales Engineering'), prop: pv('Opportunities', 'stage', 'Proposal'), neg: pv('Opportunities', 'stage', 'Negotiation') };
  const opStatus = { active: pv('Opportunities', 'status', 'Active'), lost: pv('Opportunities', 'status', 'Lost'), closed: pv('Opportunities', 'status', 'Closed'), impl: pv('Opportunities', 'status', 'Implemented') };
  const probOf: Record<number, number> = { [opStage.qual]: 10, [opStage.se]: 30, [opStage.prop]: 50, [opStage.neg]: 75 };
  const oppCreates: number[] = [];
  for (let i = 0; i < p.opportunities; i++) oppCreates.push(now - rng.float(1, 390) * D);
  oppCreates.sort((a, b) => a - b);
  // Guaranteed cases for the sales reports, placed at fixed slots.
  const forced: Record<number, string> = { 0: 'stuck', 1: 'stuck', 2: 'won-recent', 3: 'won-recent', 4: 'lost-recent', 5: 'closing-soon', 6: 'hot', 7: 'qualifying' };
  const oppCompanies = [...customers, ...prospects];
  const xr = new Rng((seed ^ 0x0dea1) >>> 0);
  for (let i = 0; i < p.opportunities; i++) {
    const id = 3001 + i;
    const special = forced[i % Math.max(40, Math.round(p.opportunities / 4))];
    let created = Math.floor(oppCreates[i]!);
    const company = rng.pick(oppCompanies);
    const age = now - created;
    let status = age > 120 * D ? rng.weighted([[opStatus.closed, 35], [opStatus.lost, 30], [opStatus.impl, 6], [opStatus.active, 10]]) : rng.weighted([[opStatus.active, 70], [opStatus.closed, 15], [opStatus.lost, 15]]);
    let stage = rng.weighted([[opStage.qual, 30], [opStage.se, 25], [opStage.prop, 25], [opStage.neg, 20]]);
    let lastActivity = clampPast(created + rng.next() * age);
    let closedDate: number | null = null;
    let lostDate: number | null = null;
    let projectedClose = dayStart(now + rng.int(-20, 120) * D);
    if (special === 'stuck') {
      status = opStatus.active;
      stage = opStage.se;
      created = Math.min(created, now - 60 * D);
      lastActivity = now - rng.int(20, 50) * D;
    } else if (special === 'won-recent') {
      status = opStatus.closed;
      closedDate = dayStart(now - rng.int(1, 6) * D);
    } else if (special === 'lost-recent') {
      status = opStatus.lost;
      lostDate = dayStart(now - rng.int(1, 6) * D);
    } else if (special === 'closing-soon') {
      status = opStatus.active;
      stage = opStage.prop;
      projectedClose = dayStart(now + rng.int(1, 25) * D);
    } else if (special === 'qualifying') {
      status = opStatus.active;
      stage = opStage.qual;
    } else if (special === 'hot') {
      status = opStatus.active;
      stage = opStage.neg;
    }
    if (status === opStatus.closed || status === opStatus.impl) {
      closedDate ??= dayStart(clampPast(created + rng.float(0.3, 1) * age));
      stage = opStage.neg;
      lastActivity = Math.max(lastActivity, closedDate + 10 * H);
      projectedClose = closedDate;
    } else if (status === opStatus.lost) {
      lostDate ??= dayStart(clampPast(created + rng.float(0.3, 1) * age));
      lastActivity = Math.max(lastActivity, lostDate + 11 * H);
    }
    lastActivity = clampPast(Math.max(lastActivity, created));
    const amount = Math.round(rng.float(1500, 60000) / 50) * 50;
    const probability = status === opStatus.closed || status === opStatus.impl ? 100 : status === opStatus.lost ? 0 : Math.min(95, (probOf[stage] ?? 20) + rng.int(-5, 20));
    const title = `${company.id === 0 ? '' : ''}${rng.pick(OPPORTUNITY_NAMES)}`;
    const monthly = rng.chance(0.4) ? Math.round(amount / 24) : 0;
    // Revenue and cost per period (drawn from their own generator so the draws after this are unchanged):
    // goods bought for resale (one-time cost), recurring services, a few loss-making deals and empty fields.
    const goods = xr.chance(0.5);
    const onetimeCost = goods ? Math.round(amount * xr.float(0.35, 0.7)) : 0;
    const margin = xr.chance(0.1) ? xr.float(-0.25, -0.02) : xr.float(0.15, 0.55);
    const quarterly = monthly === 0 && xr.chance(0.1) ? Math.round(amount / 8) : 0;
    const yearly = monthly === 0 && quarterly === 0 && xr.chance(0.08) ? Math.round(amount / 2) : 0;
    const emptyRevenue = xr.chance(0.05);
    const cost = xr.chance(0.03) ? null : Math.round(amount * (1 - margin));
    tenant.table('Opportunities').append({
      id, title, companyID: company.id, ownerResourceID: company.owner, stage, status,
      amount, probability, projectedCloseDate: projectedClose, closedDate, lostDate, createDate: created, lastActivity,
      contactID: null, cost, monthlyRevenue: emptyRevenue ? null : monthly, onetimeRevenue: emptyRevenue ? null : amount - monthly * 12 - quarterly * 4 - yearly,
      onetimeCost, monthlyCost: monthly ? Math.round(monthly * 0.3) : 0, quarterlyRevenue: emptyRevenue ? null : quarterly, quarterlyCost: 0,
      semiannualRevenue: emptyRevenue ? null : 0, semiannualCost: 0, yearlyRevenue: emptyRevenue ? null : yearly, yearlyCost: 0,
      leadSource: rng.pick(['Referral', 'Website', 'Existing Client', 'Event', 'Cold Call']), rating: rng.pick([1, 2, 3]), creatorResourceID: company.owner,
    });
    company.lastActivity = Math.max(company.lastActivity, lastActivity);
  }
  // Renewal opportunities for some contracts ending soon.
  for (const c of contracts) {
    const endD = c.endDate as number;
    if (c.status === pv('Contracts', 'status', 'Active') && endD >= today && endD <= today + 120 * D && rng.chance(0.5)) {
      const company = companies.find((x) => x.id === c.companyID)!;
      const created = clampPast(endD - rng.int(60, 150) * D);
      tenant.table('Opportunities').append({
        id: tenant.nextId('Opportunities'), title: 'Contract Renewal', companyID: company.id, ownerResourceID: company.owner, stage: opStage.prop,
        status: opStatus.active, amount: Math.round((c.estimatedRevenue as number) * 1.03), probability: 80, projectedCloseDate: dayStart(endD - 7 * D),
        closedDate: null, lostDate: null, createDate: created, lastActivity: clampPast(Math.max(created, now - rng.int(1, 30) * D)),
        contactID: null, cost: 0, monthlyRevenue: 0, onetimeRevenue: 0, leadSource: 'Existing Client', rating: 1, creatorResourceID: company.owner,
      });
    }
  }

  // ---- Won-deal hand-offs: contracts, sales orders, delivery projects and tickets point at the deal ----
  // Most won deals are handed off; some miss a contract, a sales order or delivery work, so every tenant has both.
  progress('hand-offs', 0);
  {
    const oppT = tenant.table('Opportunities');
    const soStatus = ['New', 'Partially Fulfilled', 'Fulfilled', 'Fulfilled', 'Canceled'].map((l) => pv('SalesOrders', 'status', l));
    const contractsByCompany = new Map<number, number[]>();
    const contractT = tenant.table('Contracts');
    for (const c of contracts) if (c.status === pv('Contracts', 'status', 'Active')) contractsByCompany.set(c.companyID as number, [...(contractsByCompany.get(c.companyID as number) ?? []), c.id]);
    const ticketsByCompany = new Map<number, number[]>();
    for (let pos = 0; pos < ticketsT.length; pos++) {
      if (!ticketsT.isAlive(pos) || ticketsT.get(pos, 'projectID') !== null) continue;
      const c = ticketsT.get(pos, 'companyID') as number;
      const list = ticketsByCompany.get(c);
      if (list) list.push(pos); else ticketsByCompany.set(c, [pos]);
    }
    const projectsByCompany = new Map<number, ProjectInfo[]>();
    for (const pr of projects) projectsByCompany.set(pr.companyID, [...(projectsByCompany.get(pr.companyID) ?? []), pr]);
    const linked = new Set<string>();
    const link = (entity: string, pos: number, opp: number) => {
      const key = `${entity}/${pos}`;
      if (linked.has(key)) return false;
      linked.add(key);
      tenant.table(entity).set(pos, 'opportunityID', opp);
      return true;
    };
    const won: number[] = [];
    for (let pos = 0; pos < oppT.length; pos++) {
      const st = oppT.get(pos, 'status');
      if (st === opStatus.closed || st === opStatus.impl) won.push(pos);
    }
    // Client projects often follow a deal won shortly before: that deal (moved to the project's client) is
    // delivered by the project. The first four won deals keep their pinned roles below.
    const byProject = new Set<number>();
    for (const pr of projects) {
      if (pr.companyID === 0 || !xr.chance(0.7)) continue;
      const pos = won.slice(4).find((wp) => !byProject.has(wp) && Math.abs((oppT.get(wp, 'closedDate') as number) - (pr.start - 20 * D)) <= 25 * D);
      if (pos === undefined) continue;
      byProject.add(pos);
      oppT.set(pos, 'companyID', pr.companyID);
      link('Projects', tenant.table('Projects').find(pr.id), oppT.idAt(pos));
    }
    let n = 0;
    for (const pos of won) {
      const o = oppT.stored(pos);
      const oid = oppT.idAt(pos);
      const closed = o.closedDate as number;
      const company = o.companyID as number;
      const k = n++;
      const recurring = ((o.monthlyRevenue as number | null) ?? 0) + ((o.quarterlyRevenue as number | null) ?? 0) + ((o.yearlyRevenue as number | null) ?? 0) > 0;
      // The first won deals are pinned: one handed off completely, one missing each hand-off.
      const missContract = k === 1 || (k > 3 && xr.chance(0.15));
      const missOrder = k === 2 || (k > 3 && xr.chance(0.15));
      const missDelivery = k === 3 || (k > 3 && xr.chance(0.12));
      if ((recurring || xr.chance(0.1)) && !missContract) {
        const cs = contractsByCompany.get(company);
        if (cs?.length) link('Contracts', contractT.find(xr.pick(cs)), oid);
      }
      if (((o.onetimeCost as number) > 0 || xr.chance(0.05)) && !missOrder) {
        tenant.table('SalesOrders').append({
          id: tenant.nextId('SalesOrders') + (tenant.table('SalesOrders').size === 0 ? 600 : 0), opportunityID: oid, companyID: company,
          title: `SO ${String(o.title)}`, status: xr.pick(soStatus), salesOrderDate: clampPast(closed + xr.int(0, 3) * D + 9 * H),
          promisedFulfillmentDate: closed + xr.int(7, 30) * D, ownerResourceID: o.ownerResourceID as number, contactID: null,
          additionalBillToAddressInformation: null, shipToCity: null, organizationalLevelAssociationID: null,
        });
      }
      if (!missDelivery && !byProject.has(pos)) {
        const prs = (projectsByCompany.get(company) ?? []).filter((pr) => pr.start >= closed - 10 * D);
        const ts = (ticketsByCompany.get(company) ?? []).filter((tp) => (ticketsT.get(tp, 'createDate') as number) >= closed);
        if (prs.length && xr.chance(0.6)) link('Projects', tenant.table('Projects').find(prs[0]!.id), oid);
        else if (ts.length) link('Tickets', ts[0]!, oid);
      }
    }
  }

  // ---- To-dos, appointments, expense reports ----
  progress('activities', 0);
  let todoCompanies = 0;
  for (const c of companies) {
    if (c.id === 0) continue;
    // The first few accounts also have a to-do planned for the coming two weeks.
    const planned = todoCompanies++ < 3;
    const n = rng.poisson(c.type === 1 ? 1.6 : 1) + (planned ? 1 : 0);
    for (let k = 0; k < n; k++) {
      const created = planned && k === n - 1 ? now - rng.float(1, 5) * D : now - rng.float(1, 300) * D;
      const startAt = planned && k === n - 1 ? now + rng.float(1, 14) * D : created + rng.float(1, 40) * D;
      const done = startAt < now - 3 * D ? rng.chance(0.75) : rng.chance(0.1);
      const completed = done ? clampPast(startAt + rng.float(0, 3) * D) : null;
      tenant.table('CompanyToDos').append({
        id: tenant.nextId('CompanyToDos') + (tenant.table('CompanyToDos').size === 0 ? 800 : 0), companyID: c.id,
        assignedToResourceID: rng.chance(0.7) ? c.owner : rng.pick(techs).id, actionType: rng.pick([1, 2, 3, 6, 8]),
        activityDescription: rng.pick(['Quarterly business review', 'Call about renewal', 'Send proposal', 'Follow up on quote', 'Check in after onsite visit']),
        startDateTime: Math.floor(startAt), endDateTime: Math.floor(startAt + H), completedDate: completed, createDateTime: Math.floor(created),
        lastModifiedDate: clampPast(Math.floor(Math.max(created, completed ?? created + rng.float(0, 5) * D))),
        contactID: null, opportunityID: null, ticketID: null, creatorResourceID: c.owner,
      });
      c.lastActivity = Math.max(c.lastActivity, Math.min(now - 1000, completed ?? created));
    }
  }
  for (const r of resources) {
    if (r.activeUntil < now) continue;
    const n = Math.max(2, rng.poisson(r.tech ? 20 : 35));
    for (let k = 0; k < n; k++) {
      // Mostly recent history with a share in the coming week.
      const at = dayStart(now + rng.int(-60, 10) * D) + rng.int(8, 16) * H;
      const created = Math.min(at - rng.int(1, 14) * D, now - H);
      tenant.table('Appointments').append({
        id: tenant.nextId('Appointments') + (tenant.table('Appointments').size === 0 ? 300 : 0), resourceID: r.id,
        title: rng.pick(['Client meeting', 'Onsite visit', 'Team standup', 'Vendor call', 'Training', 'QBR prep', 'Dentist']),
        startDateTime: at, endDateTime: at + rng.pick([0.5, 1, 2]) * H, createDateTime: created, updateDateTime: clampPast(created + rng.int(0, 3) * D),
        description: null, creatorResourceID: r.id,
      });
    }
  }
  // Expense reports by label (no official numbers exist): older ones paid, transferred or rejected, recent ones
  // in progress, awaiting approval or approved for payment. Items are drawn from their own generator; some are
  // billable to a client, and most billable items of approved reports reached a billing item (type Expense).
  const er = (label: string) => pv('ExpenseReports', 'status', label);
  const erStatus: Record<number, () => number> = {
    5: () => er(xr.chance(0.3) ? 'Transferred to QuickBooks' : 'Paid'), 3: () => er('Approved for Payment'), 4: () => er('Rejected'),
    1: () => er('In Progress'), 2: () => er('Awaiting Approval'),
  };
  const categories = [21, 22, 23, 24, 25, 26].map((v) => v);
  for (const r of techs) {
    for (const m of monthStarts) {
      if (!rng.chance(0.35) || m > r.activeUntil) continue;
      const submit = m + rng.int(27, 33) * D;
      if (submit > now) continue;
      let status = erStatus[submit < now - 20 * D ? rng.weighted([[5, 6], [3, 3], [4, 1]]) : rng.pick([1, 2, 3])]!();
      // Approvals lag: some reports of the last two months still wait for a manager.
      if (submit > now - 60 * D && xr.chance(0.3)) status = er('Awaiting Approval');
      rng.float(20, 600); // the total used to be drawn here; the draw stays so later data is unchanged
      const reportId = tenant.nextId('ExpenseReports') + (tenant.table('ExpenseReports').size === 0 ? 100 : 0);
      const inProgress = status === er('In Progress');
      const approved = [er('Approved for Payment'), er('Paid'), er('Transferred to QuickBooks')].includes(status);
      let total = 0;
      const nItems = xr.int(1, 5);
      for (let k = 0; k < nItems; k++) {
        const itemId = tenant.nextId('ExpenseItems') + (tenant.table('ExpenseItems').size === 0 ? 700 : 0);
        const category = xr.pick(categories);
        const amount = category === 21 ? Math.round(xr.float(10, 120) * 100) / 100 : Math.round(xr.float(8, 450) * 100) / 100;
        const billable = xr.chance(0.4);
        const client = billable || xr.chance(0.3) ? xr.pick(customers) : null;
        const expenseDate = dayStart(Math.min(m + xr.int(0, 26) * D, now - D)) + (xr.chance(0.2) ? 12 * H : 0);
        const empty = xr.chance(0.03);
        tenant.table('ExpenseItems').append({
          id: itemId, expenseReportID: reportId, expenseDate, expenseCategory: category, description: ['Mileage to client site', 'Lunch with client', 'Hotel night', 'Cable and connectors', 'Flight', 'Parking'][category - 21],
          companyID: client?.id ?? 0, ticketID: null, projectID: null, taskID: null, isBillableToCompany: billable && client !== null,
          isReimbursable: xr.chance(0.85), haveReceipt: xr.chance(0.8), expenseCurrencyExpenseAmount: amount,
          internalCurrencyExpenseAmount: empty ? null : amount, expenseCurrencyID: 1, internalCurrencyReimbursementAmount: amount,
          workType: null, paymentType: xr.pick([1, 2, 3]), glCode: null, destination: null, origin: null,
        });
        total += empty ? 0 : amount;
        if (approved && billable && client !== null && xr.chance(0.75)) {
          const itemDate = dayStart(clampPast(submit + xr.int(2, 10) * D));
          biT.append({
            id: biId++, billingItemType: pv('BillingItems', 'billingItemType', 'Expense'), companyID: client.id, contractID: null, ticketID: null,
            taskID: null, projectID: null, timeEntryID: null, expenseItemID: itemId, roleID: null, invoiceID: invoiceOf(client.id, itemDate),
            itemName: 'Expense', itemDate, quantity: 1, rate: amount, extendedPrice: amount, ourCost: amount, postedDate: clampPast(itemDate + H),
            description: 'Billable expense', totalAmount: amount, nonBillable: false, webServiceDate: null, itemApproverID: apiUser, lineItemFullDescription: null,
          });
        }
      }
      tenant.table('ExpenseReports').append({
        id: reportId, name: `Expenses ${new Date(m).toISOString().slice(0, 7)}`,
        submitterID: r.id, status, submitDate: inProgress ? null : submit, weekEnding: dayStart(submit - 2 * D),
        internalCurrencyExpenseTotal: xr.chance(0.03) ? null : Math.round(total * 100) / 100,
        approverID: approved ? apiUser : null, approvedDate: approved ? clampPast(submit + 2 * D) : null, amountDue: 0,
        internalCurrencyCashAdvanceAmount: 0, reimbursementCurrencyID: 1, rejectionReason: status === er('Rejected') ? 'Missing receipts' : null,
      });
    }
  }

  // ---- Company activity timestamps ----
  for (let pos = 0; pos < ticketsT.length; pos++) {
    const cidT = ticketsT.get(pos, 'companyID') as number;
    const la = ticketsT.get(pos, 'lastActivityDate') as number;
    const c = companyIndex(companies, cidT);
    if (c) c.lastActivity = Math.max(c.lastActivity, la);
  }
  const firstProspect = companies.find((c) => c.type === 3);
  for (const rec of companyRecs) {
    const c = companies.find((x) => x.id === rec.id)!;
    // A few accounts have never been touched in the system.
    const never = (c.type !== 1 && rng.chance(0.15)) || c === firstProspect;
    rec.lastActivityDate = never ? null : Math.min(c.lastActivity, now - 1000);
    rec.lastTrackedModifiedDateTime = never ? rec.createDate : rec.lastActivityDate;
    companyTable.append(rec);
  }

  // ---- History of deletions ----
  progress('deletions', 0);
  const realNow = tenant.now;
  const nDelTickets = Math.max(2, Math.round(nTickets * 0.004));
  for (let k = 0; k < nDelTickets && deletableTickets.length; k++) {
    const tid = deletableTickets.splice(rng.int(0, deletableTickets.length - 1), 1)[0]!;
    const t = ticketsT.stored(ticketsT.find(tid));
    tenant.now = clampPast(Math.max(t.lastActivityDate as number, realNow - rng.int(1, 40) * D));
    tenant.remove('Tickets', tid);
  }
  const nDelTe = Math.max(2, Math.round(teT.size * 0.002));
  // Only unapproved entries can be deleted; almost all old work is approved, so pick from those that are
  // not, ticket and task entries both (each has its own deletion log).
  const unapprovedPos: number[] = [];
  for (let pos = 0; pos < teT.length; pos++) if (teT.isAlive(pos) && teT.get(pos, 'billingApprovalDateTime') === null) unapprovedPos.push(pos);
  const taskPos = unapprovedPos.filter((pos) => teT.get(pos, 'taskID') !== null);
  const doomed = new Set<number>();
  if (taskPos.length) doomed.add(taskPos[rng.int(0, taskPos.length - 1)]!);
  for (let tries = 0; doomed.size < Math.min(nDelTe, unapprovedPos.length) && tries < nDelTe * 50; tries++) doomed.add(unapprovedPos[rng.int(0, unapprovedPos.length - 1)]!);
  for (const pos of [...doomed].sort((a, b) => a - b)) {
    const created = teT.get(pos, 'createDateTime') as number;
    tenant.now = clampPast(Math.min(created + rng.float(0.1, 48) * H, realNow - MIN));
    tenant.remove('TimeEntries', teT.idAt(pos));
  }
  tenant.now = realNow;
  progress('done', 1);
  return tenant;
}

const companyCache = new WeakMap<CompanyInfo[], Map<number, CompanyInfo>>();
function companyIndex(list: CompanyInfo[], id: number): CompanyInfo | undefined {
  let m = companyCache.get(list);
  if (!m) {
    m = new Map(list.map((c) => [c.id, c]));
    companyCache.set(list, m);
  }
  return m.get(id);
}

/** Adds calendar months to a UTC midnight instant (day clamped to the month's end). */
function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const day = d.getUTCDate();
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(day, last));
}

/** US office holidays of a year, as UTC midnights. */
function usHolidays(y: number): [string, number][] {
  const nth = (month: number, weekday: number, n: number) => {
    const first = new Date(Date.UTC(y, month, 1)).getUTCDay();
    return Date.UTC(y, month, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7);
  };
  const last = (month: number, weekday: number) => {
    const lastDay = new Date(Date.UTC(y, month + 1, 0));
    return Date.UTC(y, month, lastDay.getUTCDate() - ((lastDay.getUTCDay() - weekday + 7) % 7));
  };
  const thanksgiving = nth(10, 4, 4);
  return [
    ["New Year's Day", Date.UTC(y, 0, 1)], ['Memorial Day', last(4, 1)], ['Independence Day', Date.UTC(y, 6, 4)],
    ['Labor Day', nth(8, 1, 1)], ['Thanksgiving', thanksgiving], ['Day after Thanksgiving', thanksgiving + 86_400_000],
    ['Christmas Eve', Date.UTC(y, 11, 24)], ['Christmas Day', Date.UTC(y, 11, 25)],
  ];
}
