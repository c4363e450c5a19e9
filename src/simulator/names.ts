/** Word pools for believable names; picked by the seeded generator. */

export const COMPANY_A = ['Acme', 'Blue Ridge', 'Cedar', 'Summit', 'Harbor', 'Pinecrest', 'Redwood', 'Lakeside', 'Granite', 'Maple',
  'Silver Creek', 'Northgate', 'Riverbend', 'Oakmont', 'Westfield', 'Bright', 'Evergreen', 'Ironwood', 'Meadow', 'Stonebridge',
  'Falcon', 'Coastal', 'Prairie', 'Highland', 'Sterling', 'Keystone', 'Willow', 'Crescent', 'Liberty', 'Beacon'];
export const COMPANY_B = ['Dental', 'Law', 'Logistics', 'Manufacturing', 'Accounting', 'Medical', 'Realty', 'Engineering', 'Insurance',
  'Architects', 'Veterinary', 'Construction', 'Foods', 'Credit Union', 'Family Practice', 'Consulting', 'Financial', 'Printing',
  'Auto Group', 'Nonprofit'];
export const COMPANY_C = ['Group', 'LLC', 'Inc.', 'Partners', 'Associates', 'Co.', 'PC', 'Ltd.', 'Services', ''];

export const FIRST = ['Alex', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Avery', 'Quinn', 'Drew', 'Sam', 'Chris', 'Pat',
  'Robin', 'Jesse', 'Dana', 'Lee', 'Kim', 'Ari', 'Noel', 'Maria', 'David', 'Priya', 'Wei', 'Fatima', 'Luis', 'Olga', 'Kwame', 'Hana', 'Omar'];
export const LAST = ['Smith', 'Johnson', 'Nguyen', 'Garcia', 'Miller', 'Davis', 'Patel', 'Brown', 'Wilson', 'Moore', 'Clark', 'Lewis',
  'Walker', 'Hall', 'Young', 'King', 'Wright', 'Lopez', 'Hill', 'Scott', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell',
  'Perez', 'Roberts', 'Turner', 'Phillips'];

export const TICKET_TITLES: Record<string, string[]> = {
  Alert: ['Disk space low on C:', 'Server offline', 'Backup job failed', 'High CPU usage', 'AV definitions out of date',
    'Service stopped: Print Spooler', 'UPS on battery', 'Firewall WAN link down', 'Memory usage above 90%'],
  Recurring: ['Monthly patch review', 'Quarterly backup restore test', 'Monthly server health check', 'Weekly RMM review',
    'Quarterly firewall rule audit'],
  Project: ['Migrate mailboxes batch', 'Deploy new switch stack', 'Configure new file server', 'Cut over to new ISP',
    'Image new workstations', 'Decommission old server'],
  Incident: ['Cannot print to main office printer', 'Outlook keeps asking for password', 'Internet down at branch office',
    'VPN will not connect', 'Computer very slow', 'Shared drive not accessible', 'Phones not ringing', 'Line-of-business app crashes',
    'Email not syncing on phone', 'Blue screen on reception PC', 'Wi-Fi dropping in conference room', 'Scanner not sending to email',
    'Printer says "PC LOAD LETTER" 🤔', 'Café Zürich – Wi-Fi down', 'مشكلة في البريد الإلكتروني', '<script> tag shows on intranet page'],
  Problem: ['Recurring VPN disconnects across sites', 'Repeated backup failures on file server', 'Intermittent DNS failures',
    'Printer driver crashes after patch'],
  Change: ['Add firewall rule for vendor access', 'Upgrade line-of-business app', 'Change DHCP scope', 'Enable MFA for all users',
    'Replace SSL certificate', 'Move to new email filtering policy'],
  QuickHit: ['Password reset', 'Unlock account', 'Add user to distribution list', 'Map network drive', 'How do I share a calendar?',
    'Reset MFA device'],
  Install: ['New user setup', 'Set up new laptop', 'Install Adobe Acrobat', 'Install new printer', 'New hire onboarding'],
  ServiceRequest: ['Create shared mailbox', 'Grant folder access', 'Order new monitor', 'Offboard departing employee',
    'Update email signature', 'Request software quote'],
};

export const TE_NOTES = ['Investigated and resolved issue.', 'Remote session with user, tested and confirmed working.',
  'Reviewed logs, applied fix.', 'Called user, left voicemail.', 'Worked with vendor support.', 'Onsite visit.',
  'Updated documentation.', 'Applied patches and rebooted.', 'Configured settings per request.', 'Followed up with client.'];

export const PROJECT_NAMES = ['Microsoft 365 Migration', 'Server Refresh', 'Firewall Replacement', 'Network Upgrade', 'New Office Setup',
  'Windows 11 Rollout', 'Backup Overhaul', 'Wi-Fi Redesign', 'Phone System Cutover', 'Security Hardening', 'Azure AD Join',
  'SharePoint Migration'];

export const TASK_NAMES = ['Discovery and planning', 'Order hardware', 'Build and configure', 'Pilot group', 'User migration',
  'Cutover weekend', 'Documentation', 'Training', 'Post-go-live support', 'Decommission old systems', 'Project closeout'];

export const OPPORTUNITY_NAMES = ['Managed Services Agreement', 'Server Replacement', 'Firewall Upgrade', 'Laptop Refresh',
  'Microsoft 365 Licensing', 'Security Assessment', 'Backup & DR Upgrade', 'VoIP Migration', 'Wi-Fi Project', 'Contract Renewal'];
