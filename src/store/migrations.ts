import crypto from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { ENTITIES, type FieldType } from '../autotask/entities.js';

/** One numbered schema step. Steps run in order, each in its own transaction, and are recorded. */
export interface Migration {
  /** Strictly increasing number. */
  version: number;
  /** Short name for the log. */
  name: string;
  /** Applies the step. */
  up(db: BetterSqlite3.Database): void;
  /**
   * The step rebuilds a table others reference (SQLite changes a constraint only by copying the table):
   * foreign keys are off while it runs, and checked before it commits (SQLite's documented procedure).
   */
  rebuildsTables?: boolean;
}

/** SQLite column type of a catalogue field type. */
export function sqlType(t: FieldType): string {
  switch (t) {
    case 'int': case 'bool': case 'datetime': return 'INTEGER';
    case 'float': return 'REAL';
    case 'date': case 'string': return 'TEXT';
  }
}

/**
 * Every migration the store knows. Append only; never edit a released step.
 * Entity tables are created from the catalogue in step 1; fields added to the catalogue later are
 * added by `ensureCatalogueColumns` (a column per field, ALTER TABLE ADD COLUMN), so the catalogue
 * stays the one place a field is declared.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'entities, picklists, cursors, state history',
    up(db) {
      for (const e of ENTITIES) {
        const cols = e.fields.filter((f) => f.name !== 'id').map((f) => `"${f.name}" ${sqlType(f.type)}`);
        db.exec(`CREATE TABLE IF NOT EXISTS ${e.table} (
          id INTEGER PRIMARY KEY,
          ${cols.join(',\n          ')}${cols.length ? ',' : ''}
          raw TEXT NOT NULL,
          synced_at INTEGER NOT NULL
        )`);
      }
      db.exec(`
        CREATE TABLE picklists (
          entity TEXT NOT NULL, field TEXT NOT NULL, value INTEGER NOT NULL, label TEXT NOT NULL,
          is_active INTEGER NOT NULL DEFAULT 1, is_system INTEGER NOT NULL DEFAULT 0,
          parent_value INTEGER, sort_order INTEGER,
          PRIMARY KEY (entity, field, value)
        );
        CREATE TABLE sync_cursors (
          entity TEXT PRIMARY KEY,
          cursor_ts INTEGER,            -- change timestamp (ms) of the last committed record
          cursor_id INTEGER,            -- id of the last committed record at cursor_ts (or of the keyset scan)
          phase TEXT NOT NULL DEFAULT 'initial', -- initial (keyset load by id) | incremental
          last_success_at INTEGER,
          last_error TEXT,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE sync_runs (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          status TEXT NOT NULL,         -- working | ok | partial | failed
          summary TEXT                  -- JSON per-entity results
        );
        CREATE TABLE ticket_states (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          ticket_id INTEGER NOT NULL,
          changed_at INTEGER NOT NULL,
          status INTEGER, queue_id INTEGER, assigned_resource_id INTEGER, priority INTEGER,
          completed_date INTEGER, completed_by_resource_id INTEGER,
          recorded_at INTEGER NOT NULL
        );
        CREATE INDEX ticket_states_ticket ON ticket_states(ticket_id, changed_at, id);
        CREATE TABLE opportunity_states (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          opportunity_id INTEGER NOT NULL,
          changed_at INTEGER NOT NULL,
          stage INTEGER, status INTEGER,
          recorded_at INTEGER NOT NULL
        );
        CREATE INDEX opportunity_states_opp ON opportunity_states(opportunity_id, changed_at, id);
        CREATE TABLE report_snapshots (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          report TEXT NOT NULL,
          as_of INTEGER NOT NULL,
          window_from INTEGER, window_to INTEGER,
          metrics TEXT NOT NULL,        -- JSON
          created_at INTEGER NOT NULL
        );
        CREATE INDEX report_snapshots_report ON report_snapshots(report, as_of);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

        CREATE INDEX tickets_create ON tickets(createDate);
        CREATE INDEX tickets_completed ON tickets(completedDate);
        CREATE INDEX tickets_company ON tickets(companyID);
        CREATE INDEX time_entries_ticket ON time_entries(ticketID);
        CREATE INDEX time_entries_task ON time_entries(taskID);
        CREATE INDEX time_entries_resource ON time_entries(resourceID);
        CREATE INDEX time_entries_created ON time_entries(createDateTime);
        CREATE INDEX time_entries_start ON time_entries(startDateTime);
        CREATE INDEX time_entries_date ON time_entries(dateWorked);
        CREATE INDEX billing_items_te ON billing_items(timeEntryID);
        CREATE INDEX billing_items_contract ON billing_items(contractID);
        CREATE INDEX billing_items_date ON billing_items(itemDate);
        CREATE INDEX service_call_tickets_ticket ON service_call_tickets(ticketID);
        CREATE INDEX tasks_project ON tasks(projectID);
        CREATE INDEX contracts_company ON contracts(companyID);
        CREATE INDEX ci_company ON configuration_items(companyID);
      `);
    },
  },
  {
    version: 2,
    name: 'delivery ledger: runs, deliveries, schedule cursors, daemon lock',
    up(db) {
      db.exec(`
        CREATE TABLE runs (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          schedule_id TEXT NOT NULL,
          due_at INTEGER NOT NULL,          -- the cron occurrence (or the request instant of a manual run)
          kind TEXT NOT NULL DEFAULT 'scheduled', -- scheduled | manual
          state TEXT NOT NULL DEFAULT 'pending',  -- pending | working | sent | partial | failed | skipped
          reason TEXT,                      -- why failed / partial / skipped, for the operator
          phase TEXT,                       -- current or last phase: sync | compute | render | deliver | done
          failed_phase TEXT,                -- the phase that failed or overran the deadline
          deadline_at INTEGER,
          heartbeat_at INTEGER,
          owner TEXT,                       -- daemon instance id holding the run while working
          pid INTEGER,
          host TEXT,
          attempt INTEGER NOT NULL DEFAULT 0,
          error TEXT,
          notice_state TEXT,                -- owner failure notice: sending | sent | failed (at most one per run)
          notice_to TEXT,
          notice_message_id TEXT,
          notice_error TEXT,
          notice_at INTEGER,
          created_at INTEGER NOT NULL,
          started_at INTEGER,
          finished_at INTEGER,
          UNIQUE (schedule_id, due_at)
        );
        CREATE INDEX runs_state ON runs(state, due_at);
        CREATE TABLE deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id INTEGER NOT NULL REFERENCES runs(id),
          recipient TEXT NOT NULL,          -- lower-cased address
          state TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | failed | skipped
          message_id TEXT NOT NULL,         -- stable: a retry reuses it
          attempts INTEGER NOT NULL DEFAULT 0,
          in_doubt INTEGER NOT NULL DEFAULT 0, -- resent after a crash between SMTP acceptance and the ledger write
          last_error TEXT,
          smtp_response TEXT,
          owner TEXT,
          created_at INTEGER NOT NULL,
          sent_at INTEGER,
          UNIQUE (run_id, recipient)
        );
        CREATE TABLE schedule_cursors (
          schedule_id TEXT PRIMARY KEY,
          considered_until INTEGER NOT NULL, -- occurrences up to here were claimed or dropped by catch-up; only moves forward
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE daemon_lock (
          name TEXT PRIMARY KEY,
          owner TEXT NOT NULL,
          pid INTEGER NOT NULL,
          host TEXT NOT NULL,
          acquired_at INTEGER NOT NULL,
          heartbeat_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 3,
    name: 'sync pass state (resumable passes) and last-state lookups',
    up(db) {
      // A pass (initial keyset load, incremental window, full re-read) commits page by page; these
      // columns let a killed sync resume the same pass instead of starting over or skipping rows.
      db.exec(`
        ALTER TABLE sync_cursors ADD COLUMN pass_kind TEXT;          -- initial | incremental | full, null = no pass in progress
        ALTER TABLE sync_cursors ADD COLUMN pass_started_at INTEGER; -- sync clock when the pass began
        ALTER TABLE sync_cursors ADD COLUMN pass_max_ts INTEGER;     -- highest change timestamp committed in the pass
        ALTER TABLE sync_cursors ADD COLUMN pass_max_id INTEGER;     -- id of the record at pass_max_ts
        CREATE INDEX ticket_states_last ON ticket_states(ticket_id, id);
        CREATE INDEX opportunity_states_last ON opportunity_states(opportunity_id, id);
        CREATE INDEX deleted_ticket_logs_ticket ON deleted_ticket_logs(ticketID);
      `);
    },
  },
  {
    version: 4,
    name: 'partial index of unapproved time entries',
    up(db) {
      // accounting/approve-and-post reads only entries without billing approval: a small, recent slice
      // of time_entries that this index finds without scanning the whole table.
      db.exec('CREATE INDEX time_entries_unapproved ON time_entries(id) WHERE billingApprovalDateTime IS NULL');
    },
  },
  {
    version: 5,
    name: 'covering index of time entries by work instant',
    up(db) {
      // "Work instant in the window" is (startDateTime in range) OR (startDateTime IS NULL AND dateWorked in
      // range): both halves are one contiguous range of this index, and the columns reports sum and join on
      // are in it, so a window is read without a table lookup per entry (about 15× faster for a month at
      // a million entries than time_entries_start plus lookups).
      db.exec('CREATE INDEX time_entries_work ON time_entries(startDateTime, dateWorked, resourceID, ticketID, taskID, hoursWorked, isNonBillable)');
    },
  },
  {
    version: 6,
    name: 'covering indexes for the reports over tickets, unapproved time and billing items',
    up(db) {
      // Reports filter these tables on a few columns but the rows carry their whole JSON, so reading rows
      // costs far more than reading an index with the columns the reports use. Indexes keep their names
      // where they only widen, so the plans reports rely on stay the same with fewer table reads:
      // - time_entries_unapproved also covers what approve-and-post reads (the unapproved entries are spread
      //   over the whole table: reading their rows touched nearly every page);
      // - time_entries_work also carries contractID, so contract-profitability reads a month from it alone;
      // - billing_items_date covers the contract and company sums of a month of items;
      // - tickets_status_cover finds tickets by status (on hold, scheduled) and covers the whole-table passes
      //   over tickets (workflow classification, SLA events, open tickets) at a twentieth of the table's size;
      // - tickets_resolved finds resolutions in a window (resolvedDateTime, else completedDate) as one range.
      // A store created before a catalogue field was added gets its column first (the indexes name fields).
      ensureCatalogueColumns(db);
      db.exec(`
        DROP INDEX IF EXISTS time_entries_unapproved;
        CREATE INDEX time_entries_unapproved ON time_entries(id, isNonBillable, hoursToBill, startDateTime, dateWorked, ticketID, taskID, roleID, billingApprovalDateTime)
          WHERE billingApprovalDateTime IS NULL;
        DROP INDEX IF EXISTS time_entries_work;
        CREATE INDEX time_entries_work ON time_entries(startDateTime, dateWorked, resourceID, ticketID, taskID, hoursWorked, isNonBillable, contractID);
        DROP INDEX IF EXISTS billing_items_date;
        CREATE INDEX billing_items_date ON billing_items(itemDate, contractID, companyID, billingItemType, extendedPrice, ourCost);
        CREATE INDEX tickets_status_cover ON tickets(status, projectID, serviceLevelAgreementID, createDate, ticketType, priority, queueID,
          issueType, subIssueType, ticketCategory, source, firstResponseDateTime, firstResponseDueDateTime, resolutionPlanDateTime,
          resolutionPlanDueDateTime, resolvedDateTime, resolvedDueDateTime, completedDate, estimatedHours);
        CREATE INDEX tickets_resolved ON tickets(resolvedDateTime, completedDate, createDate);
      `);
    },
  },
  {
    version: 7,
    name: 'time entries by resource and work instant',
    up(db) {
      // "Has the resource a time entry in the window?" (service resources, kpi-spec §1) becomes two index
      // probes per resource instead of collecting the resources of every entry of eight weeks.
      db.exec(`
        DROP INDEX IF EXISTS time_entries_resource;
        CREATE INDEX time_entries_resource ON time_entries(resourceID, startDateTime, dateWorked);
      `);
    },
  },
  {
    version: 8,
    name: 'time entries by creation, covering the entry lag',
    up(db) {
      // real-time-time-entry reads a week of entries by createDateTime for their resource and end time: with
      // both in the index it reads no table rows.
      db.exec(`
        DROP INDEX IF EXISTS time_entries_created;
        CREATE INDEX time_entries_created ON time_entries(createDateTime, resourceID, endDateTime);
      `);
    },
  },
  {
    version: 9,
    name: 'configuration items by company, covering active endpoints',
    up(db) {
      // rhem counts each managed company's active endpoints: with the flag and the type in the index it
      // reads no configuration item rows.
      db.exec(`
        DROP INDEX IF EXISTS ci_company;
        CREATE INDEX ci_company ON configuration_items(companyID, isActive, configurationItemType);
      `);
    },
  },
  {
    version: 10,
    name: 'time entries by ticket and by task, covering hours worked',
    up(db) {
      // The forecasts sum the hours ever worked on each open ticket and each open task: with hoursWorked in
      // the index those sums read no time entry rows.
      db.exec(`
        DROP INDEX IF EXISTS time_entries_ticket;
        CREATE INDEX time_entries_ticket ON time_entries(ticketID, hoursWorked);
        DROP INDEX IF EXISTS time_entries_task;
        CREATE INDEX time_entries_task ON time_entries(taskID, hoursWorked);
      `);
    },
  },
  {
    version: 11,
    name: 'narrow ticket lookup by id (company, project)',
    up(db) {
      // Reports that attribute time entries to a company or a project read one ticket per entry. Ticket rows
      // are large (their JSON), so these scattered reads touch most of the table; this index holds just the
      // two columns. SQLite looks rows up by id in the table unless told otherwise, so the SQL that uses it
      // names it (INDEXED BY tickets_id_company).
      db.exec('CREATE INDEX tickets_id_company ON tickets(id, companyID, projectID)');
    },
  },
  {
    version: 12,
    name: 'runs: manual and scheduled runs keyed apart',
    rebuildsTables: true,
    up(db) {
      // UNIQUE(schedule_id, due_at) let a manual run requested in the very millisecond of a cron occurrence
      // take the scheduled run's key, and the scheduled run was then never made. The kind is part of the key.
      const cols = (db.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
      const create = (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'`).pluck().get() as string)
        .replace(/CREATE TABLE\s+runs/, 'CREATE TABLE runs_rebuilt')
        .replace(/UNIQUE\s*\(\s*schedule_id\s*,\s*due_at\s*\)/, 'UNIQUE (schedule_id, kind, due_at)');
      if (!create.includes('UNIQUE (schedule_id, kind, due_at)')) throw new Error('runs: the key to replace was not found');
      db.exec(create);
      db.exec(`INSERT INTO runs_rebuilt (${cols}) SELECT ${cols} FROM runs`);
      db.exec('DROP TABLE runs');
      db.exec('ALTER TABLE runs_rebuilt RENAME TO runs');
      db.exec('CREATE INDEX runs_state ON runs(state, due_at)');
    },
  },
  {
    version: 13,
    name: 'web users and sessions',
    up(db) {
      // Passwords are scrypt hashes (src/web/users.ts); a session row keeps only the SHA-256 of its cookie,
      // so a copy of the store does not sign anyone in.
      db.exec(`
        CREATE TABLE web_users (
          email TEXT PRIMARY KEY,
          role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'viewer', 'technician')),
          password_hash TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE web_sessions (
          id_hash TEXT PRIMARY KEY,
          email TEXT NOT NULL REFERENCES web_users(email) ON DELETE CASCADE,
          csrf_token TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          last_seen_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX web_sessions_email ON web_sessions(email);
      `);
    },
  },
  {
    version: 14,
    name: 'Autotask request ledger (requests per minute, rolling hour)',
    up(db) {
      // Every process on the store takes its Autotask requests from this ledger, so the share of the
      // database's hourly threshold holds across syncs and processes (src/autotask/budget.ts). One row per
      // minute keeps the rolling-hour sum at 61 rows; rows older than two hours are pruned as requests go.
      db.exec('CREATE TABLE api_requests (minute INTEGER PRIMARY KEY, requests INTEGER NOT NULL) WITHOUT ROWID');
    },
  },
  {
    version: 15,
    name: 'store identity (Message-IDs) and run notes',
    up(db) {
      // Run ids restart at 1 in every new store: a random id of the store, made once, keeps the Message-IDs
      // of two installs apart (mail clients collapse messages that share one). Notes: what a run left out
      // on purpose (a recipient address refused), for `history` and the owner.
      db.exec(`
        CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        ALTER TABLE runs ADD COLUMN notes TEXT; -- one note per line
      `);
      db.prepare(`INSERT INTO store_meta (key, value) VALUES ('store_id', ?)`).run(crypto.randomBytes(9).toString('base64url'));
    },
  },
  {
    version: 16,
    name: 'won-deal links and deal revenue from the stored records; expense and sales order lookups',
    up(db) {
      // opportunityID (contracts, projects, tickets) and the deal revenue/cost fields were added to the catalogue
      // after rows were stored. Those entities sync incrementally, so an unchanged row would keep an empty column
      // until it next changes: the values are taken from each row's stored record instead (Autotask returns
      // every field, and the record is kept as received). Either spelling of a name is read (older schemas).
      ensureCatalogueColumns(db);
      const fill = (table: string, field: string) => {
        const pascal = field[0]!.toUpperCase() + field.slice(1);
        db.exec(`UPDATE ${table} SET "${field}" = COALESCE(json_extract(raw, '$.${field}'), json_extract(raw, '$.${pascal}'))
          WHERE "${field}" IS NULL AND json_valid(raw)`);
      };
      for (const t of ['contracts', 'projects', 'tickets']) fill(t, 'opportunityID');
      for (const f of ['cost', 'onetimeRevenue', 'onetimeCost', 'monthlyRevenue', 'monthlyCost', 'quarterlyRevenue', 'quarterlyCost',
        'semiannualRevenue', 'semiannualCost', 'yearlyRevenue', 'yearlyCost']) fill('opportunities', f);
      fill('billing_items', 'expenseItemID');
      db.exec(`
        CREATE INDEX contracts_opportunity ON contracts(opportunityID) WHERE opportunityID IS NOT NULL;
        CREATE INDEX projects_opportunity ON projects(opportunityID) WHERE opportunityID IS NOT NULL;
        CREATE INDEX tickets_opportunity ON tickets(opportunityID) WHERE opportunityID IS NOT NULL;
        CREATE INDEX billing_items_expense ON billing_items(expenseItemID) WHERE expenseItemID IS NOT NULL;
        CREATE INDEX expense_items_report ON expense_items(expenseReportID);
        CREATE INDEX sales_orders_opportunity ON sales_orders(opportunityID);
      `);
    },
  },
  {
    version: 20,
    name: 'alert states, the alert notification ledger, channel health',
    up(db) {
      // One state row per alert (a metric rule, or one row key of a row rule). Notifications are ledger rows,
      // UNIQUE(alert, transition, recipient) as deliveries are UNIQUE(run, recipient): written in the same
      // transaction as the state change, sent afterwards, so a crash never loses nor repeats a notice.
      // `transition` carries the firing episode (firing#3, reminder#3.1, escalation#3, resolved#3, notice#2).
      // A recipient is an e-mail address or a channel name (teams:ENV_NAME): never a webhook URL.
      db.exec(`
        CREATE TABLE alert_states (
          alert_key TEXT PRIMARY KEY,
          rule_id TEXT NOT NULL,
          subject TEXT NOT NULL DEFAULT '',
          label TEXT,
          state TEXT NOT NULL CHECK (state IN ('ok', 'pending', 'firing')),
          breaches INTEGER NOT NULL DEFAULT 0,
          episode INTEGER NOT NULL DEFAULT 0,
          pending_since INTEGER,
          fired_at INTEGER,
          last_notified_at INTEGER,
          reminders INTEGER NOT NULL DEFAULT 0,
          escalated INTEGER NOT NULL DEFAULT 0,
          last_value TEXT,
          last_eval_at INTEGER,
          unknown_episode INTEGER NOT NULL DEFAULT 0,
          unknown_reason TEXT,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX alert_states_rule ON alert_states(rule_id, state);
        CREATE TABLE alert_notifications (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          alert_key TEXT NOT NULL,
          transition TEXT NOT NULL,
          recipient TEXT NOT NULL,
          kind TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
          message_id TEXT NOT NULL,
          payload TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          in_doubt INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          owner TEXT,
          created_at INTEGER NOT NULL,
          sent_at INTEGER,
          UNIQUE (alert_key, transition, recipient)
        );
        CREATE INDEX alert_notifications_open ON alert_notifications(state) WHERE state IN ('pending', 'sending');
        CREATE TABLE channel_health (
          channel TEXT PRIMARY KEY,
          consecutive_failures INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          last_failure_at INTEGER,
          last_success_at INTEGER,
          failing_episode INTEGER NOT NULL DEFAULT 0
        );
      `);
    },
  },
  {
    version: 21,
    name: 'Autotask webhook events (replays, sequence gaps)',
    up(db) {
      // A callout is done once its (webhook GUID, SequenceNumber) row exists: a replay finds it and does nothing.
      db.exec(`
        CREATE TABLE webhook_events (
          guid TEXT NOT NULL,
          sequence_number INTEGER NOT NULL,
          entity TEXT NOT NULL,
          entity_id INTEGER NOT NULL,
          action TEXT NOT NULL,
          event_time TEXT,
          received_at INTEGER NOT NULL,
          PRIMARY KEY (guid, sequence_number)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 22,
    name: 'id ranges of a pass read in parallel',
    up(db) {
      // A large entity's initial or full pass is read as a few id ranges at once (Autotask allows three
      // requests per entity); each range keeps its own cursor so a killed sync resumes every range where
      // it stopped. Rows exist only while such a pass is in progress.
      db.exec(`
        CREATE TABLE sync_ranges (
          entity TEXT NOT NULL,
          range_no INTEGER NOT NULL,
          lo INTEGER,        -- ids above this; null = from the first
          hi INTEGER,        -- ids up to and including this; null = to the last
          cursor_id INTEGER, -- last committed id of the range, null before its first page
          done INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (entity, range_no)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 24,
    name: 'web users signed in through Entra ID or a reverse proxy',
    up(db) {
      // 'local': added with "users add", its role is the operator's; 'oidc'/'proxy': made at sign-in from
      // the role mapping (no password), their role follows the mapping at each sign-in.
      db.exec(`ALTER TABLE web_users ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'oidc', 'proxy'))`);
    },
  },
  {
    version: 25,
    name: 'ticket state records by completion time',
    up(db) {
      // A completion event's time is the record's completedDate, else its changedAt (kpi-spec §3): the
      // backlog's kill rate (reports/intake/backlog.completed.sql, on the board after every sync) reads the
      // events of one week through this range instead of every record (~2 MB per 100,000 records; covering:
      // status and ticket are read from the index).
      db.exec('CREATE INDEX ticket_states_completion ON ticket_states(COALESCE(completed_date, changed_at), status, ticket_id)');
    },
  },
  {
    version: 26,
    name: 'report indexes: unapproved entries, SLA events, ticket create dates, contract billing items, hours by resource',
    up(db) {
      // approve-and-post.sql also reads each unapproved entry's resource: with it in the partial index, that
      // query reads no time_entries row either.
      db.exec(`
        DROP INDEX IF EXISTS time_entries_unapproved;
        CREATE INDEX time_entries_unapproved ON time_entries(id, isNonBillable, hoursToBill, startDateTime, dateWorked, ticketID, taskID, roleID,
          billingApprovalDateTime, resourceID)
          WHERE billingApprovalDateTime IS NULL;
      `);
      // sla-performance finds the tickets whose first response or resolution plan falls in its window by
      // range instead of reading every ticket. Only tickets with an SLA count there, so only they are indexed;
      // a query must name these (INDEXED BY): as partial indexes, the planner would otherwise pick them for
      // whole passes over tickets with an SLA, reading each row by id.
      db.exec(`
        CREATE INDEX tickets_sla_first_response ON tickets(firstResponseDateTime) WHERE serviceLevelAgreementID IS NOT NULL;
        CREATE INDEX tickets_sla_resolution_plan ON tickets(resolutionPlanDateTime) WHERE serviceLevelAgreementID IS NOT NULL;
      `);
      // first-contact-resolution reads the create date of each ticket completed in its window: from this
      // narrow index, not from the ticket rows (large, with their JSON). Same name: the SQL naming it keeps
      // its plans.
      db.exec(`
        DROP INDEX IF EXISTS tickets_id_company;
        CREATE INDEX tickets_id_company ON tickets(id, companyID, projectID, createDate);
      `);
      // contract-renewals and expired-contracts read every billing item of their contracts (type, date, price):
      // from the index instead of the item rows. id second keeps each contract's items in the order they were
      // read before (by rowid), so sums over them add in the same order.
      db.exec(`
        DROP INDEX IF EXISTS billing_items_contract;
        CREATE INDEX billing_items_contract ON billing_items(contractID, id, billingItemType, itemDate, extendedPrice);
      `);
      // labour profitability's past periods sum hours by resource: read resource by resource from this index,
      // they need no sort of a month of entries. ticketID and taskID before hoursWorked keep each resource's
      // entries in the order time_entries_work has them, so the sums add in the same order. Same name and
      // prefix: the service-resource probes (tenant.ts) and the scorecard keep their plans.
      db.exec(`
        DROP INDEX IF EXISTS time_entries_resource;
        CREATE INDEX time_entries_resource ON time_entries(resourceID, startDateTime, dateWorked, ticketID, taskID, hoursWorked);
      `);
    },
  },
];

/** Adds a column for every catalogue field a table lacks (fields added after step 1). */
export function ensureCatalogueColumns(db: BetterSqlite3.Database): void {
  for (const e of ENTITIES) {
    const have = new Set((db.prepare(`PRAGMA table_info(${e.table})`).all() as { name: string }[]).map((c) => c.name));
    if (have.size === 0) {
      // A catalogue entity added after step 1: create it whole.
      const cols = e.fields.filter((f) => f.name !== 'id').map((f) => `"${f.name}" ${sqlType(f.type)}`);
      db.exec(`CREATE TABLE ${e.table} (id INTEGER PRIMARY KEY, ${cols.join(', ')}${cols.length ? ',' : ''} raw TEXT NOT NULL, synced_at INTEGER NOT NULL)`);
      continue;
    }
    for (const f of e.fields) {
      if (!have.has(f.name)) db.exec(`ALTER TABLE ${e.table} ADD COLUMN "${f.name}" ${sqlType(f.type)}`);
    }
  }
}
